"""A real Celery worker process consumes tasks through the serverless filesystem broker."""

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


@pytest.fixture
def worker(tmp_path: Path, settings: Any) -> Any:
    """Start `celery worker` on a private broker folder against the test database."""
    queue, processed = tmp_path / "broker" / "queue", tmp_path / "broker" / "processed"
    queue.mkdir(parents=True)
    processed.mkdir(parents=True)
    options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "store_processed": False,
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = options
    _reset_broker_pools()
    env = {
        **os.environ,
        "KONNECT_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "filesystem://",
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "DJANGO_READ_DOT_ENV_FILE": "false",
    }
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


def _reset_broker_pools() -> None:
    """Drop connections made with earlier transport options so new ones use the current ones."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


def test_a_real_worker_runs_a_job_sent_through_the_filesystem_broker(worker: Any) -> None:
    proc, queue = worker
    old = Job.objects.create(
        kind="housekeeping",
        title="old",
        status=Job.Status.SUCCEEDED,
        finished_at=timezone.now() - timedelta(days=400),
    )
    JobItem.objects.bulk_create([JobItem(job=old, seq=i, key=f"k{i}") for i in range(3)])

    job = housekeeping_start()  # commits, then publishes job_run to the broker folder

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
    assert list(queue.iterdir()) == []  # the message was consumed from the folder
