"""The optional auto-events tick (registered in BEAT_ENTRIES only when SANDBOX_AUTO_EVENTS)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="sandbox.tick", acks_late=True, reject_on_worker_lost=True, max_retries=0)
def tick() -> dict[str, int]:
    from konnect_admin.sandbox.events import auto_tick

    return auto_tick()
