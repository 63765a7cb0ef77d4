"""Periodic catalog work; each task only stores a Job, the Job engine does the rest."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    name="catalog.reference_sync", acks_late=True, reject_on_worker_lost=True, max_retries=0
)
def reference_sync() -> int:
    from catalog.services import reference_sync_start

    return reference_sync_start(user=None, source="schedule").pk


@shared_task(name="catalog.product_sync", acks_late=True, reject_on_worker_lost=True, max_retries=0)
def product_sync() -> int:
    from catalog.services import product_sync_start

    return product_sync_start(user=None, source="schedule").pk
