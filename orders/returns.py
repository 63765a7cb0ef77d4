"""Returns and RTOs: the returns queue, the reads of the return page, and its two steps.

The returns queue is the shipment queue's cache and filters (`queue_base`: location scope,
channel, dates, shipping) restricted to the RETURNS lane and split into lanes by Fynd state
(workflow.RETURN_LANES), plus the local QC decision for the "Rejected at QC" lane.

The steps go through `shipment_action_start` like every forward action, so they are Jobs with
an AuditEvent, a per-shipment JobItem result, the double-send guard and the read-back:

    qc_accept    POST oms/v3/shipment/return with each item's reference 13.2 reasonCode
                 (empty = GOOD condition): return_bag_accepted / rto_bag_accepted.
    qc_reject    no Konnect call exists for a rejection (reference 8.2, contract 6): the
                 decision is recorded by the dashboard and the return stays delivered on
                 Konnect, in the "Rejected at QC" lane.
    credit_note  invoiceUpdate with invoiceType "return" (reference 8.3), only for an accepted
                 return; its number goes to Konnect, its date is kept by the dashboard.

The QC record (decision, condition and note per item) and its photos are stored in the same
transaction as the Job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Prefetch, Q, QuerySet

from konnect_admin.models import Job, JobItem
from orders import workflow
from orders.models import ReturnCheck, ReturnItemCheck, ReturnPhoto, Shipment
from orders.photos import ImageInfo
from orders.selectors import (
    COUNT_CAP,
    LIST_COLUMNS,
    PER_PAGE,
    KeysetPage,
    LaneCount,
    QueueFilters,
    capped_counts,
    keyset_page,
    location_scope,
    queue_base,
    shipments_visible_to,
)
from orders.services import ActionStarted, _audit_denied, shipment_action_start

RETURNS_LANE = "RETURNS"
KINDS = (("", "Returns and RTOs"), ("return", "Customer returns"), ("rto", "RTOs"))
RETURN_COLUMNS = (
    *LIST_COLUMNS,
    "forward_id",
    "return_id",
    "return_reason",
    "return_qc",
    "credit_note_number",
    "credit_note_date",
)


# --- the queue ---------------------------------------------------------------------------------


def returns_base(*, user: Any, filters: QueueFilters, kind: str = "") -> QuerySet[Shipment]:
    """Every filter of the shipment queue but the lane (and SLA breach, a forward notion)."""
    qs = queue_base(user=user, filters=replace(filters, breached=False)).filter(lane=RETURNS_LANE)
    if kind == "rto":
        qs = qs.filter(is_rto=True)
    elif kind == "return":
        qs = qs.filter(is_return=True)
    return qs


def _in_lane(qs: QuerySet[Shipment], lane: workflow.ReturnLane) -> QuerySet[Shipment]:
    qs = qs.filter(state__in=lane.states)
    if lane.qc == "rejected":
        qs = qs.filter(return_qc=workflow.QC_REJECTED)
    elif lane.qc == "open":
        qs = qs.exclude(return_qc=workflow.QC_REJECTED)
    return qs


def return_queue(
    *,
    user: Any,
    filters: QueueFilters,
    kind: str = "",
    after: str = "",
    before: str = "",
    per_page: int = PER_PAGE,
) -> KeysetPage:
    """One keyset page of a returns lane (or exact-id search results over every lane)."""
    qs = returns_base(user=user, filters=filters, kind=kind).only(*RETURN_COLUMNS)
    if filters.q:
        q = filters.q.strip()
        found = qs.filter(
            Q(shipment_id=q)
            | Q(forward_id=q)
            | Q(order_id=q.upper())
            | Q(awb_number=q)
            | Q(return_id=q)
        )
        rows = list(found.order_by("-order_date", "-id")[:per_page])
        return KeysetPage(rows=rows, per_page=per_page, search=True)
    lane = (
        workflow.RETURN_LANE_BY_KEY.get(filters.lane)
        or workflow.RETURN_LANE_BY_KEY[workflow.DEFAULT_RETURN_LANE]
    )
    return keyset_page(
        _in_lane(qs, lane), order=lane.order, after=after, before=before, per_page=per_page
    )


def return_lane_counts(
    *, user: Any, filters: QueueFilters, kind: str = "", cap: int = COUNT_CAP
) -> list[LaneCount]:
    base = returns_base(user=user, filters=filters, kind=kind)
    found = capped_counts([(lane.key, _in_lane(base, lane)) for lane in workflow.RETURN_LANES], cap)
    return [
        LaneCount(lane.key, lane.label, found.get(lane.key, 0), found.get(lane.key, 0) >= cap)
        for lane in workflow.RETURN_LANES
    ]


# --- the return page ----------------------------------------------------------------------------


def return_get(*, user: Any, shipment_id: str) -> Shipment | None:
    """A return or RTO the user may see (None: unknown, another location's, or a forward
    shipment that never came back: a 404 either way)."""
    shipment = (
        shipments_visible_to(user)
        .select_related("pending_job")
        .prefetch_related("items")
        .filter(shipment_id=shipment_id)
        .first()
    )
    if shipment is None or not workflow.is_return_flow(shipment):
        return None
    return shipment


def forward_of(*, user: Any, shipment: Shipment) -> Shipment | None:
    """The forward shipment a customer return came from, if it is in the cache and visible."""
    if not shipment.is_return or shipment.forward_id == shipment.shipment_id:
        return None
    return (
        shipments_visible_to(user)
        .only("shipment_id", "state", "order_date", "invoice_number", "awb_number")
        .filter(shipment_id=shipment.forward_id)
        .first()
    )


def return_checks(*, shipment: Shipment, limit: int = 10) -> list[ReturnCheck]:
    """The QC passes of a return, newest first, with their lines and photos."""
    return list(
        shipment.return_checks.select_related("job")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ReturnItemCheck.objects.prefetch_related(
                    Prefetch("photos", queryset=ReturnPhoto.objects.only("pk", "line_id"))
                ),
            )
        )
        .order_by("-created_at", "-id")[:limit]
    )


def standing_check(checks: list[ReturnCheck]) -> ReturnCheck | None:
    """The QC that stands: the newest one Konnect did not refuse."""
    return next((c for c in checks if c.status != ReturnCheck.Status.REFUSED), None)


def return_job_items(*, shipment: Shipment, limit: int = 20) -> list[JobItem]:
    """What our Jobs did to this shipment (returns steps and forward actions), newest first."""
    kinds = [*workflow.RETURN_JOB_KINDS, *workflow.JOB_KINDS]
    return list(
        JobItem.objects.filter(key=shipment.shipment_id, job__kind__in=kinds)
        .select_related("job", "job__created_by")
        .order_by("-job__created_at", "-id")[:limit]
    )


def photo_get(*, user: Any, photo_id: int) -> ReturnPhoto | None:
    """A QC photo of a shipment the user may see (None otherwise: a 404)."""
    photo = ReturnPhoto.objects.select_related("shipment").filter(pk=photo_id).first()
    if photo is None:
        return None
    codes = location_scope(user)
    if codes is not None and photo.shipment.location_code not in codes:
        return None
    return photo


# --- the steps ----------------------------------------------------------------------------------


@dataclass
class QcLine:
    """The decision on one item, as the QC form cleaned it."""

    order_item_id: str
    decision: str  # "accept" | "reject"
    reason_code: str = ""  # a reference 13.2 slug; "" = GOOD condition
    note: str = ""
    photos: list[tuple[UploadedFile, ImageInfo]] = field(default_factory=list)


def return_qc_start(
    *, user: Any, shipment_id: str, lines: list[QcLine], request: Any = None
) -> ActionStarted:
    """Store the QC of a return as a Job: an acceptance when every item is accepted (sent to
    Konnect), a rejection when any item is rejected (recorded here only). The QC record and
    its photos are written in the Job's transaction; raises ActionRefused."""
    rejected = any(line.decision == "reject" for line in lines)
    action = "qc_reject" if rejected else "qc_accept"
    options = {
        "lines": [
            {
                "order_item_id": line.order_item_id,
                "decision": line.decision,
                "reason_code": line.reason_code,
                "photos": len(line.photos),
                "note": bool(line.note),
            }
            for line in lines
        ]
    }
    written: list[str] = []

    def keep(job: Job, accepted: list[str]) -> None:
        shipment = Shipment.objects.prefetch_related("items").get(shipment_id=shipment_id)
        authenticated = getattr(user, "is_authenticated", False)
        check = ReturnCheck.objects.create(
            shipment=shipment,
            job=job,
            outcome=ReturnCheck.Outcome.REJECTED if rejected else ReturnCheck.Outcome.ACCEPTED,
            checked_by=user if authenticated else None,
            checked_by_name=user.get_username() if authenticated else "system",
        )
        items = {i.order_item_id: i for i in shipment.items.all()}
        for position, line in enumerate(lines):
            item = items[line.order_item_id]
            row = ReturnItemCheck.objects.create(
                qc=check,
                position=position,
                order_item_id=item.order_item_id,
                sku=item.sku,
                name=item.name,
                quantity=item.quantity,
                decision=line.decision,
                reason_code=line.reason_code,
                note=line.note,
            )
            for upload, info in line.photos:
                upload.seek(0)
                photo = ReturnPhoto(
                    line=row,
                    shipment=shipment,
                    content_type=info.content_type,
                    size=int(upload.size or 0),
                    width=info.width,
                    height=info.height,
                    uploaded_by=user if authenticated else None,
                )
                photo.image.save(f"qc.{info.ext}", upload, save=False)
                written.append(photo.image.name)
                photo.save()

    try:
        return shipment_action_start(
            user=user,
            action=action,
            shipment_ids=[shipment_id],
            options=options,
            request=request,
            after_store=keep,
        )
    except Exception:
        for name in written:  # the transaction rolled back: no row points at these files
            default_storage.delete(name)
        raise


def return_credit_note_start(
    *, user: Any, shipment_id: str, number: str, when: date, request: Any = None
) -> ActionStarted:
    """Store the credit note of an accepted return as a Job; raises ActionRefused."""
    return shipment_action_start(
        user=user,
        action="credit_note",
        shipment_ids=[shipment_id],
        options={"credit_note_number": number.strip(), "credit_note_date": when.isoformat()},
        request=request,
    )


def return_step_refused(
    *, user: Any, spec: workflow.ActionSpec, shipment_id: str, reason: str, request: Any = None
) -> None:
    """Audit a step refused before anything was stored (a button that is not there, posted)."""
    _audit_denied(user, spec, [shipment_id], [(shipment_id, reason)], request, "ui")
