"""Writing Konnect's shipments into the local cache: idempotent bulk upserts and the timeline.

`shipments_upsert()` is the one way a shipment payload reaches the database (sync pages,
read-backs after actions, the detail refresh). It never lets an older read overwrite a newer
write: a payload fetched at `fetched_at` is skipped for a row written after that moment (for
example by an action's confirmed outcome while the sync page was in flight).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from konnect_admin.models import Job
from orders import workflow
from orders.models import Shipment, ShipmentEvent, ShipmentItem

BULK = 500
DEFAULT_SLA = timedelta(hours=48)
SHIPMENT_UPDATE_FIELDS = [
    "forward_id",
    "order_id",
    "return_id",
    "location_code",
    "channel",
    "bucket",
    "lane",
    "state",
    "is_self_ship",
    "is_return",
    "is_rto",
    "order_date",
    "due_at",
    "sla_at",
    "lock_status",
    "courier_name",
    "courier_code",
    "awb_number",
    "invoice_number",
    "credit_note_number",
    "return_reason",
    "customer_name",
    "customer_city",
    "customer_pincode",
    "item_count",
    "total",
    "currency",
    "raw",
    "konnect_updated_at",
    "synced_at",
]
ITEM_UPDATE_FIELDS = [
    "shipment",
    "position",
    "sku",
    "item_code",
    "name",
    "size",
    "quantity",
    "mrp",
    "esp",
    "state",
    "reason_code",
]


def parse_when(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def money(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal(0)


def _text(value: Any, limit: int) -> str:
    return ("" if value is None else str(value))[:limit]


def shipment_from_payload(payload: Mapping[str, Any], *, now: datetime) -> Shipment:
    """An unsaved Shipment with every denormalised column filled from Konnect's object."""
    state = str(payload.get("shipmentStatus") or "")
    bucket = str(payload.get("orderStatus") or workflow.bucket_of(state))
    bucket = workflow.BUCKET_ALIASES.get(bucket, bucket)  # RETURN_COMPLETED is RETURN_ACCEPTED
    order_date = parse_when(payload.get("orderDate")) or now
    sla = parse_when(payload.get("sla"))
    address = payload.get("shippingAddress") or {}
    items = payload.get("orderItems") or []
    active = [i for i in items if str(i.get("status") or "") not in workflow.CANCELLED_STATES]
    awbs = [str(a) for a in payload.get("awbNumber") or [] if a]
    sid = str(payload["id"])
    forward = str(payload.get("forwardId") or sid)
    price = payload.get("orderPrice") or {}
    return Shipment(
        shipment_id=sid,
        forward_id=forward,
        order_id=_text(payload.get("marketplaceOrderId"), 40),
        return_id=_text(payload.get("marketplaceReturnId"), 40),
        location_code=_text(payload.get("locationCode"), 64),
        channel=_text(payload.get("orderingChannel"), 40),
        bucket=bucket,
        lane=workflow.lane_of(bucket),
        state=state,
        is_self_ship=bool(payload.get("is_self_ship")),
        is_return=forward != sid or bool(payload.get("marketplaceReturnId")),
        is_rto=bool(payload.get("isRto")),
        order_date=order_date,
        due_at=sla or order_date + DEFAULT_SLA,
        sla_at=sla,
        lock_status=bool(payload.get("lockStatus")),
        courier_name=_text(payload.get("courierName"), 80),
        courier_code=_text(payload.get("courierCode"), 80),
        awb_number=awbs[0][:64] if awbs else "",
        invoice_number=_text(
            payload.get("invoiceNumber") or payload.get("marketplaceInvoiceNumber"), 64
        ),
        credit_note_number=_text(payload.get("creditNoteNumber"), 64),
        return_reason=_text(payload.get("returnReason"), 200),
        customer_name=_text(address.get("name"), 120),
        customer_city=_text(address.get("city"), 80),
        customer_pincode=_text(address.get("pincode"), 12),
        item_count=sum(int(i.get("quantity") or 0) for i in active),
        total=money(price.get("total")),
        currency=_text(price.get("currency") or "INR", 3),
        raw=dict(payload),
        konnect_updated_at=parse_when(payload.get("updatedAt")),
        synced_at=now,
    )


def items_from_payload(payload: Mapping[str, Any], shipment_pk: int) -> list[ShipmentItem]:
    return [
        ShipmentItem(
            shipment_id=shipment_pk,
            order_item_id=_text(line.get("orderItemId"), 32),
            position=position,
            sku=_text(line.get("sku"), 200),
            item_code=_text(line.get("itemCode"), 200),
            name=_text(line.get("name"), 300),
            size=_text(line.get("size"), 60),
            quantity=int(line.get("quantity") or 0),
            mrp=money(line.get("mrp")),
            esp=money(line.get("esp")),
            state=_text(line.get("status"), 40),
            reason_code=_text(line.get("reasonCode"), 40),
        )
        for position, line in enumerate(payload.get("orderItems") or [])
        if line.get("orderItemId")
    ]


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # a newer local write won

    def add(self, other: UpsertResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


@transaction.atomic
def shipments_upsert(
    payloads: Sequence[Mapping[str, Any]], *, fetched_at: datetime, job: Job | None = None
) -> UpsertResult:
    """Insert or update shipments and their bags in bulk (a few statements per page).

    Idempotent: the same payloads twice change nothing but `synced_at`. State changes are
    added to the timeline.
    """
    result = UpsertResult()
    by_id = {str(p["id"]): p for p in payloads if p.get("id")}
    if not by_id:
        return result
    existing = {
        sid: (pk, state, synced_at, updated)
        for sid, pk, state, synced_at, updated in Shipment.objects.filter(
            shipment_id__in=list(by_id)
        ).values_list("shipment_id", "pk", "state", "synced_at", "konnect_updated_at")
    }
    now = timezone.now()
    fresh: dict[str, Mapping[str, Any]] = {}
    for sid, payload in by_id.items():
        known = existing.get(sid)
        if known is not None and known[2] > fetched_at:
            result.skipped += 1
            continue
        fresh[sid] = payload
    if not fresh:
        return result
    rows = [shipment_from_payload(p, now=now) for p in fresh.values()]
    Shipment.objects.bulk_create(
        rows,
        batch_size=BULK,
        update_conflicts=True,
        unique_fields=["shipment_id"],
        update_fields=SHIPMENT_UPDATE_FIELDS,
    )
    pks = dict(
        Shipment.objects.filter(shipment_id__in=list(fresh)).values_list("shipment_id", "pk")
    )
    items = [item for sid, p in fresh.items() for item in items_from_payload(p, pks[sid])]
    ShipmentItem.objects.bulk_create(
        items,
        batch_size=BULK,
        update_conflicts=True,
        unique_fields=["order_item_id"],
        update_fields=ITEM_UPDATE_FIELDS,
    )
    keep = {item.order_item_id for item in items}
    stale = [
        pk
        for pk, item_id in ShipmentItem.objects.filter(shipment_id__in=pks.values()).values_list(
            "pk", "order_item_id"
        )
        if item_id not in keep
    ]
    if stale:
        ShipmentItem.objects.filter(pk__in=stale).delete()
    events: list[ShipmentEvent] = []
    for row in rows:
        known = existing.get(row.shipment_id)
        at = row.konnect_updated_at or now
        if known is None:
            result.created += 1
            events.append(_event(pks[row.shipment_id], row, "first_seen", at, job=job))
        elif known[1] != row.state:
            result.updated += 1
            events.append(
                _event(pks[row.shipment_id], row, "state", at, previous=known[1], job=job)
            )
        elif known[3] != row.konnect_updated_at:
            result.updated += 1
        else:
            result.unchanged += 1
    ShipmentEvent.objects.bulk_create(events, batch_size=BULK)
    return result


def _event(
    shipment_pk: int,
    row: Shipment,
    kind: str,
    at: datetime,
    *,
    previous: str = "",
    job: Job | None = None,
) -> ShipmentEvent:
    label = workflow.state_label(row.state)
    if kind == "first_seen":
        message = f"Synced from Konnect: {label} ({row.bucket})"
    else:
        message = f"{workflow.state_label(previous)} → {label}"
    return ShipmentEvent(
        shipment_id=shipment_pk,
        at=at,
        source=ShipmentEvent.Source.SYNC,
        kind=kind,
        state=row.state,
        previous_state=previous,
        message=message[:500],
        job=job,
    )


def shipment_apply_local(
    shipment: Shipment,
    *,
    state: str = "",
    fields: Mapping[str, Any] | None = None,
    event_kind: str,
    message: str,
    ok: bool = True,
    job: Job | None = None,
    actor: Any = None,
) -> None:
    """Record an action's confirmed outcome on the cached row (before the read-back) and on
    the timeline."""
    now = timezone.now()
    previous = shipment.state
    changed: list[str] = ["synced_at"]
    if state and state != shipment.state:
        bucket = workflow.bucket_of(state, shipment.bucket)
        shipment.state, shipment.bucket, shipment.lane = state, bucket, workflow.lane_of(bucket)
        changed += ["state", "bucket", "lane"]
        # the active bags move with the shipment (contract: they move together)
        shipment.items.exclude(state__in=workflow.CANCELLED_STATES).update(state=state)
    for name, value in (fields or {}).items():
        setattr(shipment, name, value)
        changed.append(name)
    if ok:
        shipment.synced_at = now
        shipment.save(update_fields=sorted(set(changed)))
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    ShipmentEvent.objects.create(
        shipment=shipment,
        at=now,
        source=ShipmentEvent.Source.ACTION,
        kind=event_kind,
        state=shipment.state,
        previous_state=previous if state else "",
        message=message[:500],
        ok=ok,
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "system",
        job=job,
    )


def clear_pending(*, job: Job, shipment_ids: Iterable[str] | None = None) -> None:
    qs = Shipment.objects.filter(pending_job=job)
    if shipment_ids is not None:
        qs = qs.filter(shipment_id__in=list(shipment_ids))
    qs.update(pending_action="", pending_job=None)
