"""What a soak run does (scales), the fault knobs, and the timings of its processes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SOAK_DIR = ROOT / "var" / "soak"
REDIS_DB = 15  # the soak's own Redis database (broker and cache): emptied at the start of a run
PG_DATABASE = "konnect_soak"  # the soak's own PostgreSQL database: re-created for every run


@dataclass(frozen=True)
class Scale:
    name: str
    products: int  # created through product uploads (4 sizes each)
    uploads: int  # product uploads; each is followed by one inventory upload for its SKUs
    inventory_rows: int  # spread over the inventory uploads
    shipments: int  # new orders, each confirmed, invoiced, packed and dispatched (4 actions)
    outage_rows: int  # the inventory upload running while Konnect is down
    outage_batch: int  # its batch size (small batches keep it in flight long enough)
    outage_seconds: float
    kill_gap: float  # at least this long between two kills
    timeout: float  # hard limit for the main phase, seconds

    @property
    def actions(self) -> int:
        return 4 * self.shipments


SCALES = {
    "small": Scale("small", 100, 2, 1_000, 10, 200, 25, 12.0, 8.0, 480.0),
    "full": Scale("full", 1_000, 5, 10_000, 50, 2_000, 100, 60.0, 30.0, 2_400.0),
}

# The knobs of issue 9: 10% 5xx before applying, 5% applied then timed out, 5% connection reset
# (half of them after applying, the sandbox default), 5% 429 with Retry-After.
READ_TIMEOUT = 5.0
FAULTS: dict[str, object] = {
    "latency_ms": 0,
    "error_rate": 0.10,
    "error_status": 503,
    "timeout_rate": 0.05,
    "timeout_seconds": READ_TIMEOUT + 1,
    "reset_rate": 0.05,
    "reset_apply_rate": 0.5,
    "rate_limit_rate": 0.05,
    "retry_after": 2,
    "outage": False,
}
NO_FAULTS: dict[str, object] = {
    **FAULTS,
    "error_rate": 0.0,
    "timeout_rate": 0.0,
    "reset_rate": 0.0,
    "rate_limit_rate": 0.0,
}
# The outage scenario runs without the faults above, with this latency on every call so that
# its stock Job (small batches) is still sending when Konnect goes down.
OUTAGE_LATENCY_MS = 250
FAULTS_SUMMARY = (
    "10% 503 before apply, 5% applied then timeout, 5% reset (half after apply),"
    " 5% 429 Retry-After 2 s"
)

# Production timings shrunk so a run ends in minutes, keeping their proportions: the read
# timeout (30 s in production) is 5 s and the injected timeout answers after 6 s; the task
# soft limit stays 10 read timeouts (300 s / 30 s); the Job lease stays above the hard task
# limit so a live step is never taken over (recovery after a kill is bounded by lease + sweep);
# the circuit breaker's pause is 10 s instead of 60 s.
PROFILE: dict[str, str] = {
    "KONNECT_READ_TIMEOUT": str(READ_TIMEOUT),
    "CELERY_TASK_SOFT_TIME_LIMIT": "50",
    "CELERY_TASK_TIME_LIMIT": "55",
    "JOB_LEASE_SECONDS": "65",
    "JOB_SWEEP_SECONDS": "5",
    "KONNECT_BREAKER_OPEN_SECONDS": "10",
    "SANDBOX_DP_ASSIGN_SECONDS": "0",  # Fynd assigns the courier at once after an invoice
}
WORKER_CONCURRENCY = 2

_STRIPPED = ("SANDBOX_", "KONNECT_", "CELERY_", "DATABASE_", "CACHE_", "JOB_", "DJANGO_")


def redis_url(explicit: str | None = None) -> str:
    """`explicit`, else the host of CELERY_BROKER_URL when it is Redis, else local; the soak's
    own database number either way unless given explicitly."""
    if explicit:
        return explicit
    configured = os.environ.get("CELERY_BROKER_URL", "")
    if configured.startswith("redis://"):
        parts = urlsplit(configured)
        return f"redis://{parts.netloc}/{REDIS_DB}"
    return f"redis://127.0.0.1:6379/{REDIS_DB}"


def database_url(broker: str, run_dir: Path, explicit: str | None = None) -> str:
    """`explicit`, else for the Redis run the PostgreSQL server of DATABASE_URL when it is one
    (the production stack: a database of the soak's own, re-created for every run), else a
    throwaway SQLite file under the run's directory."""
    if explicit:
        return explicit
    configured = os.environ.get("DATABASE_URL", "")
    if broker == "redis" and configured.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(configured)
        return parts._replace(path=f"/{PG_DATABASE}", query="").geturl()
    return f"sqlite:///{run_dir / 'soak.sqlite3'}"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def environment(
    *, broker: str, run_dir: Path, port: int, redis: str, database: str
) -> dict[str, str]:
    """The environment of every process of a run (and of the harness itself): the run's own
    database and var dir under var/soak/, nothing inherited that could point elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_STRIPPED)}
    env.update(
        DJANGO_SETTINGS_MODULE="konnect_admin.settings",
        DJANGO_READ_DOT_ENV_FILE="false",
        KONNECT_VAR_DIR=str(run_dir),
        DATABASE_URL=database,
        # a pool child closes its connection after each task, as with SQLite, so that the
        # killer can tell an idle child from a busy one by its open connections
        DATABASE_CONN_MAX_AGE="0",
        KONNECT_SANDBOX="true",
        KONNECT_BASE_URL=f"http://127.0.0.1:{port}/sandbox/",
        SOAK_CALLS_DIR=str(run_dir / "calls"),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="INFO",
    )
    if broker == "redis":
        env.update(CELERY_BROKER_URL=redis, CACHE_URL=redis)
    else:
        env.update(CELERY_BROKER_URL="filesystem://", CACHE_URL=f"filecache://{run_dir / 'cache'}")
    env.update(PROFILE)
    return env
