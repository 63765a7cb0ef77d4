"""The fault-injection soak of issue 9: `python -m tests.soak [--broker B ...] [--scale S]`.

On a throwaway database under var/soak/<broker>-<scale>/ it starts the real processes (gunicorn
serving the app and the sandbox, a prefork Celery worker, beat), turns on the sandbox's fault
knobs (10% 503 before applying, 5% applied then timed out, 5% connection reset, 5% 429 with
Retry-After), submits product and inventory uploads and shipment actions through the services
the dashboard uses, SIGKILLs two pool children and the main worker process (restarting it),
waits until every Job has finished, then takes Konnect down during one more inventory upload
and brings it back. Finally it compares every Job item with the sandbox's effect ledger:
nothing lost, nothing applied twice, every status true. The table is printed and the whole
report written to var/soak/report-<broker>-<scale>.json; the exit status is 1 when anything
was lost, duplicated, unfinished or untruthful.

`--broker redis` uses the Redis of CELERY_BROKER_URL (else 127.0.0.1:6379), database 15, which
is emptied first; the run is skipped with a message when Redis does not answer. When
DATABASE_URL is PostgreSQL, the Redis run uses that server too (database konnect_soak, dropped
and re-created): the production stack. Each broker runs in its own process (Django is set up
once per process).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

from tests.soak import config, ledger

BROKERS = ("filesystem", "redis")


def redis_answers(url: str) -> str | None:
    """None when Redis answers at `url`, else why not."""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def recreate_postgres(url: str) -> None:
    """Drop and create the database of `url`, connected to the server's `postgres` database."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_one(
    broker: str, scale_name: str, redis_override: str | None, database_override: str | None
) -> int:
    scale = config.SCALES[scale_name]
    run_dir = config.SOAK_DIR / f"{broker}-{scale.name}"
    out = config.SOAK_DIR / f"report-{broker}-{scale.name}.json"
    url = config.redis_url(redis_override)
    if broker == "redis":
        why = redis_answers(url)
        if why is not None:
            print(f"soak on Redis SKIPPED: Redis is not reachable at {url} ({why})")
            return 0
        import redis

        redis.Redis.from_url(url).flushdb()
    shutil.rmtree(run_dir, ignore_errors=True)
    for sub in ("calls", "logs"):
        (run_dir / sub).mkdir(parents=True)
    from tests.soak import procs

    database = config.database_url(broker, run_dir, database_override)
    if config.is_postgres(database):
        recreate_postgres(database)
    port = procs.free_port()
    env = config.environment(
        broker=broker, run_dir=run_dir, port=port, redis=url, database=database
    )
    for name in [k for k in os.environ if k not in env]:
        del os.environ[name]
    os.environ.update(env)

    import django

    django.setup()
    logging.getLogger("konnect").setLevel(logging.WARNING)  # the harness's own set-up reads
    from tests.soak.scenario import run

    report: dict[str, Any] = run(broker, scale, run_dir, env, port)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print()
    print(ledger.report_table(report))
    print(f"written to {out.relative_to(config.ROOT)}; logs in {run_dir.relative_to(config.ROOT)}")
    return 0 if report.get("ok") else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__)
    parser.add_argument(
        "--broker",
        action="append",
        choices=[*BROKERS, "all"],
        help="filesystem (default), redis, or all; may be repeated",
    )
    parser.add_argument("--scale", choices=sorted(config.SCALES), default="full")
    parser.add_argument(
        "--redis-url", help=f"default: CELERY_BROKER_URL's host, db {config.REDIS_DB}"
    )
    parser.add_argument(
        "--database-url",
        help="default: for Redis, DATABASE_URL's PostgreSQL server (database"
        f" {config.PG_DATABASE}) when it is one; otherwise SQLite under var/soak/",
    )
    args = parser.parse_args(argv)
    chosen = args.broker or ["filesystem"]
    brokers = [b for b in BROKERS if b in chosen or "all" in chosen]
    if len(brokers) == 1:
        return run_one(brokers[0], args.scale, args.redis_url, args.database_url)
    status = 0
    for broker in brokers:  # one process each: Django is set up once per process
        extra = ["--redis-url", args.redis_url] if args.redis_url else []
        extra += ["--database-url", args.database_url] if args.database_url else []
        status |= subprocess.call(
            [sys.executable, "-m", "tests.soak", "--broker", broker, "--scale", args.scale, *extra],
            cwd=config.ROOT,
        )
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
