"""A real Celery worker process consumes tasks through the broker (filesystem or Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from konnect_admin.celery import app
from konnect_admin.jobs.housekeeping import housekeeping_start
from konnect_admin.models import Job, JobItem

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path: Path, settings: Any) -> Any:
    """Start `celery worker` against the test database, on the configured broker: a private
    filesystem folder in the embedded mode, the same Redis in the production stack."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    env = {
        **os.environ,
        "KONNECT_VAR_DIR": str(tmp_path),
        "DATABASE_URL": _database_url(),
        "DJANGO_READ_DOT_ENV_FILE": "false",
    }
    queue = None
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        queue, processed = tmp_path / "broker" / "queue", tmp_path / "broker" / "processed"
        queue.mkdir(parents=True)
        processed.mkdir(parents=True)
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(processed),
            "store_processed": False,
        }
        env["CELERY_BROKER_URL"] = "filesystem://"
    _reset_broker_pools()
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "konnect_admin",
            "worker",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc, queue
    proc.terminate()
    proc.wait(timeout=20)
    log.close()
    app.conf.task_always_eager = True
    app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    _reset_broker_pools()


def test_a_real_worker_runs_a_job_sent_through_the_broker(worker: Any) -> None:
    proc, queue = worker
    old = Job.objects.create(
        kind="housekeeping",
        title="old",
        status=Job.Status.SUCCEEDED,
        finished_at=timezone.now() - timedelta(days=400),
    )
    JobItem.objects.bulk_create([JobItem(job=old, seq=i, key=f"k{i}") for i in range(3)])

    job = housekeeping_start()  # commits, then publishes job_run to the broker

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_terminal:
            break
        assert proc.poll() is None, "the worker process died"
        time.sleep(0.3)
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert "Removed 3 record(s)" in job.message
    assert not JobItem.objects.filter(job=old).exists()
    if queue is not None:
        assert list(queue.iterdir()) == []  # the message was consumed from the folder


def _reset_broker_pools() -> None:
    """Drop pooled connections made with earlier transport options so new ones use the current
    ones (kombu keeps producer pools globally, keyed by connection)."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
