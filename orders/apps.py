from __future__ import annotations

from django.apps import AppConfig

NEW_ORDERS_EVERY = 5 * 60  # reference 11: 100-500 orders a day -> every 5-10 minutes
ALL_BUCKETS_EVERY = 30 * 60


class OrdersConfig(AppConfig):
    name = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from konnect_admin import demo
        from konnect_admin.access import MANAGE_RETURNS, MANAGE_SHIPMENTS, VIEW_SHIPMENTS
        from konnect_admin.jobs.registry import JobKind, register
        from konnect_admin.schedule import BEAT_ENTRIES
        from orders import tasks  # noqa: F401  (registers Celery tasks)
        from orders.actions import (
            DOCUMENTS_KIND,
            REFRESH_KIND,
            shipment_action_run,
            shipment_documents_run,
            shipment_refresh_run,
        )
        from orders.sync import KIND as SYNC_KIND
        from orders.sync import shipment_sync_run
        from orders.workflow import JOB_KINDS, RETURN_JOB_KINDS

        register(JobKind(SYNC_KIND, "Shipment sync", shipment_sync_run, VIEW_SHIPMENTS))
        register(JobKind(REFRESH_KIND, "Shipment refresh", shipment_refresh_run, VIEW_SHIPMENTS))
        for kind, label in JOB_KINDS.items():
            run = shipment_documents_run if kind == DOCUMENTS_KIND else shipment_action_run
            register(JobKind(kind, label, run, MANAGE_SHIPMENTS))
        for kind, label in RETURN_JOB_KINDS.items():  # QC and credit notes of returns
            register(JobKind(kind, label, shipment_action_run, MANAGE_RETURNS))
        names = {name for name, *_ in BEAT_ENTRIES}
        for name, task, seconds in (
            ("orders-sync-new", "orders.shipment_sync_new", NEW_ORDERS_EVERY),
            ("orders-sync-all", "orders.shipment_sync_all", ALL_BUCKETS_EVERY),
        ):
            if name not in names:
                BEAT_ENTRIES.append((name, task, seconds))
        if not any(name == "shipment sync queued" for name, _ in demo.SEED_STEPS):
            demo.SEED_STEPS.append(("shipment sync queued", _seed_orders))


def _seed_orders() -> str:
    """Queue the first full shipment sync; the worker runs it once the server is up."""
    from orders.models import SyncState
    from orders.sync import shipment_sync_start

    if SyncState.objects.exists():
        return "already synced"
    job = shipment_sync_start(user=None, source="system")
    return f"job {job.pk}"
