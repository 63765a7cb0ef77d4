"""The production path: deploy checks, and Celery settings that keep work from being lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from konnect_admin.celery import app
from konnect_admin.jobs import runner

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "KONNECT_PRODUCTION": "true",
    "DJANGO_SECRET_KEY": "x" * 20 + "production-only-secret-key-for-the-deploy-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "admin.example.com",
    "KONNECT_SANDBOX": "false",
    "KONNECT_BASE_URL": "https://konnect.example.com/",
    "KONNECT_USERNAME": "seller",
    "KONNECT_PASSWORD": "from-the-environment",
    "KONNECT_CREDENTIALS_KEY": "5nUw2vS1f2cQ0j9mJmBx0p6W6S9wVQy3l8Jm3fQe1dM=",
    "DJANGO_READ_DOT_ENV_FILE": "false",
}


def _clean_environ() -> dict[str, str]:
    # The browser tests allow sync DB calls under Playwright's event loop; a deployment must not.
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**_clean_environ(), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path: Path) -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "KONNECT_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_embedded_secret_key(tmp_path: Path) -> None:
    env = {**PRODUCTION_ENV, "KONNECT_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SECRET_KEY")
    result = _manage("check", env={**env, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_the_running_celery_app_acks_late_and_requeues_lost_work() -> None:
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    for name, task in app.tasks.items():
        if name.startswith(("konnect_admin.", "catalog.", "orders.")):
            assert task.acks_late, name
            assert task.max_retries is not None, name


def test_no_countdown_reaches_half_the_visibility_timeout() -> None:
    visibility = app.conf.broker_transport_options.get("visibility_timeout", 3600)
    assert visibility / 2 > runner.MAX_COUNTDOWN_SECONDS
    assert (
        runner.BACKOFF_CAP > runner.MAX_COUNTDOWN_SECONDS
    )  # longer waits are rows, not countdowns


def test_the_sweeper_runs_on_beat() -> None:
    schedule = app.conf.beat_schedule
    assert schedule["jobs-sweep"]["task"] == "konnect_admin.jobs_sweep"
    assert schedule["jobs-sweep"]["schedule"] <= 30


def _example_env() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            found[name.strip()] = value.strip()
    return found


def test_env_example_lists_every_variable_the_settings_read() -> None:
    import re

    settings_src = (ROOT / "konnect_admin" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', settings_src))
    assert read, "the pattern still finds the settings' variables"
    assert sorted(read - set(_example_env())) == []


def test_env_example_copied_as_is_starts_the_embedded_mode(tmp_path: Path) -> None:
    """An operator copies .env.example to .env: every empty value means "the default"."""
    env = {**_example_env(), "KONNECT_VAR_DIR": str(tmp_path), "DJANGO_READ_DOT_ENV_FILE": "false"}
    result = _manage("check", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
