"""Seeded and generated shipments: Indian customers and addresses, items from the seeded SKUs,
and a timeline of events that walks each shipment to its state the way the real flow would.

`build_shipment` plans one shipment in memory (no database access) so the seed can create
500 of them with three bulk inserts; `new_orders` uses the same builder for orders that
arrive later (control page, `sandbox_event new_orders`, the auto-events tick).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from konnect_admin.sandbox import ids
from konnect_admin.sandbox.models import Shipment, ShipmentEvent, ShipmentItem
from konnect_admin.sandbox.statemachine import (
    CANCEL_REASONS,
    COURIERS,
    RETURN_REASONS,
    bucket_of,
    default_package,
)

FIRST_NAMES = (
    "Aarav",
    "Vivaan",
    "Aditya",
    "Arjun",
    "Rohan",
    "Ishaan",
    "Kabir",
    "Rahul",
    "Siddharth",
    "Karthik",
    "Pranav",
    "Nikhil",
    "Manish",
    "Suresh",
    "Rajesh",
    "Venkatesh",
    "Harpreet",
    "Gurpreet",
    "Anil",
    "Sanjay",
    "Imran",
    "Farhan",
    "Joseph",
    "Priya",
    "Ananya",
    "Diya",
    "Aisha",
    "Kavya",
    "Meera",
    "Sneha",
    "Pooja",
    "Neha",
    "Divya",
    "Lakshmi",
    "Deepika",
    "Shreya",
    "Nandini",
    "Fatima",
    "Zoya",
    "Sunita",
    "Anjali",
    "Ritu",
    "Swati",
    "Bhavna",
    "Tanvi",
)
LAST_NAMES = (
    "Sharma",
    "Verma",
    "Gupta",
    "Iyer",
    "Nair",
    "Reddy",
    "Patel",
    "Shah",
    "Mehta",
    "Singh",
    "Kaur",
    "Das",
    "Banerjee",
    "Chatterjee",
    "Mukherjee",
    "Rao",
    "Kulkarni",
    "Deshpande",
    "Joshi",
    "Pillai",
    "Menon",
    "Khan",
    "Qureshi",
    "Fernandes",
    "D'Souza",
    "Agarwal",
    "Bansal",
    "Chopra",
    "Malhotra",
    "Bhat",
    "Hegde",
    "Naidu",
    "Yadav",
    "Mishra",
    "Tiwari",
    "Pandey",
    "Saxena",
    "Jain",
)
# (city, state, pincode, locality): real city / PIN pairs.
PLACES = (
    ("Mumbai", "Maharashtra", "400050", "Bandra West"),
    ("Mumbai", "Maharashtra", "400076", "Powai"),
    ("Mumbai", "Maharashtra", "400053", "Andheri West"),
    ("Thane", "Maharashtra", "400601", "Naupada"),
    ("Pune", "Maharashtra", "411038", "Kothrud"),
    ("Pune", "Maharashtra", "411014", "Viman Nagar"),
    ("Bengaluru", "Karnataka", "560034", "Koramangala"),
    ("Bengaluru", "Karnataka", "560066", "Whitefield"),
    ("Bengaluru", "Karnataka", "560041", "Jayanagar"),
    ("Bengaluru", "Karnataka", "560102", "HSR Layout"),
    ("Mysuru", "Karnataka", "570023", "Kuvempunagar"),
    ("Chennai", "Tamil Nadu", "600040", "Anna Nagar"),
    ("Chennai", "Tamil Nadu", "600017", "T. Nagar"),
    ("Hyderabad", "Telangana", "500081", "Madhapur"),
    ("Hyderabad", "Telangana", "500034", "Banjara Hills"),
    ("New Delhi", "Delhi", "110017", "Malviya Nagar"),
    ("New Delhi", "Delhi", "110024", "Lajpat Nagar"),
    ("Gurugram", "Haryana", "122002", "DLF Phase 3"),
    ("Noida", "Uttar Pradesh", "201301", "Sector 18"),
    ("Lucknow", "Uttar Pradesh", "226010", "Gomti Nagar"),
    ("Kolkata", "West Bengal", "700019", "Ballygunge"),
    ("Kolkata", "West Bengal", "700091", "Salt Lake"),
    ("Ahmedabad", "Gujarat", "380015", "Satellite"),
    ("Jaipur", "Rajasthan", "302017", "Malviya Nagar"),
    ("Kochi", "Kerala", "682024", "Edappally"),
    ("Chandigarh", "Chandigarh", "160022", "Sector 22"),
    ("Indore", "Madhya Pradesh", "452010", "Vijay Nagar"),
    ("Bhubaneswar", "Odisha", "751007", "Saheed Nagar"),
)
BUILDINGS = (
    "Sai Krupa Apartments",
    "Green Glen Residency",
    "Lodha Paradise",
    "Prestige Shantiniketan",
    "Sobha Dream Acres",
    "DLF Park Place",
    "Hiranandani Gardens",
    "Brigade Metropolis",
    "Shanti Niketan Society",
    "Ashiana Homes",
    "Mahaveer Enclave",
    "Raheja Residency",
)
ROADS = (
    "MG Road",
    "Link Road",
    "4th Cross Road",
    "Station Road",
    "Main Road",
    "12th Main",
    "Ring Road",
)
CHANNELS = (
    ("FYND", 20),
    ("ECOMM", 18),
    ("MYNTRA_IN", 12),
    ("AMAZON_MLF", 10),
    ("FLIPKARTASSURED", 8),
    ("TATACLIQ_IN", 8),
    ("JIOMART", 8),
    ("ONDC", 6),
    ("FYND-STORE", 6),
    ("UNIKET", 4),
)
LOCATION_WEIGHTS = (("BHW-WH-01", 50), ("BLR-ST-01", 30), ("GGN-DS-01", 20))
SELF_SHIP_SHARE = {"BHW-WH-01": 0.05, "BLR-ST-01": 0.3, "GGN-DS-01": 0.25}
SELF_SHIP_COURIERS = ("Own Fleet", "Shiprocket", "Borzo", "Porter")
NOTES = ("", "", "", "", "Gift wrap requested", "Call before delivery", "Leave with security")

FORWARD = (
    "placed",
    "bag_confirmed",
    "bag_invoiced",
    "dp_assigned",
    "bag_packed",
    "bag_picked",
    "delivery_done",
)
# Hours between a state and the next one: (low, high).
STEP_HOURS: dict[str, tuple[float, float]] = {
    "bag_confirmed": (0.2, 6),
    "bag_invoiced": (0.5, 8),
    "dp_assigned": (0.1, 4),
    "bag_packed": (1, 12),
    "bag_picked": (2, 20),
    "delivery_done": (24, 96),
    "cancelled_customer": (0.1, 8),
    "cancelled_fynd": (0.5, 12),
    "cancelled_seller": (0.5, 12),
    "store_reassigned": (0.2, 3),
    "rto_bag_delivered": (72, 168),
    "rto_bag_accepted": (12, 72),
    "credit_note_generated": (2, 48),
    "return_dp_assigned": (0.5, 6),
    "return_bag_in_transit": (12, 48),
    "return_bag_delivered": (24, 96),
    "return_bag_accepted": (12, 72),
}
# Who causes each state (for the timeline) and the event name.
EVENT_OF: dict[str, tuple[str, str]] = {
    "placed": ("fynd", "order_placed"),
    "new": ("fynd", "order_placed"),
    "store_reassigned": ("fynd", "store_reassign"),
    "bag_confirmed": ("konnect", "confirm"),
    "bag_invoiced": ("konnect", "invoice"),
    "dp_assigned": ("fynd", "assign_courier"),
    "bag_packed": ("konnect", "pack"),
    "bag_picked": ("konnect", "dispatch"),
    "delivery_done": ("fynd", "deliver"),
    "cancelled_customer": ("fynd", "customer_cancel"),
    "cancelled_fynd": ("fynd", "fynd_cancel"),
    "cancelled_seller": ("konnect", "cancel"),
    "rto_bag_delivered": ("fynd", "rto"),
    "rto_bag_accepted": ("konnect", "qc_accept"),
    "credit_note_generated": ("konnect", "credit_note"),
    "return_initiated": ("fynd", "customer_return"),
    "return_dp_assigned": ("fynd", "assign_return_courier"),
    "return_bag_in_transit": ("fynd", "return_in_transit"),
    "return_bag_delivered": ("fynd", "return_deliver"),
    "return_bag_accepted": ("konnect", "qc_accept"),
}
# Age of the order (days) by the state it is seeded in: new orders are recent, delivered old.
AGE_DAYS: dict[str, tuple[float, float]] = {
    "placed": (0.02, 3.0),
    "new": (0.02, 1.0),
    "store_reassigned": (0.1, 2.0),
    "bag_confirmed": (0.2, 4.0),
    "bag_invoiced": (0.3, 4.0),
    "dp_assigned": (0.5, 5.0),
    "bag_packed": (0.5, 5.0),
    "bag_picked": (1.0, 7.0),
    "delivery_done": (4.0, 30.0),
    "cancelled": (0.5, 30.0),
    "rto": (9.0, 30.0),
    "returned": (8.0, 30.0),
}
SLA = timedelta(hours=48)


@dataclass
class SkuChoice:
    sku: str
    item_code: str
    name: str
    size: str
    mrp: Decimal
    esp: Decimal


@dataclass
class PlannedShipment:
    shipment: Shipment
    items: list[ShipmentItem] = field(default_factory=list)
    events: list[ShipmentEvent] = field(default_factory=list)


class Numbers:
    """Unique ids and invoice sequences for one seeding run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.shipments: set[str] = set()
        self.items: set[str] = set()
        self.invoice = 0
        self.credit_note = 0

    def shipment_id(self) -> str:
        while (candidate := ids.shipment_id(self.rng)) in self.shipments:
            pass
        self.shipments.add(candidate)
        return candidate

    def item_id(self) -> str:
        while (candidate := ids.item_id(self.rng)) in self.items:
            pass
        self.items.add(candidate)
        return candidate

    def invoice_number(self, location: str, at: datetime) -> str:
        self.invoice += 1
        return f"INV/{location[:3]}/{_fy(at)}/{self.invoice:05d}"

    def credit_note_number(self, location: str, at: datetime) -> str:
        self.credit_note += 1
        return f"CN/{location[:3]}/{_fy(at)}/{self.credit_note:05d}"


def _fy(at: datetime) -> str:
    """Indian financial year, April to March, e.g. 2526."""
    start = at.year if at.month >= 4 else at.year - 1
    return f"{start % 100:02d}{(start + 1) % 100:02d}"


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def masked_phone(rng: random.Random) -> str:
    return f"{rng.choice('6789')}{rng.randint(0, 9)}XXXXXX{rng.randint(10, 99)}"


def customer_address(rng: random.Random, name: str) -> dict[str, Any]:
    city, state, pincode, locality = rng.choice(PLACES)
    if rng.random() < 0.6:
        flat = f"{rng.randint(1, 24)}{rng.choice('ABCD')}0{rng.randint(1, 9)}"
        line1 = f"Flat {flat}, {rng.choice(BUILDINGS)}"
    else:
        line1 = f"{rng.randint(1, 480)}, {rng.choice(ROADS)}"
    return {
        "name": name,
        "phone": masked_phone(rng),
        "address1": line1,
        "address2": locality,
        "city": city,
        "state": state,
        "pincode": pincode,
        "country": "India",
    }


def _path(state: str, rng: random.Random) -> list[str]:
    """The states a forward shipment went through to reach `state`."""
    if state == "new":
        return ["new"]
    if state == "store_reassigned":
        return ["placed", "store_reassigned"]
    if state in FORWARD:
        return list(FORWARD[: FORWARD.index(state) + 1])
    if state == "cancelled_customer":
        return ["placed", "cancelled_customer"]
    if state == "cancelled_fynd":
        return [*FORWARD[: rng.randint(1, 2)], "cancelled_fynd"]
    if state == "cancelled_seller":
        return [*FORWARD[: rng.randint(1, 5)], "cancelled_seller"]
    rto_tail = {
        "rto_bag_delivered": ["rto_bag_delivered"],
        "rto_bag_accepted": ["rto_bag_delivered", "rto_bag_accepted"],
        "rto_credit_note": ["rto_bag_delivered", "rto_bag_accepted", "credit_note_generated"],
    }
    return list(FORWARD[:6]) + rto_tail[state]


def _age_key(state: str) -> str:
    if state.startswith("cancelled"):
        return "cancelled"
    if state.startswith("rto"):
        return "rto"
    return state


def _timeline(
    rng: random.Random, start: datetime, states: list[str], latest: datetime
) -> list[datetime]:
    """A time for each state, spaced by STEP_HOURS, squeezed so the last one is <= latest."""
    gaps = [0.0] + [rng.uniform(*STEP_HOURS.get(s, (0.5, 6))) for s in states[1:]]
    total = sum(gaps)
    room = (latest - start).total_seconds() / 3600
    scale = min(1.0, room / total) if total else 1.0
    times, hours = [], 0.0
    for gap in gaps:
        hours += gap * scale
        times.append(start + timedelta(hours=hours))
    return times


def build_shipment(
    rng: random.Random,
    numbers: Numbers,
    skus: list[SkuChoice],
    now: datetime,
    state: str,
    *,
    location: str | None = None,
    channel: str | None = None,
    self_ship: bool | None = None,
    order_date: datetime | None = None,
) -> PlannedShipment:
    """Plan a forward shipment that walked to `state` (or "rto_credit_note" for an RTO whose
    credit note was raised)."""
    location = location or _weighted(rng, LOCATION_WEIGHTS)
    channel = channel or _weighted(rng, CHANNELS)
    if self_ship is None:
        self_ship = rng.random() < SELF_SHIP_SHARE.get(location, 0.1)
    if state.startswith("rto"):
        self_ship = False  # seeded RTOs come back through Fynd's courier
    states = _path(state, rng)
    if order_date is None:
        low, high = AGE_DAYS[_age_key(state)]
        order_date = now - timedelta(days=rng.uniform(low, high))
    times = _timeline(rng, order_date, states, now - timedelta(minutes=5))
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    address = customer_address(rng, name)
    billing = address if rng.random() < 0.9 else customer_address(rng, name)
    final = states[-1]
    shipment = Shipment(
        shipment_id=numbers.shipment_id(),
        order_id=ids.order_id(rng),
        location_code=location,
        channel=channel,
        state=final,
        bucket=bucket_of(final),
        is_self_ship=self_ship,
        is_rto=final.startswith("rto") or "rto_bag_delivered" in states,
        order_date=order_date,
        sla=order_date + SLA,
        customer_name=name,
        shipping_address=address,
        billing_address=billing,
        additional_info=rng.choice(NOTES),
        updated_at=times[-1],
    )
    shipment.forward_id = shipment.shipment_id
    planned = PlannedShipment(shipment)
    _add_items(rng, numbers, skus, planned, final)
    esp_total = sum((i.esp * i.quantity for i in planned.items), Decimal(0))
    shipment.shipping_charge = Decimal(0) if esp_total >= 499 else Decimal(49)
    previous = states[0]
    for at, step in zip(times, states, strict=True):
        _apply_step(rng, numbers, planned, step, at, previous)
        previous = step
    return planned


def _add_items(
    rng: random.Random,
    numbers: Numbers,
    skus: list[SkuChoice],
    planned: PlannedShipment,
    state: str,
) -> None:
    count = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
    for position, choice in enumerate(rng.sample(skus, count)):
        planned.items.append(
            ShipmentItem(
                item_id=numbers.item_id(),
                position=position,
                sku=choice.sku,
                item_code=choice.item_code,
                name=choice.name,
                size=choice.size,
                quantity=rng.choices((1, 2), weights=(85, 15))[0],
                mrp=choice.mrp,
                esp=choice.esp,
                state=state,
            )
        )


def _event(
    planned: PlannedShipment, state: str, at: datetime, remark: str = "", location: str = ""
) -> None:
    source, event = EVENT_OF.get(state, ("fynd", state))
    s = planned.shipment
    if s.is_self_ship and state in ("bag_picked", "delivery_done"):
        source, event = "konnect", "status"
    planned.events.append(
        ShipmentEvent(
            state=state,
            event=event,
            source=source,
            remark=remark,
            location=location,
            request_id="seed",
            at=at,
        )
    )


def _apply_step(
    rng: random.Random,
    numbers: Numbers,
    planned: PlannedShipment,
    state: str,
    at: datetime,
    previous: str,
) -> None:
    """Set what reaching `state` leaves behind on the shipment, and record the event."""
    s = planned.shipment
    remark, where = "", ""
    if state == "bag_invoiced":
        s.invoice_number = numbers.invoice_number(s.location_code, at)
        s.marketplace_invoice_number = s.invoice_number
        s.packages = [default_package(s, planned.items)]
        remark = f"invoice {s.invoice_number}"
    elif state == "dp_assigned" and not s.is_self_ship:
        s.courier_name, s.courier_code = rng.choice(COURIERS)
        s.awb_number = str(rng.randrange(10**11, 10**12))
        remark = s.courier_name
    elif state == "bag_picked":
        where = f"{s.courier_name or 'Courier'} hub"
    elif state == "delivery_done":
        where = str(s.shipping_address["city"])
    elif state == "cancelled_seller":
        reason = rng.choice(CANCEL_REASONS[:4])
        for item in planned.items:
            item.reason_code = reason
    elif state == "credit_note_generated":
        s.credit_note_number = numbers.credit_note_number(s.location_code, at)
        remark = f"credit note {s.credit_note_number}"
    elif state == "rto_bag_delivered":
        remark = "Customer not reachable"
    if s.is_self_ship and not s.awb_number and state == "bag_picked":
        _self_ship_awb(rng, planned, at, previous)  # the seller pushed the AWB before pickup
    _event(planned, state, at, remark, where)
    pending_awb = s.is_self_ship and not s.awb_number and state in ("dp_assigned", "bag_packed")
    if pending_awb and rng.random() < 0.5:
        _self_ship_awb(rng, planned, at, state)


def _self_ship_awb(rng: random.Random, planned: PlannedShipment, at: datetime, state: str) -> None:
    s = planned.shipment
    s.courier_name = rng.choice(SELF_SHIP_COURIERS)
    s.courier_code = s.courier_name.lower().replace(" ", "-")
    s.awb_number = f"SS{rng.randrange(10**9, 10**10)}"
    planned.events.append(
        ShipmentEvent(
            state=state,
            event="awb",
            source="konnect",
            remark=f"AWB {s.awb_number} by {s.courier_name}",
            request_id="seed",
            at=at,
        )
    )


def build_return(
    rng: random.Random, numbers: Numbers, forward: PlannedShipment, state: str, now: datetime
) -> PlannedShipment:
    """Plan the return shipment of a delivered forward one, walked to `state`."""
    f = forward.shipment
    delivered_at = forward.events[-1].at
    chain = [
        "return_initiated",
        "return_dp_assigned",
        "return_bag_in_transit",
        "return_bag_delivered",
        "return_bag_accepted",
        "credit_note_generated",
    ]
    states = chain[: chain.index(state) + 1]
    start = delivered_at + timedelta(days=rng.uniform(1, 5))
    latest = now - timedelta(minutes=5)
    start = min(start, latest - timedelta(hours=1))
    times = _timeline(rng, start, states, latest)
    s = Shipment(
        shipment_id=numbers.shipment_id(),
        forward_id=f.shipment_id,
        order_id=f.order_id,
        marketplace_return_id=ids.return_id(rng),
        location_code=f.location_code,
        channel=f.channel,
        state=states[-1],
        bucket=bucket_of(states[-1]),
        is_self_ship=f.is_self_ship,
        is_return=True,
        order_date=f.order_date,
        sla=start + timedelta(days=7),
        customer_name=f.customer_name,
        shipping_address=f.shipping_address,
        billing_address=f.billing_address,
        shipping_charge=Decimal(0),
        return_reason=rng.choice(RETURN_REASONS),
        updated_at=times[-1],
    )
    planned = PlannedShipment(s)
    for n, item in enumerate(forward.items):
        planned.items.append(
            ShipmentItem(
                item_id=numbers.item_id(),
                position=n,
                sku=item.sku,
                item_code=item.item_code,
                name=item.name,
                size=item.size,
                quantity=item.quantity,
                mrp=item.mrp,
                esp=item.esp,
                state=states[-1],
            )
        )
    s.packages = [default_package(s, planned.items)]
    for at, step in zip(times, states, strict=True):
        remark = ""
        if step == "return_dp_assigned":
            if s.is_self_ship:
                remark = "awaiting the seller's AWB"
            else:
                s.courier_name, s.courier_code = rng.choice(COURIERS)
                s.awb_number = str(rng.randrange(10**11, 10**12))
                remark = s.courier_name
        elif step == "return_initiated":
            remark = s.return_reason or ""
        elif step == "return_bag_accepted":
            for item in planned.items:
                item.qc_reason = rng.choice(("", "", "", "tag_missing", "package_damaged"))
        elif step == "credit_note_generated":
            s.credit_note_number = numbers.credit_note_number(s.location_code, at)
            remark = f"credit note {s.credit_note_number}"
        _event(planned, step, at, remark)
    forward.events.append(
        ShipmentEvent(
            state=f.state,
            event="customer_return",
            source="fynd",
            remark=f"return shipment {s.shipment_id}",
            request_id="seed",
            at=times[0],
        )
    )
    return planned


def partially_cancel(rng: random.Random, planned: PlannedShipment, state: str, source: str) -> bool:
    """Cancel one bag of a multi-bag shipment (customer before confirmation, or seller)."""
    if len(planned.items) < 2:
        return False
    item = planned.items[-1]
    item.state = state
    item.reason_code = rng.choice(CANCEL_REASONS[:4]) if state == "cancelled_seller" else ""
    event = "customer_cancel_items" if source == "fynd" else "cancel_items"
    first = planned.events[0]
    # Between placement and the next step (the seller cancels a bag, then confirms the rest).
    nxt = planned.events[1].at if len(planned.events) > 1 else first.at + timedelta(hours=1)
    planned.events.insert(
        1,
        ShipmentEvent(
            state=first.state,
            event=event,
            source=source,
            remark=f"cancelled bags {item.item_id}",
            request_id="seed",
            at=first.at + (nxt - first.at) / 2,
        ),
    )
    planned.events.sort(key=lambda e: e.at)
    return True


def save_planned(planned: list[PlannedShipment]) -> None:
    """Insert shipments, bags and events with one bulk insert each."""
    Shipment.objects.bulk_create([p.shipment for p in planned], batch_size=500)
    by_id = dict(
        Shipment.objects.filter(
            shipment_id__in=[p.shipment.shipment_id for p in planned]
        ).values_list("shipment_id", "pk")
    )
    items, events = [], []
    for p in planned:
        pk = by_id[p.shipment.shipment_id]
        for item in p.items:
            item.shipment_id = pk
            items.append(item)
        for event in p.events:
            event.shipment_id = pk
            events.append(event)
    ShipmentItem.objects.bulk_create(items, batch_size=1000)
    ShipmentEvent.objects.bulk_create(events, batch_size=1000)
