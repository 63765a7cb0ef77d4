"""A real prefork worker keeps running Jobs after its idle pool children are SIGKILLed.

Found by the soak (tests/soak): with the embedded filesystem broker Celery uses billiard's
blocking pool, whose idle children used to wait for work while holding the lock of the pipe
they share; an OOM-style kill of that child left the lock held for good and the worker never
ran another task, though its main process looked healthy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from konnect_admin.celery import app
from konnect_admin.jobs.housekeeping import housekeeping_start
from konnect_admin.models import Job
from tests.test_worker import ROOT, _database_url, _reset_broker_pools

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _children(pid: int) -> list[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return sorted(found)


@pytest.fixture
def prefork_worker(tmp_path: Path, settings: Any) -> Iterator[subprocess.Popen[bytes]]:
    """`celery worker` as the Procfile starts it (the configured pool, two children), on a
    private filesystem broker folder (or the production stack's Redis)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    env = {
        **os.environ,
        "KONNECT_VAR_DIR": str(tmp_path),
        "DATABASE_URL": _database_url(),
        "DJANGO_READ_DOT_ENV_FILE": "false",
    }
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
            sys.executable, "-m", "celery", "-A", "konnect_admin", "worker",
            "--concurrency", "2", "--without-gossip", "--without-mingle", "--loglevel", "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the children share its process group: stopped together
    )  # fmt: skip
    try:
        yield proc
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=15)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        log.close()
        app.conf.task_always_eager = True
        app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        _reset_broker_pools()


def _finished(proc: subprocess.Popen[bytes], job: Job, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_terminal:
            return True
        assert proc.poll() is None, "the worker process died"
        time.sleep(0.2)
    return False


def _two_children(pid: int, other_than: tuple[int, ...] = (), timeout: float = 20) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _children(pid)
        if len(found) == 2 and not set(found) & set(other_than):
            return found
        time.sleep(0.1)
    raise AssertionError(f"the worker has {_children(pid)} children, not 2")


def test_killing_idle_pool_children_does_not_stop_the_worker(
    prefork_worker: subprocess.Popen[bytes],
) -> None:
    proc = prefork_worker
    assert _finished(proc, housekeeping_start(), 60), "the worker never ran the first job"
    time.sleep(1.5)  # both children are back waiting for work
    first = _two_children(proc.pid)
    for child in first:  # one of them waits on the shared pipe, the other for its lock
        os.kill(child, signal.SIGKILL)
        time.sleep(0.3)
    _two_children(proc.pid, other_than=tuple(first))  # both replaced

    job = housekeeping_start()

    assert _finished(proc, job, 30), "the worker stopped running tasks after the kills"
    assert job.status == Job.Status.SUCCEEDED, job.message
