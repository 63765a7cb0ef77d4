"""The shipment state machine as the dashboard sees it, in one place.

It mirrors docs/konnect-contract.md sections 6-7 (and reference section 9): Fynd states, the
Konnect buckets they fall in, and for each action the states it is allowed in. The queue and
the detail page offer exactly the actions `actions_for()` returns; the action service refuses
anything else with `refusal()`'s sentence, so a crafted POST gets the same answer as a button
that is not there. Konnect stays the judge: whatever it refuses comes back per shipment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

CREATED_STATES = ("placed", "new", "store_reassigned")
CANCELLED_STATES = ("cancelled_customer", "cancelled_fynd", "cancelled_seller")

BUCKET_STATES: dict[str, tuple[str, ...]] = {
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
STATE_BUCKET = {state: bucket for bucket, states in BUCKET_STATES.items() for state in states}
# Buckets a sync fetches (RETURN_COMPLETED is an alias of RETURN_ACCEPTED in the contract).
SYNC_BUCKETS = tuple(BUCKET_STATES)
RETURN_BUCKETS = (
    "RETURN_PROCESSING",
    "RETURN_DELIVERED",
    "RETURN_ACCEPTED",
    "CREDIT_NOTE_GENERATED",
)

PARTIAL_CANCELLABLE = (*CREATED_STATES, "bag_confirmed")
WHOLE_CANCELLABLE = (*PARTIAL_CANCELLABLE, "bag_invoiced", "dp_assigned", "bag_packed")
PACKED_OR_LATER = (
    "bag_packed",
    "bag_picked",
    "delivery_done",
    "rto_bag_delivered",
    "rto_bag_accepted",
    "credit_note_generated",
)
# How far along the forward flow a state is: an action has taken effect once the shipment is
# at least as far as the action's target (used to read back after an ambiguous send).
FORWARD_RANK: dict[str, int] = {
    **dict.fromkeys(CREATED_STATES, 0),
    "bag_confirmed": 1,
    "bag_invoiced": 2,
    "dp_assigned": 3,
    "bag_packed": 4,
    "bag_picked": 5,
    "delivery_done": 6,
    "rto_bag_delivered": 6,
    "rto_bag_accepted": 7,
    "credit_note_generated": 8,
}

STATE_LABELS: dict[str, str] = {
    "placed": "New",
    "new": "New",
    "store_reassigned": "New (reassigned)",
    "bag_confirmed": "Confirmed",
    "bag_invoiced": "Invoiced, awaiting courier",
    "dp_assigned": "Courier assigned",
    "bag_packed": "Packed",
    "bag_picked": "In transit",
    "delivery_done": "Delivered",
    "cancelled_customer": "Cancelled by customer",
    "cancelled_fynd": "Cancelled by Fynd",
    "cancelled_seller": "Cancelled by us",
    "return_initiated": "Return initiated",
    "return_dp_assigned": "Return courier assigned",
    "return_bag_in_transit": "Return in transit",
    "return_bag_delivered": "Return delivered",
    "rto_bag_delivered": "RTO delivered",
    "return_bag_accepted": "Return accepted",
    "rto_bag_accepted": "RTO accepted",
    "credit_note_generated": "Credit note raised",
}


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state.replace("_", " ").capitalize())


def bucket_of(state: str, fallback: str = "") -> str:
    return STATE_BUCKET.get(state, fallback)


# --- lanes of the queue --------------------------------------------------------------------


@dataclass(frozen=True)
class Lane:
    key: str
    label: str
    buckets: tuple[str, ...]
    order: str  # "due": most urgent first (SLA ascending); "recent": newest order first
    work: bool  # the warehouse still has to act: an SLA in the past is a breach


LANES: tuple[Lane, ...] = (
    Lane("CREATED", "To confirm", ("CREATED",), "due", True),
    Lane("CONFIRMED", "To invoice", ("CONFIRMED",), "due", True),
    Lane("PROCESSING", "To pack", ("PROCESSING",), "due", True),
    Lane("COMPLETED", "To dispatch", ("COMPLETED",), "due", True),
    Lane("TRANSIT", "In transit", ("TRANSIT",), "recent", False),
    Lane("DELIVERED", "Delivered", ("DELIVERED",), "recent", False),
    Lane("CANCELLED", "Cancelled", ("CANCELLED",), "recent", False),
    Lane("RETURNS", "Returns & RTO", RETURN_BUCKETS, "recent", False),
)
LANE_BY_KEY = {lane.key: lane for lane in LANES}
LANE_OF_BUCKET = {bucket: lane.key for lane in LANES for bucket in lane.buckets}
DEFAULT_LANE = "CREATED"
WORK_LANES = tuple(lane.key for lane in LANES if lane.work)


def lane_of(bucket: str) -> str:
    return LANE_OF_BUCKET.get(bucket, "RETURNS" if bucket.startswith("RETURN") else bucket[:16])


# --- reference data of the actions ------------------------------------------------------------

CANCEL_REASONS: tuple[tuple[str, str], ...] = (  # reference 13.1
    ("6", "Out of stock"),
    ("8", "Price mismatch"),
    ("9", "Damaged product"),
    ("7", "Product not as per description"),
    ("NA", "Store permanently closed"),
)
CANCEL_REASON_LABELS = dict(CANCEL_REASONS)
CHANNELS: tuple[tuple[str, str], ...] = (  # reference 12 plus the two used in examples
    ("FYND", "Fynd"),
    ("FYND-STORE", "Fynd StoreOS"),
    ("ECOMM", "Own website"),
    ("AMAZON_MLF", "Amazon MLF"),
    ("MYNTRA_IN", "Myntra"),
    ("FLIPKARTASSURED", "Flipkart Assured"),
    ("TATACLIQ_IN", "Tata CLiQ"),
    ("JIOMART", "JioMart"),
    ("ONDC", "ONDC"),
    ("UNIKET", "Uniket"),
)
CHANNEL_LABELS = dict(CHANNELS)


# --- actions ---------------------------------------------------------------------------------


class ShipmentLike(Protocol):
    shipment_id: str
    state: str
    is_self_ship: bool
    is_return: bool
    is_rto: bool
    awb_number: str
    lock_status: bool
    return_qc: str


@dataclass(frozen=True)
class ActionSpec:
    name: str
    label: str  # the button
    doing: str  # shown while it runs: "Confirming"
    job_kind: str
    states: tuple[str, ...]
    needs: str  # what the shipment must be, in words, for the refusal sentence
    target: str = ""  # the Fynd state it leads to ("" when the state does not change)
    self_ship: bool | None = None  # True: self-ship only; False: channel shipping only
    needs_awb: bool = False
    no_awb: bool = False
    bulk: bool = True  # offered on the queue for selected rows
    writes: bool = True  # False: a read (courier details, PDFs): nothing to reconcile
    danger: bool = False
    primary: bool = False
    returns: bool = False  # a step of the returns flow (QC, credit note): MANAGE_RETURNS
    local: bool = False  # recorded by the dashboard only: no Konnect call exists for it

    @property
    def audit_action(self) -> str:
        return f"{'return' if self.returns else 'shipment'}.{self.name}"


ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec(
            "confirm",
            "Confirm",
            "Confirming",
            "shipment_confirm",
            CREATED_STATES,
            "new (not yet confirmed)",
            target="bag_confirmed",
            primary=True,
        ),
        ActionSpec(
            "cancel",
            "Cancel shipment",
            "Cancelling",
            "shipment_cancel",
            WHOLE_CANCELLABLE,
            "not yet dispatched",
            target="cancelled_seller",
            danger=True,
        ),
        ActionSpec(
            "cancel_items",
            "Cancel items",
            "Cancelling items",
            "shipment_cancel",
            PARTIAL_CANCELLABLE,
            "new or confirmed (items can only be cancelled before invoicing)",
            bulk=False,
            danger=True,
        ),
        ActionSpec(
            "invoice",
            "Invoice",
            "Invoicing",
            "shipment_invoice",
            ("bag_confirmed",),
            "confirmed",
            target="bag_invoiced",
            bulk=False,
            primary=True,
        ),
        ActionSpec(
            "pack",
            "Pack",
            "Packing",
            "shipment_pack",
            ("dp_assigned",),
            "invoiced with a courier assigned",
            target="bag_packed",
            primary=True,
        ),
        ActionSpec(
            "dispatch",
            "Dispatch",
            "Dispatching",
            "shipment_dispatch",
            ("bag_packed",),
            "packed",
            target="bag_picked",
            primary=True,
        ),
        ActionSpec(
            "courier_details",
            "Courier details",
            "Fetching courier details",
            "shipment_courier_details",
            ("bag_invoiced", "dp_assigned", "bag_packed", "bag_picked"),
            "invoiced (channel shipping)",
            self_ship=False,
            writes=False,
        ),
        ActionSpec(
            "labels",
            "Print labels",
            "Preparing labels",
            "shipment_documents",
            PACKED_OR_LATER,
            "packed",
            writes=False,
        ),
        ActionSpec(
            "invoices",
            "Print invoices",
            "Preparing invoices",
            "shipment_documents",
            PACKED_OR_LATER,
            "packed",
            writes=False,
        ),
        ActionSpec(
            "awb",
            "Enter AWB",
            "Sending the AWB",
            "shipment_awb",
            ("dp_assigned", "bag_packed"),
            "self-ship with a courier slot (invoiced) and no AWB yet",
            self_ship=True,
            no_awb=True,
            bulk=False,
            primary=True,
        ),
        ActionSpec(
            "mark_picked",
            "Mark picked up",
            "Marking picked up",
            "shipment_status",
            ("dp_assigned", "bag_packed"),
            "self-ship with an AWB, not yet picked up",
            target="bag_picked",
            self_ship=True,
            needs_awb=True,
        ),
        ActionSpec(
            "mark_delivered",
            "Mark delivered",
            "Marking delivered",
            "shipment_status",
            ("bag_picked",),
            "self-ship and in transit",
            target="delivery_done",
            self_ship=True,
            primary=True,
        ),
        ActionSpec(
            "mark_rto_delivered",
            "Mark RTO delivered",
            "Marking RTO delivered",
            "shipment_status",
            ("bag_picked",),
            "self-ship and in transit",
            target="rto_bag_delivered",
            self_ship=True,
            danger=True,
        ),
    )
}
STATUS_PUSHES = {"mark_picked", "mark_delivered", "mark_rto_delivered"}
JOB_KINDS: dict[str, str] = {
    "shipment_confirm": "Shipment confirm",
    "shipment_cancel": "Shipment cancel",
    "shipment_invoice": "Shipment invoice",
    "shipment_pack": "Shipment pack",
    "shipment_dispatch": "Shipment dispatch",
    "shipment_courier_details": "Courier details",
    "shipment_documents": "Shipment documents (PDF)",
    "shipment_awb": "Self-ship AWB",
    "shipment_status": "Self-ship status",
}


def refusal(spec: ActionSpec, shipment: ShipmentLike | None, *, shipment_id: str = "") -> str:
    """Why `spec` cannot be applied to `shipment` now ("" when it can)."""
    if shipment is None:
        return f"Shipment {shipment_id} was not found at your locations."
    if spec.returns:
        return return_refusal(spec, shipment)
    sid = shipment.shipment_id
    what = f"{spec.label} is not possible for shipment {sid}"
    if shipment.is_return:
        return f"{what}: it is a return shipment (returns are handled in the returns queue)."
    if shipment.lock_status and spec.writes:
        return f"{what}: Konnect reports it locked. Refresh it and try again later."
    if spec.self_ship is True and not shipment.is_self_ship:
        return f"{what}: it is shipped by Fynd's courier, not self-ship."
    if spec.self_ship is False and shipment.is_self_ship:
        return f"{what}: it is self-ship (enter the AWB instead)."
    if shipment.state not in spec.states:
        return (
            f"{what}: it must be {spec.needs}, but it is {state_label(shipment.state)}"
            f" ({shipment.state})."
        )
    if spec.needs_awb and not shipment.awb_number:
        return f"{what}: enter its AWB first."
    if spec.no_awb and shipment.awb_number:
        return f"{what}: it already has AWB {shipment.awb_number}."
    if spec.name == "dispatch" and shipment.is_self_ship and not shipment.awb_number:
        return f"{what}: a self-ship shipment needs its AWB before dispatch."
    return ""


def actions_for(shipment: ShipmentLike) -> list[ActionSpec]:
    """The actions the state machine allows for `shipment` now, in button order."""
    return [spec for spec in ACTIONS.values() if not refusal(spec, shipment)]


def lane_actions(lane: str) -> list[ActionSpec]:
    """Bulk actions worth a button on a lane (each row is still checked on submit)."""
    states = {s for b in LANE_BY_KEY[lane].buckets for s in BUCKET_STATES.get(b, ())}
    return [
        spec
        for spec in ACTIONS.values()
        if spec.bulk and states & set(spec.states) and spec.self_ship is not True
    ]


# --- reading back: has an action taken effect? --------------------------------------------------


def has_taken_effect(
    spec: ActionSpec, remote: Mapping[str, Any], payload: Mapping[str, Any]
) -> bool:
    """After an ambiguous send: does Konnect's copy of the shipment show the action applied?"""
    state = str(remote.get("shipmentStatus") or "")
    record = payload.get("record") or {}
    if spec.returns:
        return _return_taken_effect(spec, state, remote, record)
    if spec.name == "cancel":
        return state == "cancelled_seller"
    if spec.name == "cancel_items":
        bags = {str(i.get("orderItemId")): i for i in remote.get("orderItems") or []}
        for line in record.get("orderItems") or []:
            bag = bags.get(str(line.get("orderItemId")))
            was = int((payload.get("quantities") or {}).get(str(line.get("orderItemId")), 0))
            if bag is None:
                return False
            cancelled = str(bag.get("status") or "") in CANCELLED_STATES
            if not cancelled and int(bag.get("quantity") or 0) >= was:
                return False
        return True
    if spec.name == "invoice":
        return str(remote.get("invoiceNumber") or "") == str(record.get("invoiceNumber") or "")
    if spec.name == "awb":
        return str(record.get("awbNumber")) in [str(a) for a in remote.get("awbNumber") or []]
    if spec.target:
        if spec.target == "rto_bag_delivered":
            return state in ("rto_bag_delivered", "rto_bag_accepted", "credit_note_generated")
        if state in CANCELLED_STATES or state not in FORWARD_RANK:
            return False
        return FORWARD_RANK[state] >= FORWARD_RANK[spec.target]
    return False


# --- returns and RTOs: quality check and credit note (reference 8, 9.6-9.7; contract 6) ---------

RETURN_PROCESSING_STATES = BUCKET_STATES["RETURN_PROCESSING"]
DELIVERED_BACK = BUCKET_STATES["RETURN_DELIVERED"]  # back at our location, QC to do
ACCEPTED_STATES = BUCKET_STATES["RETURN_ACCEPTED"]  # QC accepted, credit note to raise
RETURN_FLOW_STATES = (
    *RETURN_PROCESSING_STATES,
    *DELIVERED_BACK,
    *ACCEPTED_STATES,
    "credit_note_generated",
)
# The bucket of accepted returns has two names in the reference (section 14, item 4): the QC
# page says RETURN_ACCEPTED, the credit-note page RETURN_COMPLETED. The contract (section 7)
# chose RETURN_ACCEPTED and accepts RETURN_COMPLETED as an alias, so the sync fetches only
# RETURN_ACCEPTED (never both: the same rows twice) and a payload naming RETURN_COMPLETED is
# read as the same bucket. The returns lanes go by the Fynd state, which has one name.
BUCKET_ALIASES = {"RETURN_COMPLETED": "RETURN_ACCEPTED"}

# A QC decision recorded by the dashboard on the shipment row (Konnect has no field for it).
QC_ACCEPTED = "accepted"
QC_REJECTED = "rejected"

# Reference 13.2: an empty reason is GOOD condition; the qualifiers map to Fynd reason slugs.
QC_GOOD = "GOOD"
QC_REASONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "BAD",
        (
            ("tag_missing", "Tag missing"),
            ("package_damaged", "Package damaged"),
            ("refinish_damaged", "Damaged, can be refinished"),
            ("refinish_for_pressing", "Needs pressing"),
            ("seal_opened", "Seal opened"),
            ("wrong_product_received", "Wrong product received"),
        ),
    ),
    (
        "MISSING",
        (
            ("lost", "Lost"),
            ("short_received", "Short received"),
            ("empty_box_received", "Empty box received"),
            ("free_gift_missing", "Free gift missing"),
            ("component_missing", "Component missing"),
        ),
    ),
    ("UGLY", (("fully_damaged", "Fully damaged"),)),
)
QC_QUALIFIER = {slug: qualifier for qualifier, slugs in QC_REASONS for slug, _ in slugs}
QC_REASON_LABELS = {slug: label for _, slugs in QC_REASONS for slug, label in slugs}


def qc_reason_label(slug: str) -> str:
    """ "Good condition", or "BAD · Tag missing"."""
    if not slug:
        return "Good condition"
    return f"{QC_QUALIFIER.get(slug, '?')} · {QC_REASON_LABELS.get(slug, slug)}"


def is_return_flow(shipment: ShipmentLike) -> bool:
    """A customer return shipment, or a forward shipment that came back (RTO)."""
    return shipment.is_return or shipment.is_rto or shipment.state in RETURN_FLOW_STATES


RETURN_ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec(
            "qc_accept",
            "Accept return",
            "Accepting the return",
            "return_qc",
            DELIVERED_BACK,
            "delivered back to you (Return delivered or RTO delivered)",
            target="return_bag_accepted",  # rto_bag_accepted for an RTO (see qc_target)
            bulk=False,
            primary=True,
            returns=True,
        ),
        ActionSpec(
            "qc_reject",
            "Reject return",
            "Recording the rejection",
            "return_qc_reject",
            DELIVERED_BACK,
            "delivered back to you (Return delivered or RTO delivered)",
            bulk=False,
            danger=True,
            returns=True,
            local=True,
        ),
        ActionSpec(
            "credit_note",
            "Raise credit note",
            "Raising the credit note",
            "return_credit_note",
            ACCEPTED_STATES,
            "accepted at quality check first (Return accepted or RTO accepted)",
            target="credit_note_generated",
            bulk=False,
            primary=True,
            returns=True,
        ),
    )
}
RETURN_JOB_KINDS: dict[str, str] = {
    "return_qc": "Return QC accept",
    "return_qc_reject": "Return QC reject (kept in the dashboard)",
    "return_credit_note": "Return credit note",
}


def spec_named(name: str) -> ActionSpec | None:
    """A forward action or a returns step by its name."""
    return ACTIONS.get(name) or RETURN_ACTIONS.get(name)


def qc_target(state: str) -> str:
    return "rto_bag_accepted" if state == "rto_bag_delivered" else "return_bag_accepted"


def return_refusal(spec: ActionSpec, shipment: ShipmentLike) -> str:
    """Why the returns step `spec` cannot be taken for `shipment` now ("" when it can)."""
    sid = shipment.shipment_id
    what = f"{spec.label} is not possible for shipment {sid}"
    if not is_return_flow(shipment):
        return f"{what}: it is not a return or an RTO ({state_label(shipment.state)})."
    if shipment.lock_status and not spec.local:
        return f"{what}: Konnect reports it locked. Refresh it and try again later."
    rejected = shipment.return_qc == QC_REJECTED and shipment.state in DELIVERED_BACK
    if spec.name == "credit_note" and rejected:
        return (
            f"{what}: it was rejected at quality check, and a credit note is raised only for"
            " an accepted return. Accept it first if the rejection no longer stands."
        )
    if shipment.state not in spec.states:
        return (
            f"{what}: it must be {spec.needs}, but it is {state_label(shipment.state)}"
            f" ({shipment.state})."
        )
    if spec.name == "qc_reject" and rejected:
        return f"{what}: it is already rejected at quality check."
    return ""


def return_actions_for(shipment: ShipmentLike) -> list[ActionSpec]:
    """The returns steps allowed for `shipment` now, in button order."""
    return [spec for spec in RETURN_ACTIONS.values() if not return_refusal(spec, shipment)]


def _return_taken_effect(
    spec: ActionSpec, state: str, remote: Mapping[str, Any], record: Mapping[str, Any]
) -> bool:
    if spec.name == "qc_accept":
        return state in (*ACCEPTED_STATES, "credit_note_generated")
    if spec.name == "credit_note":
        number = str(record.get("invoiceNumber") or "")
        return state == "credit_note_generated" and str(remote.get("creditNoteNumber")) == number
    return False


@dataclass(frozen=True)
class ReturnLane:
    key: str
    label: str
    states: tuple[str, ...]
    order: str  # "oldest": oldest order first (work waiting longest); "recent": newest first
    qc: str = ""  # "rejected": only returns rejected at QC; "open": all but those
    work: bool = False


RETURN_LANES: tuple[ReturnLane, ...] = (
    ReturnLane("TO_CHECK", "To check", DELIVERED_BACK, "oldest", qc="open", work=True),
    ReturnLane("ACCEPTED", "Accepted · credit note due", ACCEPTED_STATES, "oldest", work=True),
    ReturnLane("COMPLETED", "Completed · credit note raised", ("credit_note_generated",), "recent"),
    ReturnLane("REJECTED", "Rejected at QC", DELIVERED_BACK, "recent", qc="rejected"),
    ReturnLane("COMING", "On the way back", RETURN_PROCESSING_STATES, "recent"),
)
RETURN_LANE_BY_KEY = {lane.key: lane for lane in RETURN_LANES}
DEFAULT_RETURN_LANE = "TO_CHECK"


def return_lane_of(shipment: ShipmentLike) -> str:
    for lane in RETURN_LANES:
        if shipment.state not in lane.states:
            continue
        rejected = shipment.return_qc == QC_REJECTED
        if (lane.qc == "rejected" and not rejected) or (lane.qc == "open" and rejected):
            continue
        return lane.key
    return ""
