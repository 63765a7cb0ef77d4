"""Fynd-side work that happens on its own after a delay, applied lazily: before every sandbox
request (and by the optional `sandbox.tick` task), whatever is due is done first, so the
effect is visible to the very next read whether or not anyone polled.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from konnect_admin.sandbox import catalog_writes
from konnect_admin.sandbox.models import Shipment, Trace
from konnect_admin.sandbox.statemachine import By, assign_courier


def process(now: datetime) -> None:
    # Two cheap indexed reads on the usual path; a write transaction only when work is due
    # (SQLite runs every transaction IMMEDIATE, i.e. with the write lock).
    if Trace.objects.filter(status=Trace.Status.PENDING, due_at__lte=now).exists():
        catalog_writes.process_due(now)
    if Shipment.objects.filter(state="bag_invoiced", dp_due_at__lte=now).exists():
        couriers_assign_due(now)


def couriers_assign_due(now: datetime) -> int:
    """bag_invoiced shipments whose courier assignment is due move to dp_assigned, once."""
    due = list(
        Shipment.objects.filter(state="bag_invoiced", dp_due_at__lte=now)
        .order_by("dp_due_at", "id")
        .values_list("pk", flat=True)[:100]
    )
    assigned = 0
    for pk in due:
        with transaction.atomic():
            shipment = Shipment.objects.select_for_update().filter(pk=pk).first()
            if shipment is None or shipment.state != "bag_invoiced" or shipment.dp_due_at is None:
                continue  # someone else assigned it in the meantime
            at = max(shipment.dp_due_at, shipment.updated_at)
            assign_courier(shipment, By(at=at, source="fynd"))
            assigned += 1
    return assigned
