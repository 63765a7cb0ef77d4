"""Fynd-side events, by name, for the control page, the control API, the management command
and the auto-events tick. Each runs in one transaction and records `fynd` as the source."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from konnect_admin.sandbox import clock, due, ids, seed
from konnect_admin.sandbox.models import Shipment
from konnect_admin.sandbox.reference import location_codes
from konnect_admin.sandbox.statemachine import FYND_EVENTS, By, Refusal, fynd_event

SHIPMENT_EVENTS = FYND_EVENTS
ALL_EVENTS = (*FYND_EVENTS, "new_orders")
MAX_NEW_ORDERS = 50


def shipment_event(
    name: str, shipment_id: str, options: Mapping[str, Any] | None = None
) -> Shipment:
    """Apply one Fynd event to a shipment; Refusal("unknown"/"state", ...) when it cannot."""
    if name not in SHIPMENT_EVENTS:
        raise Refusal("unknown", f"Unknown event {name!r}; one of {', '.join(ALL_EVENTS)}.")
    now = clock.now()
    due.process(now)
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(shipment_id=shipment_id).first()
        if shipment is None:
            raise Refusal("unknown", f"Unknown shipment {shipment_id}.")
        by = By(at=now, request_id=f"fynd-{ids.hex24()[:12]}", source="fynd")
        return fynd_event(name, shipment, by, options)


def new_orders(
    count: int, location: str | None = None, self_ship: bool | None = None
) -> list[Shipment]:
    if not 1 <= count <= MAX_NEW_ORDERS:
        raise Refusal("state", f"count must be between 1 and {MAX_NEW_ORDERS}.")
    if location is not None and location not in location_codes():
        raise Refusal("state", f"Unknown location {location}.")
    return seed.new_orders(count, location=location, self_ship=self_ship)


def auto_tick(now: datetime | None = None, rng: random.Random | None = None) -> dict[str, int]:
    """One round of life for a demo: due work, a few new orders, and shipments moving on
    through the Fynd-side steps (a delivery, a return picked up or delivered, now and then a
    customer return or an RTO). Only shipments idle for a minute are touched."""
    now = now or clock.now()
    rng = rng or random.Random()  # noqa: S311 simulation, not security  # nosec B311
    due.process(now)
    done: dict[str, int] = {"new_orders": len(seed.new_orders(rng.randint(0, 2), rng=rng))}
    idle = Shipment.objects.filter(updated_at__lte=now - timedelta(minutes=1), is_self_ship=False)
    steps = (
        ("assign_courier", idle.filter(state="bag_invoiced"), 1.0),
        ("deliver", idle.filter(state="bag_picked"), 0.8),
        ("return_in_transit", idle.filter(state="return_dp_assigned"), 0.5),
        ("return_deliver", idle.filter(state="return_bag_in_transit"), 0.5),
        ("rto", idle.filter(state="bag_picked"), 0.1),
        ("customer_return", idle.filter(state="delivery_done", is_return=False), 0.1),
    )
    for name, rows, chance in steps:
        if rng.random() >= chance:
            continue
        candidate = rows.order_by("updated_at").first()
        if candidate is None:
            continue
        try:
            shipment_event(name, candidate.shipment_id)
        except Refusal:
            continue  # e.g. it already has a return
        done[name] = done.get(name, 0) + 1
    return done
