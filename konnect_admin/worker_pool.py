"""The prefork pool of our Celery workers (CELERY_WORKER_POOL): Celery's, with one change.

With a broker that has no event loop (kombu's filesystem transport, the embedded default)
Celery runs billiard's blocking pool: all children read their tasks from one shared pipe under
one inter-process lock, and an idle child waits for the next task *inside* that lock
(`SimpleQueue.get_payload`). A child killed while idle (SIGKILL: the OOM killer, an operator)
dies holding the lock, so its replacement and every other child wait for it forever: the
worker runs nothing more while its main process looks healthy (celery/billiard#104,
celery/celery#2011). Here an idle child waits on the pipe without the lock and takes the lock
only to read a task that is there, for the microseconds one read takes.

With an event loop (the Redis broker) Celery uses its AsynPool, whose children each have a
pipe of their own and no lock; this class changes nothing there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from billiard import pool as billiard_pool
from billiard.common import pickle_loads
from celery.concurrency import prefork

Receive = Callable[[float], tuple[bool, Any]]


def lock_free_wait(conn: Any) -> Receive | None:
    """A receive function for a shared, locked queue that waits for data before taking the
    lock; None for a queue without a lock (nothing to change)."""
    rlock = getattr(conn, "_rlock", None)
    reader = getattr(conn, "_reader", None)
    if rlock is None or reader is None:
        return None
    poll, recv_bytes = reader.poll, reader.recv_bytes

    def receive(timeout: float) -> tuple[bool, Any]:
        if not poll(timeout):
            return False, None  # nothing yet: checked again by the work loop
        if not rlock.acquire(True, timeout):
            return False, None
        try:
            if not poll(0):
                return False, None  # a sibling took this task
            payload = recv_bytes()
        finally:
            rlock.release()
        return True, pickle_loads(payload)

    return receive


class Worker(billiard_pool.Worker):
    def _make_recv_method(self, conn: Any) -> Receive:
        receive = lock_free_wait(conn)
        if receive is not None:
            return receive
        original: Receive = super()._make_recv_method(conn)  # type: ignore[misc]
        return original


class BlockingPool(billiard_pool.Pool):
    Worker = Worker


class TaskPool(prefork.TaskPool):
    BlockingPool = BlockingPool
