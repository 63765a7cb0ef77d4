"""Periodic shipment sync; each task only stores a Job, the Job engine does the rest."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    name="orders.shipment_sync_new", acks_late=True, reject_on_worker_lost=True, max_retries=0
)
def shipment_sync_new() -> int:
    """New orders (CREATED) of every location, since the last sync (reference 11: every 5 min
    for 100-500 orders a day)."""
    from orders.sync import MODE_NEW, shipment_sync_start

    return shipment_sync_start(user=None, mode=MODE_NEW, source="schedule").pk


@shared_task(
    name="orders.shipment_sync_all", acks_late=True, reject_on_worker_lost=True, max_retries=0
)
def shipment_sync_all() -> int:
    """Every bucket of every location over the sync window (slower: every 30 min)."""
    from orders.sync import MODE_FULL, shipment_sync_start

    return shipment_sync_start(user=None, mode=MODE_FULL, source="schedule").pk
