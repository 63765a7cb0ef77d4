"""Shipment states, their buckets, and every transition (contract sections 6-7, reference
section 9).

The shipment's `state` is the state of its active (not cancelled) bags, which move together;
a cancelled bag keeps its cancelled state. Each function here checks every precondition first
and raises Refusal before touching anything, then applies the change, records the event and
writes the effect row. The HTTP layer (views_oms.py) turns a Refusal into the endpoint's code.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from konnect_admin.sandbox import effects, ids
from konnect_admin.sandbox.models import Shipment, ShipmentEvent, ShipmentItem
from konnect_admin.sandbox.reference import reference

CREATED_STATES = ("placed", "new", "store_reassigned")
CANCELLED_STATES = ("cancelled_customer", "cancelled_fynd", "cancelled_seller")

BUCKETS: dict[str, tuple[str, ...]] = {
    "CREATED": CREATED_STATES,
    "CONFIRMED": ("bag_confirmed",),
    "PROCESSING": ("bag_invoiced", "dp_assigned"),
    "COMPLETED": ("bag_packed",),
    "TRANSIT": ("bag_picked",),
    "DELIVERED": ("delivery_done",),
    "CANCELLED": CANCELLED_STATES,
    "RETURN_PROCESSING": ("return_initiated", "return_dp_assigned", "return_bag_in_transit"),
    "RETURN_DELIVERED": ("return_bag_delivered", "rto_bag_delivered"),
    "RETURN_ACCEPTED": ("return_bag_accepted", "rto_bag_accepted"),
    "CREDIT_NOTE_GENERATED": ("credit_note_generated",),
}
STATE_BUCKET = {state: bucket for bucket, states in BUCKETS.items() for state in states}
BUCKET_ALIASES = {"RETURN_COMPLETED": "RETURN_ACCEPTED"}  # the docs conflict (section 14.4)
# Documented but reached by no state the sandbox emulates: a valid filter, always empty.
EMPTY_BUCKETS = ("HANDED_OVER_TO_CUSTOMER",)
FETCHABLE_BUCKETS = (*BUCKETS, *BUCKET_ALIASES, *EMPTY_BUCKETS)

PARTIAL_CANCELLABLE = (*CREATED_STATES, "bag_confirmed")
WHOLE_CANCELLABLE = (*PARTIAL_CANCELLABLE, "bag_invoiced", "dp_assigned", "bag_packed")
# Labels and customer invoices exist once a forward shipment has been packed.
PACKED_OR_LATER = (
    "bag_packed",
    "bag_picked",
    "delivery_done",
    "rto_bag_delivered",
    "rto_bag_accepted",
    "credit_note_generated",
)
CANCEL_REASONS = ("6", "7", "8", "9", "NA")  # reference section 13.1
QC_REASONS = (  # reference section 13.2; "" means good condition
    "",
    "tag_missing",
    "package_damaged",
    "refinish_damaged",
    "refinish_for_pressing",
    "seal_opened",
    "wrong_product_received",
    "lost",
    "short_received",
    "empty_box_received",
    "free_gift_missing",
    "component_missing",
    "fully_damaged",
)
SELF_SHIP_PUSHES = (
    "bag_picked",
    "delivery_done",
    "rto_bag_delivered",
    "return_bag_in_transit",
    "return_bag_delivered",
)
COURIERS = (
    ("Delhivery", "delhivery"),
    ("Blue Dart", "bluedart"),
    ("Ecom Express", "ecom-express"),
    ("Xpressbees", "xpressbees"),
    ("Shadowfax", "shadowfax"),
    ("Ekart Logistics", "ekart"),
)
RETURN_REASONS = (
    "Size too small",
    "Size too large",
    "Quality not as expected",
    "Damaged product received",
    "Wrong item delivered",
    "Colour different from the picture",
    "No longer needed",
)


def bucket_of(state: str) -> str:
    return STATE_BUCKET[state]


def states_of_bucket(bucket: str) -> tuple[str, ...]:
    return BUCKETS.get(BUCKET_ALIASES.get(bucket, bucket), ())


class Refusal(Exception):
    """A per-record refusal. `kind` picks the endpoint's code: unknown, location, cancelled,
    state (also bad values), duplicate."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class By:
    """Who acts and when: source is "konnect" (an API call), "fynd" (a Fynd-side event) or
    "seed"."""

    at: datetime
    request_id: str = ""
    source: str = "konnect"


_rng = random.Random()  # noqa: S311 simulation, not security  # nosec B311


# --- primitives -------------------------------------------------------------------------------


def active_items(shipment: Shipment) -> list[ShipmentItem]:
    return [i for i in shipment.items.all() if i.state not in CANCELLED_STATES]


def move(
    shipment: Shipment,
    state: str,
    by: By,
    event: str,
    *,
    remark: str = "",
    location: str = "",
) -> ShipmentEvent:
    """Put the shipment and its active bags in `state` and record the event."""
    shipment.items.exclude(state__in=CANCELLED_STATES).update(state=state)
    shipment.state = state
    shipment.bucket = bucket_of(state)
    shipment.updated_at = by.at
    shipment.save()
    return note(shipment, event, by, state=state, remark=remark, location=location)


def note(
    shipment: Shipment,
    event: str,
    by: By,
    *,
    state: str = "",
    remark: str = "",
    location: str = "",
) -> ShipmentEvent:
    """Record a milestone on the timeline (also used when the state does not change)."""
    return ShipmentEvent.objects.create(
        shipment=shipment,
        state=state or shipment.state,
        event=event,
        source=by.source,
        remark=remark[:300],
        location=location[:120],
        request_id=by.request_id,
        at=by.at,
    )


def _require_not_cancelled(shipment: Shipment) -> None:
    if shipment.state in CANCELLED_STATES:
        raise Refusal("cancelled", f"Shipment {shipment.shipment_id} is cancelled.")


def _require_forward(shipment: Shipment, action: str) -> None:
    if shipment.is_return:
        raise Refusal(
            "state", f"{action} does not apply to return shipment {shipment.shipment_id}."
        )


def _require_state(shipment: Shipment, allowed: Sequence[str], action: str) -> None:
    if shipment.state not in allowed:
        wanted = " or ".join(allowed)
        raise Refusal(
            "state",
            f"Cannot {action} shipment {shipment.shipment_id} in state {shipment.state}; "
            f"it must be {wanted}.",
        )


def _items_by_id(shipment: Shipment) -> dict[str, ShipmentItem]:
    return {i.item_id: i for i in shipment.items.all()}


def _listed_items(
    shipment: Shipment, record: Mapping[str, Any], *, kind: str = "state"
) -> list[tuple[ShipmentItem, Mapping[str, Any]]]:
    """The bags named in record["orderItems"], each with its line; unknown ids refused."""
    by_id = _items_by_id(shipment)
    listed = []
    for line in record.get("orderItems") or []:
        item = by_id.get(str(line.get("orderItemId", "")))
        if item is None:
            raise Refusal(
                kind,
                f"orderItemId {line.get('orderItemId')!r} is not a bag of shipment "
                f"{shipment.shipment_id}.",
            )
        listed.append((item, line))
    return listed


def new_item_id(taken: set[str] | None = None, rng: random.Random | None = None) -> str:
    while True:
        candidate = ids.item_id(rng)
        if candidate in (taken or set()):
            continue
        if not ShipmentItem.objects.filter(item_id=candidate).exists():
            if taken is not None:
                taken.add(candidate)
            return candidate


def new_shipment_id(rng: random.Random | None = None) -> str:
    while True:
        candidate = ids.shipment_id(rng)
        if not Shipment.objects.filter(shipment_id=candidate).exists():
            return candidate


def awb_number(rng: random.Random | None = None) -> str:
    return str((rng or _rng).randrange(10**11, 10**12))


def default_package(shipment: Shipment, items: Iterable[ShipmentItem]) -> dict[str, Any]:
    count = sum(i.quantity for i in items) or 1
    return {
        "packageId": f"PKG-{shipment.shipment_id[-8:]}-1",
        "packageLengthCm": 30,
        "packageWidthCm": 25,
        "packageHeightCm": 5 + 3 * min(count, 5),
        "packageWeightGms": 350 * count,
    }


# --- Konnect actions (the seller's calls) -----------------------------------------------------


def confirm(shipment: Shipment, record: Mapping[str, Any], by: By) -> None:
    """placed|new|store_reassigned -> bag_confirmed. Confirmation is shipment-level: listed
    orderItems must be bags of the shipment and none of them cancelled (O400)."""
    _require_forward(shipment, "confirm")
    _require_not_cancelled(shipment)
    for item, _line in _listed_items(shipment, record, kind="cancelled"):
        if item.state in CANCELLED_STATES:
            raise Refusal("cancelled", f"orderItemId {item.item_id} is already cancelled.")
    _require_state(shipment, CREATED_STATES, "confirm")
    move(shipment, "bag_confirmed", by, "confirm")
    effects.record("oms.confirm", shipment.shipment_id, by.request_id, by.at)


def cancel_by_seller(shipment: Shipment, record: Mapping[str, Any], by: By) -> None:
    """Whole cancellation when every active bag is listed with its full quantity (allowed up
    to bag_packed); otherwise partial, allowed only before invoicing. A partial quantity of a
    bag splits it: the cancelled units become a new bag."""
    _require_forward(shipment, "cancel")
    _require_not_cancelled(shipment)
    lines = record.get("orderItems")
    if not lines:
        raise Refusal("state", "orderItems with a reasonCode for each bag are required.")
    listed = _listed_items(shipment, record)
    plan: list[tuple[ShipmentItem, int, str]] = []
    seen: set[str] = set()
    for item, line in listed:
        reason = str(line.get("reasonCode", "")).strip()
        if reason not in CANCEL_REASONS:
            raise Refusal(
                "state",
                f"reasonCode {line.get('reasonCode')!r} of bag {item.item_id} is not one of "
                f"{', '.join(CANCEL_REASONS)}.",
            )
        if item.state in CANCELLED_STATES:
            raise Refusal("state", f"Bag {item.item_id} is already cancelled.")
        if item.item_id in seen:
            raise Refusal("state", f"Bag {item.item_id} is listed twice.")
        seen.add(item.item_id)
        quantity = line.get("quantity", item.quantity)
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise Refusal("state", f"quantity of bag {item.item_id} must be an integer.")
        if not 1 <= quantity <= item.quantity:
            raise Refusal(
                "state", f"quantity of bag {item.item_id} must be between 1 and {item.quantity}."
            )
        plan.append((item, quantity, reason))
    active = active_items(shipment)
    whole = {i.item_id for i in active} == seen and all(q == i.quantity for i, q, _ in plan)
    if whole:
        _require_state(shipment, WHOLE_CANCELLABLE, "cancel")
        for item, _quantity, reason in plan:  # each bag keeps its own reason
            item.reason_code = reason
            item.save(update_fields=["reason_code"])
        move(shipment, "cancelled_seller", by, "cancel", remark="whole shipment")
        effects.record("oms.cancel", shipment.shipment_id, by.request_id, by.at)
        return
    if shipment.state not in PARTIAL_CANCELLABLE:
        raise Refusal(
            "state",
            f"Items of shipment {shipment.shipment_id} can only be cancelled before invoicing "
            f"(state is {shipment.state}).",
        )
    cancelled = [
        _cancel_units(shipment, item, quantity, "cancelled_seller", reason)
        for item, quantity, reason in plan
    ]
    shipment.updated_at = by.at
    shipment.save(update_fields=["updated_at"])
    note(shipment, "cancel_items", by, remark="cancelled bags " + ", ".join(cancelled))
    key = f"{shipment.shipment_id}:{','.join(sorted(seen))}"
    effects.record("oms.cancel", key, by.request_id, by.at)


def _cancel_units(
    shipment: Shipment, item: ShipmentItem, quantity: int, state: str, reason: str
) -> str:
    if quantity == item.quantity:
        item.state = state
        item.reason_code = reason
        item.save(update_fields=["state", "reason_code"])
        return item.item_id
    item.quantity -= quantity
    item.save(update_fields=["quantity"])
    split = ShipmentItem.objects.create(
        shipment=shipment,
        item_id=new_item_id(),
        position=item.position,
        sku=item.sku,
        item_code=item.item_code,
        name=item.name,
        size=item.size,
        quantity=quantity,
        mrp=item.mrp,
        esp=item.esp,
        state=state,
        reason_code=reason,
    )
    return split.item_id


def invoice_sale(shipment: Shipment, record: Mapping[str, Any], by: By) -> None:
    """bag_confirmed -> bag_invoiced; the Fynd side then assigns a courier after
    SANDBOX_DP_ASSIGN_SECONDS (0: at once)."""
    _require_forward(shipment, "invoice")
    if shipment.state in CANCELLED_STATES:
        raise Refusal("state", f"Shipment {shipment.shipment_id} is cancelled.")
    _require_state(shipment, ("bag_confirmed",), "invoice")
    number = record["invoiceNumber"]
    if Shipment.objects.filter(invoice_number=number).exclude(pk=shipment.pk).exists():
        raise Refusal("duplicate", f"Invoice number {number} is already used.")
    for item, line in _listed_items(shipment, record):
        if line.get("imeiSerialNumber"):
            item.imei = list(line["imeiSerialNumber"])
            item.save(update_fields=["imei"])
    shipment.invoice_number = number
    shipment.marketplace_invoice_number = number
    shipment.invoice_data = {
        k: record[k]
        for k in ("invoiceQrCode", "irnNumber", "signedInvoice", "ackNumber", "ackDate")
        if k in record
    }
    packages = record.get("packages")
    shipment.packages = (
        [dict(p) for p in packages]
        if packages
        else [default_package(shipment, active_items(shipment))]
    )
    delay = settings.SANDBOX_DP_ASSIGN_SECONDS
    shipment.dp_due_at = by.at + timedelta(seconds=delay)
    move(shipment, "bag_invoiced", by, "invoice", remark=f"invoice {number}")
    effects.record("oms.invoice", shipment.shipment_id, by.request_id, by.at)
    if delay <= 0:
        assign_courier(shipment, By(at=by.at, request_id=by.request_id, source="fynd"))


def credit_note(shipment: Shipment, record: Mapping[str, Any], by: By) -> None:
    """return_bag_accepted|rto_bag_accepted -> credit_note_generated."""
    _require_state(shipment, ("return_bag_accepted", "rto_bag_accepted"), "raise a credit note for")
    number = record["invoiceNumber"]
    if Shipment.objects.filter(credit_note_number=number).exclude(pk=shipment.pk).exists():
        raise Refusal("duplicate", f"Credit note number {number} is already used.")
    _listed_items(shipment, record)
    shipment.credit_note_number = number
    move(shipment, "credit_note_generated", by, "credit_note", remark=f"credit note {number}")
    effects.record("oms.credit_note", shipment.shipment_id, by.request_id, by.at)


def pack(shipment: Shipment, record: Mapping[str, Any], by: By) -> None:
    """dp_assigned -> bag_packed (CR401 cancelled, CR400 any other state)."""
    _require_not_cancelled(shipment)
    _require_forward(shipment, "pack")
    _require_state(shipment, ("dp_assigned",), "pack")
    if not shipment.packages:
        shipment.packages = [default_package(shipment, active_items(shipment))]
    move(shipment, "bag_packed", by, "pack")
    effects.record("oms.pack", shipment.shipment_id, by.request_id, by.at)


def dispatch(shipment: Shipment, record: Mapping[str, Any], by: By) -> None:
    """bag_packed -> bag_picked. A self-ship shipment needs its AWB first (D400)."""
    _require_not_cancelled(shipment)
    _require_forward(shipment, "dispatch")
    _listed_items(shipment, record)
    _require_state(shipment, ("bag_packed",), "dispatch")
    if shipment.is_self_ship and not shipment.awb_number:
        raise Refusal("state", f"Self-ship shipment {shipment.shipment_id} needs an AWB first.")
    move(shipment, "bag_picked", by, "dispatch", location=_courier_hub(shipment))
    effects.record("oms.dispatch", shipment.shipment_id, by.request_id, by.at)


def awb(shipment: Shipment, record: Mapping[str, Any], by: By) -> None:
    """Self-ship only. Forward in dp_assigned or bag_packed, or a return in
    return_dp_assigned (autoDispatch must then be false); an AWB is recorded once."""
    if not shipment.is_self_ship:
        raise Refusal("state", f"Shipment {shipment.shipment_id} is not self-ship.")
    _require_not_cancelled(shipment)
    auto = record["autoDispatch"]
    if shipment.is_return:
        _require_state(shipment, ("return_dp_assigned",), "record an AWB for")
        if auto:
            raise Refusal("state", "autoDispatch applies to forward shipments only.")
    else:
        _require_state(shipment, ("dp_assigned", "bag_packed"), "record an AWB for")
    if shipment.awb_number:
        raise Refusal(
            "state", f"Shipment {shipment.shipment_id} already has AWB {shipment.awb_number}."
        )
    shipment.awb_number = record["awbNumber"]
    shipment.courier_name = record["courierName"]
    shipment.courier_code = record["courierName"].lower().replace(" ", "-")
    shipment.updated_at = by.at
    shipment.save()
    note(shipment, "awb", by, remark=f"AWB {record['awbNumber']} by {record['courierName']}")
    effects.record("oms.awb", shipment.shipment_id, by.request_id, by.at)
    if auto:
        move(shipment, "bag_picked", by, "auto_dispatch", location=_courier_hub(shipment))


# (from states, needs an AWB, sets is_rto) per pushable status; returns vs forward by state.
STATUS_CHAIN: dict[str, tuple[tuple[str, ...], bool]] = {
    "bag_picked": (("dp_assigned", "bag_packed"), True),
    "delivery_done": (("bag_picked",), False),
    "rto_bag_delivered": (("bag_picked",), False),
    "return_bag_in_transit": (("return_dp_assigned",), True),
    "return_bag_delivered": (("return_bag_in_transit",), False),
}


def push_status(shipment: Shipment, record: Mapping[str, Any], by: By) -> None:
    """Self-ship milestones, one step of the chains of reference 7.13."""
    if not shipment.is_self_ship:
        raise Refusal("state", f"Shipment {shipment.shipment_id} is not self-ship.")
    _require_not_cancelled(shipment)
    target = record["orderStatus"]
    allowed, needs_awb = STATUS_CHAIN[target]
    _require_state(shipment, allowed, f"move to {target}")
    if needs_awb and not shipment.awb_number:
        raise Refusal("state", f"Push the AWB of shipment {shipment.shipment_id} first.")
    meta = record.get("meta") or {}
    if target == "rto_bag_delivered":
        shipment.is_rto = True
    move(
        shipment,
        target,
        by,
        "status",
        remark=str(meta.get("remark", "")),
        location=str(meta.get("dpLocation", "")),
    )
    effects.record("oms.status", f"{shipment.shipment_id}:{target}", by.request_id, by.at)


def qc_accept(shipment: Shipment, record: Mapping[str, Any], by: By) -> None:
    """return_bag_delivered -> return_bag_accepted, rto_bag_delivered -> rto_bag_accepted."""
    _require_state(shipment, ("return_bag_delivered", "rto_bag_delivered"), "accept")
    lines = _listed_items(shipment, record)
    for _item, line in lines:
        reason = str(line.get("reasonCode") or "")
        if reason not in QC_REASONS:
            raise Refusal("state", f"reasonCode {reason!r} is not a known QC reason.")
    for item, line in lines:
        item.qc_reason = str(line.get("reasonCode") or "")
        item.save(update_fields=["qc_reason"])
    target = "rto_bag_accepted" if shipment.state == "rto_bag_delivered" else "return_bag_accepted"
    move(shipment, target, by, "qc_accept")
    effects.record("oms.return", shipment.shipment_id, by.request_id, by.at)


def _courier_hub(shipment: Shipment) -> str:
    location = reference().location_by_code.get(shipment.location_code)
    city = location["city"] if location else "origin"
    return f"{shipment.courier_name or 'Courier'} hub, {city}"


# --- Fynd-side events (no Konnect call exists for these) --------------------------------------


def assign_courier(shipment: Shipment, by: By, rng: random.Random | None = None) -> None:
    """bag_invoiced -> dp_assigned. Channel shipping gets a courier and an AWB; self-ship
    shipments get neither (the seller pushes them with PUT awb)."""
    _require_forward(shipment, "assign a courier to")
    _require_state(shipment, ("bag_invoiced",), "assign a courier to")
    if not shipment.is_self_ship:
        name, code = (rng or _rng).choice(COURIERS)
        shipment.courier_name, shipment.courier_code = name, code
        shipment.awb_number = awb_number(rng)
    shipment.dp_due_at = None
    move(shipment, "dp_assigned", by, "assign_courier", remark=shipment.courier_name)


def deliver(shipment: Shipment, by: By) -> None:
    """bag_picked -> delivery_done (channel shipping; self-ship milestones are the seller's)."""
    _require_channel_shipping(shipment)
    _require_forward(shipment, "deliver")
    _require_state(shipment, ("bag_picked",), "deliver")
    move(
        shipment, "delivery_done", by, "deliver", location=shipment.shipping_address.get("city", "")
    )


def rto(shipment: Shipment, by: By) -> None:
    """bag_picked -> rto_bag_delivered: the delivery failed and the parcel came back."""
    _require_channel_shipping(shipment)
    _require_forward(shipment, "return to origin")
    _require_state(shipment, ("bag_picked",), "return to origin")
    shipment.is_rto = True
    move(shipment, "rto_bag_delivered", by, "rto", remark="Customer not reachable")


def customer_cancel(shipment: Shipment, by: By, item_ids: Sequence[str] = ()) -> None:
    """Before confirmation the customer cancels the shipment or some bags of it."""
    _require_forward(shipment, "cancel")
    _require_not_cancelled(shipment)
    _require_state(shipment, CREATED_STATES, "cancel (customer)")
    active = {i.item_id: i for i in active_items(shipment)}
    unknown = [i for i in item_ids if i not in active]
    if unknown:
        raise Refusal("state", f"Not active bags of this shipment: {', '.join(unknown)}.")
    if not item_ids or set(item_ids) == set(active):
        move(shipment, "cancelled_customer", by, "customer_cancel", remark="by customer")
        return
    for item_id in item_ids:
        _cancel_units(shipment, active[item_id], active[item_id].quantity, "cancelled_customer", "")
    shipment.updated_at = by.at
    shipment.save(update_fields=["updated_at"])
    note(shipment, "customer_cancel_items", by, remark="cancelled bags " + ", ".join(item_ids))


def customer_return(
    shipment: Shipment, by: By, reason: str = "", rng: random.Random | None = None
) -> Shipment:
    """A delivered forward shipment gets a new return shipment in return_dp_assigned."""
    _require_forward(shipment, "return")
    _require_state(shipment, ("delivery_done",), "return")
    if Shipment.objects.filter(forward_id=shipment.shipment_id, is_return=True).exists():
        raise Refusal("state", f"Shipment {shipment.shipment_id} already has a return.")
    rng = rng or _rng
    items = active_items(shipment)
    returned = Shipment.objects.create(
        shipment_id=new_shipment_id(rng),
        forward_id=shipment.shipment_id,
        order_id=shipment.order_id,
        marketplace_return_id=ids.return_id(rng),
        location_code=shipment.location_code,
        channel=shipment.channel,
        state="return_initiated",
        bucket=bucket_of("return_initiated"),
        is_self_ship=shipment.is_self_ship,
        is_return=True,
        order_date=shipment.order_date,
        sla=by.at + timedelta(days=7),
        customer_name=shipment.customer_name,
        shipping_address=shipment.shipping_address,
        billing_address=shipment.billing_address,
        packages=[default_package(shipment, items)],
        shipping_charge=Decimal(0),
        return_reason=reason or rng.choice(RETURN_REASONS),
        updated_at=by.at,
    )
    taken: set[str] = set()
    ShipmentItem.objects.bulk_create(
        ShipmentItem(
            shipment=returned,
            item_id=new_item_id(taken, rng),
            position=n,
            sku=i.sku,
            item_code=i.item_code,
            name=i.name,
            size=i.size,
            quantity=i.quantity,
            mrp=i.mrp,
            esp=i.esp,
            state="return_initiated",
        )
        for n, i in enumerate(items)
    )
    note(returned, "customer_return", by, remark=returned.return_reason or "")
    if not returned.is_self_ship:
        name, code = rng.choice(COURIERS)
        returned.courier_name, returned.courier_code = name, code
        returned.awb_number = awb_number(rng)
    move(returned, "return_dp_assigned", by, "assign_return_courier", remark=returned.courier_name)
    shipment.updated_at = by.at
    shipment.save(update_fields=["updated_at"])
    note(shipment, "customer_return", by, remark=f"return shipment {returned.shipment_id}")
    return returned


def return_in_transit(shipment: Shipment, by: By) -> None:
    """return_dp_assigned -> return_bag_in_transit (the return courier picked it up)."""
    _require_channel_shipping(shipment)
    _require_state(shipment, ("return_dp_assigned",), "move to return in transit")
    move(shipment, "return_bag_in_transit", by, "return_in_transit")


def return_deliver(shipment: Shipment, by: By) -> None:
    """return_bag_in_transit -> return_bag_delivered (back at the seller's location)."""
    _require_channel_shipping(shipment)
    _require_state(shipment, ("return_bag_in_transit",), "deliver the return of")
    move(shipment, "return_bag_delivered", by, "return_deliver")


def _require_channel_shipping(shipment: Shipment) -> None:
    if shipment.is_self_ship:
        raise Refusal(
            "state",
            f"Shipment {shipment.shipment_id} is self-ship: the seller pushes its milestones "
            "with PUT oms/v3/shipment/status.",
        )


FYND_EVENTS = (
    "assign_courier",
    "deliver",
    "customer_cancel",
    "customer_return",
    "rto",
    "return_in_transit",
    "return_deliver",
)


def fynd_event(
    name: str, shipment: Shipment, by: By, options: Mapping[str, Any] | None = None
) -> Shipment:
    """Apply a Fynd-side event by name; returns the shipment it produced or changed."""
    options = options or {}
    if name == "assign_courier":
        assign_courier(shipment, by)
    elif name == "deliver":
        deliver(shipment, by)
    elif name == "customer_cancel":
        customer_cancel(shipment, by, [str(i) for i in options.get("order_item_ids") or []])
    elif name == "customer_return":
        return customer_return(shipment, by, str(options.get("reason") or ""))
    elif name == "rto":
        rto(shipment, by)
    elif name == "return_in_transit":
        return_in_transit(shipment, by)
    elif name == "return_deliver":
        return_deliver(shipment, by)
    else:
        raise Refusal("unknown", f"Unknown Fynd event {name!r}.")
    return shipment


def fynd_events_allowed(shipment: Shipment, has_return: bool) -> list[str]:
    """The Fynd-side events that apply to the shipment now (buttons on the control page)."""
    s = shipment
    forward, channel = not s.is_return, not s.is_self_ship
    allowed = {
        "assign_courier": forward and s.state == "bag_invoiced",
        "deliver": forward and channel and s.state == "bag_picked",
        "customer_cancel": forward and s.state in CREATED_STATES,
        "customer_return": forward and s.state == "delivery_done" and not has_return,
        "rto": forward and channel and s.state == "bag_picked",
        "return_in_transit": channel and s.state == "return_dp_assigned",
        "return_deliver": channel and s.state == "return_bag_in_transit",
    }
    return [name for name in FYND_EVENTS if allowed[name]]
