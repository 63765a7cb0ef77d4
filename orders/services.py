"""Shipment writes as the views call them: each stores a Job (the outbox) and returns it.

The double-send guard lives here: the affected rows are locked (`select_for_update`; SQLite's
IMMEDIATE transactions serialise the same way), checked against the state machine and against
an action already in flight, and marked pending in the same transaction that stores the Job.
A double click, a retried POST or two people on the same shipment therefore get one Job; the
second request is refused with the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from konnect_admin.audit import audit_record
from konnect_admin.jobs.services import job_create
from konnect_admin.konnect import OMS_WRITE_LIMIT
from konnect_admin.models import AuditEvent, Job, JobItem
from orders import workflow
from orders.actions import DOCUMENTS_KIND, REFRESH_KIND
from orders.models import SavedView, Shipment, ShipmentDocument
from orders.selectors import open_job, shipments_visible_to
from orders.sync import shipment_sync_start

__all__ = [
    "ActionRefused",
    "ActionStarted",
    "saved_view_delete",
    "saved_view_save",
    "shipment_action_start",
    "shipment_refresh_start",
    "shipment_sync_start",
]

MAX_PER_REQUEST = 500
SUMMARY_OPTIONS = (  # the options kept on the Job and its AuditEvent
    "reason_code",
    "invoice_number",
    "awb_number",
    "courier_name",
    "auto_dispatch",
    "credit_note_number",
    "credit_note_date",
    "lines",
)
REFRESH_FRESH_FOR = timedelta(minutes=2)
REFRESH_MIN_GAP = timedelta(seconds=30)
DOCUMENT_RETENTION = timedelta(days=3)


class ActionRefused(Exception):
    """Nothing of the request can be done; `refusals` says why, per shipment."""

    def __init__(self, message: str, refusals: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.refusals = list(refusals)


@dataclass
class ActionStarted:
    job: Job
    accepted: list[str]
    refused: list[tuple[str, str]] = field(default_factory=list)


def _unique(ids: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for raw in ids:
        sid = str(raw).strip()
        if sid:
            seen.setdefault(sid, None)
    return list(seen)


def _record(
    spec: workflow.ActionSpec, shipment: Shipment, options: Mapping[str, Any]
) -> dict[str, Any]:
    """The payload of one JobItem: the exact wire record plus what the read-back needs."""
    sid = shipment.shipment_id
    payload: dict[str, Any] = {"location": shipment.location_code, "state": shipment.state}
    record: dict[str, Any] = {"orderId": sid}
    if spec.name in ("cancel", "cancel_items"):
        reason = str(options["reason_code"])
        active = [i for i in shipment.items.all() if not i.is_cancelled]
        chosen = options.get("items") or {i.order_item_id: i.quantity for i in active}
        record["orderItems"] = [
            {
                "orderItemId": i.order_item_id,
                "quantity": int(chosen[i.order_item_id]),
                "reasonCode": reason,
            }
            for i in active
            if i.order_item_id in chosen
        ]
        payload["reason_code"] = reason
        payload["quantities"] = {i.order_item_id: i.quantity for i in active}
    elif spec.name == "invoice":
        record["invoiceNumber"] = str(options["invoice_number"])
    elif spec.name == "awb":
        record.update(
            awbNumber=str(options["awb_number"]),
            courierName=str(options["courier_name"]),
            autoDispatch=bool(options.get("auto_dispatch")),
        )
    elif spec.name in ("qc_accept", "qc_reject"):
        decided = {str(line["order_item_id"]): line for line in options.get("lines") or []}
        active = [i for i in shipment.items.all() if not i.is_cancelled]
        payload["lines"] = [
            {
                "order_item_id": i.order_item_id,
                "sku": i.sku,
                "quantity": i.quantity,
                "decision": str(decided[i.order_item_id]["decision"]),
                "reason_code": str(decided[i.order_item_id].get("reason_code") or ""),
            }
            for i in active
            if i.order_item_id in decided
        ]
        if spec.name == "qc_accept":  # reference 8.2: an empty reasonCode is GOOD condition
            record["orderItems"] = [
                {
                    "orderItemId": line["order_item_id"],
                    "quantity": line["quantity"],
                    "reasonCode": line["reason_code"],
                }
                for line in payload["lines"]
            ]
    elif spec.name == "credit_note":  # reference 8.3: invoiceUpdate with invoiceType "return"
        record["invoiceNumber"] = str(options["credit_note_number"])
        record["orderItems"] = [
            {"orderItemId": i.order_item_id, "quantity": i.quantity}
            for i in shipment.items.all()
            if not i.is_cancelled
        ]
        payload["credit_note_date"] = str(options["credit_note_date"])
    elif spec.name in workflow.STATUS_PUSHES:
        record["orderStatus"] = spec.target
        meta = {
            key: str(options[name])
            for name, key in (("remark", "remark"), ("dp_location", "dpLocation"))
            if options.get(name)
        }
        if meta:
            record["meta"] = meta
    payload["record"] = record
    return payload


def _specific_refusal(
    spec: workflow.ActionSpec, shipment: Shipment, options: Mapping[str, Any]
) -> str:
    """Checks that depend on the request's own fields (chosen items, invoice number)."""
    sid = shipment.shipment_id
    if spec.name == "cancel_items":
        active = {i.order_item_id: i for i in shipment.items.all() if not i.is_cancelled}
        chosen: Mapping[str, int] = options.get("items") or {}
        if not chosen:
            return f"Choose the items of shipment {sid} to cancel."
        for item_id, quantity in chosen.items():
            bag = active.get(item_id)
            if bag is None:
                return f"Item {item_id} is not an active item of shipment {sid}."
            if not 1 <= int(quantity) <= bag.quantity:
                return f"Cancel between 1 and {bag.quantity} of item {item_id}."
    if spec.name == "invoice":
        number = str(options.get("invoice_number") or "").strip()
        if not number:
            return "Enter the invoice number."
        used = Shipment.objects.filter(invoice_number=number).exclude(pk=shipment.pk)
        in_flight = (
            JobItem.objects.filter(
                job__kind="shipment_invoice", payload__record__invoiceNumber=number
            )
            .exclude(job__status__in=Job.TERMINAL)
            .exclude(status=JobItem.Status.FAILED)
        )
        if used.exists() or in_flight.exists():
            return f"Invoice number {number} is already used; each invoice needs its own number."
    if spec.name in ("qc_accept", "qc_reject"):
        return _qc_refusal(spec, shipment, options)
    if spec.name == "credit_note":
        number = str(options.get("credit_note_number") or "").strip()
        when = options.get("credit_note_date")
        if not number:
            return "Enter the credit note number."
        if not when:
            return "Enter the credit note date."
        if str(when) > timezone.localdate().isoformat():
            return "The credit note date cannot be in the future."
        used = Shipment.objects.filter(credit_note_number=number).exclude(pk=shipment.pk)
        in_flight = (
            JobItem.objects.filter(
                job__kind="return_credit_note", payload__record__invoiceNumber=number
            )
            .exclude(job__status__in=Job.TERMINAL)
            .exclude(status=JobItem.Status.FAILED)
        )
        if used.exists() or in_flight.exists():
            return (
                f"Credit note number {number} is already used; each credit note needs its own"
                " number."
            )
    return ""


def _qc_refusal(spec: workflow.ActionSpec, shipment: Shipment, options: Mapping[str, Any]) -> str:
    """A decision on every active item, a reason for every rejected one, and an outcome that
    matches the decisions (any rejected item rejects the return)."""
    sid = shipment.shipment_id
    decided = {str(line.get("order_item_id")): line for line in options.get("lines") or []}
    active = {i.order_item_id: i for i in shipment.items.all() if not i.is_cancelled}
    if not active:
        return f"Return {sid} has no items to check."
    unknown = sorted(set(decided) - set(active))
    if unknown:
        return f"Item {unknown[0]} is not an item of return {sid}."
    for item_id, item in active.items():
        line = decided.get(item_id)
        if line is None or line.get("decision") not in ("accept", "reject"):
            return f"Decide on every item of return {sid}: {item.sku} is not decided yet."
        reason = str(line.get("reason_code") or "")
        if reason and reason not in workflow.QC_QUALIFIER:
            return f"{reason!r} is not a QC reason of the reference (13.2)."
        if line["decision"] == "reject" and not reason:
            return f"Choose why {item.sku} is rejected (its condition)."
    rejects = any(line["decision"] == "reject" for line in decided.values())
    if rejects and spec.name == "qc_accept":
        return f"Return {sid} has a rejected item: it cannot be accepted as it is."
    if not rejects and spec.name == "qc_reject":
        return f"Reject at least one item of return {sid} to reject it."
    return ""


def _effective_spec(
    spec: workflow.ActionSpec, shipment: Shipment, options: Mapping[str, Any]
) -> workflow.ActionSpec:
    """Cancelling every active unit is a whole cancellation (that is how Konnect reads it)."""
    if spec.name != "cancel_items":
        return spec
    chosen: Mapping[str, int] = options.get("items") or {}
    active = [i for i in shipment.items.all() if not i.is_cancelled]
    if active and all(int(chosen.get(i.order_item_id, 0)) >= i.quantity for i in active):
        return workflow.ACTIONS["cancel"]
    return spec


def _batches(items: list[tuple[str, dict[str, Any]]]) -> list[int]:
    """Batch number of each item: same location, at most 20 per batch (one Konnect call)."""
    numbers: list[int] = []
    current: dict[str, tuple[int, int]] = {}  # location -> (batch, size)
    next_batch = 0
    for _sid, payload in items:
        location = str(payload.get("location") or "")
        batch, size = current.get(location, (-1, OMS_WRITE_LIMIT))
        if size >= OMS_WRITE_LIMIT:
            batch, size = next_batch, 0
            next_batch += 1
        current[location] = (batch, size + 1)
        numbers.append(batch)
    return numbers


def _title(spec: workflow.ActionSpec, ids: Sequence[str]) -> str:
    what = f"shipment {ids[0]}" if len(ids) == 1 else f"{len(ids)} shipments"
    return f"{spec.label}: {what}"


def shipment_action_start(
    *,
    user: Any,
    action: str,
    shipment_ids: Sequence[str],
    options: Mapping[str, Any] | None = None,
    request: Any = None,
    source: str = "ui",
    after_store: Callable[[Job, list[str]], None] | None = None,
) -> ActionStarted:
    """Check, store and queue an action on shipments; raises ActionRefused if none qualifies.

    `after_store(job, accepted_ids)` runs in the transaction that stores the Job (before any
    worker can see it): the returns steps keep their QC record and photos there."""
    spec = workflow.spec_named(action)
    if spec is None:
        raise ActionRefused(f"Unknown action {action!r}.")
    options = dict(options or {})
    ids = _unique(shipment_ids)
    if not ids:
        raise ActionRefused("Select at least one shipment.")
    if len(ids) > MAX_PER_REQUEST:
        raise ActionRefused(f"Select at most {MAX_PER_REQUEST} shipments at a time.")
    if not spec.bulk and len(ids) > 1:
        raise ActionRefused(f"{spec.label} works on one shipment at a time.")
    with transaction.atomic():
        rows = {
            s.shipment_id: s
            for s in shipments_visible_to(user)
            .select_for_update()
            .filter(shipment_id__in=ids)
            .prefetch_related("items")
        }
        pending_jobs = {s.pending_job_id for s in rows.values() if s.pending_job_id}
        live = set(
            Job.objects.filter(pk__in=pending_jobs)
            .exclude(status__in=Job.TERMINAL)
            .values_list("pk", flat=True)
        )
        accepted: list[tuple[str, dict[str, Any]]] = []
        refused: list[tuple[str, str]] = []
        effective = spec
        for sid in ids:
            shipment = rows.get(sid)
            this = _effective_spec(spec, shipment, options) if shipment else spec
            reason = workflow.refusal(this, shipment, shipment_id=sid)
            if (
                not reason
                and shipment is not None
                and spec.writes
                and shipment.pending_job_id in live
            ):
                doing = workflow.spec_named(shipment.pending_action)
                reason = (
                    f"{spec.label} is not possible for shipment {sid}: "
                    f"{doing.doing.lower() if doing else 'an action'} is already in"
                    f" progress (job {shipment.pending_job_id}). Wait for it to finish."
                )
            if not reason and shipment is not None:
                reason = _specific_refusal(this, shipment, options)
            if reason:
                refused.append((sid, reason))
            else:
                effective = this
                accepted.append((sid, _record(this, shipment, options)))  # type: ignore[arg-type]
        job: Job | None = None
        if accepted and not spec.writes:
            job = _reuse_read_job(effective, [sid for sid, _ in accepted])
        if accepted and job is None:
            job = _store_job(effective, accepted, refused, user, options, request, source)
            if after_store is not None:
                after_store(job, [sid for sid, _ in accepted])
    if job is None:  # outside the transaction, so the refusal stays in the audit log
        _audit_denied(user, spec, ids, refused, request, source)
        message = (
            refused[0][1]
            if len(refused) == 1
            else f"{spec.label} is not possible for any of the {len(ids)} shipments. "
            + " ".join(r for _, r in refused[:3])
        )
        raise ActionRefused(message, refused)
    return ActionStarted(job, [sid for sid, _ in accepted], refused)


def _ids_digest(ids: Sequence[str]) -> str:
    return hashlib.sha256(",".join(sorted(ids)).encode()).hexdigest()[:32]


def _reuse_read_job(spec: workflow.ActionSpec, ids: Sequence[str]) -> Job | None:
    """A double click on a read (labels, courier details) joins the Job already running."""
    return open_job(kind=spec.job_kind, params={"action": spec.name, "ids": _ids_digest(ids)})


def _store_job(
    spec: workflow.ActionSpec,
    accepted: list[tuple[str, dict[str, Any]]],
    refused: list[tuple[str, str]],
    user: Any,
    options: Mapping[str, Any],
    request: Any,
    source: str,
) -> Job:
    ids = [sid for sid, _ in accepted]
    # group by location so each batch can use that location's credentials
    order = sorted(range(len(accepted)), key=lambda n: (accepted[n][1]["location"], n))
    items = [accepted[n] for n in order]
    summary = {k: v for k, v in options.items() if k in SUMMARY_OPTIONS}
    job = job_create(
        kind=spec.job_kind,
        title=_title(spec, ids),
        created_by=user,
        params={"action": spec.name, "ids": _ids_digest(ids), **summary},
        items=items,
        audit_action=spec.audit_action,
        audit_object=("shipment", ids[0] if len(ids) == 1 else "", _title(spec, ids)),
        audit_before={sid: payload["state"] for sid, payload in items},
        audit_after={"shipment_ids": ids, **summary},
        request=request,
        source=source,
    )
    rows = list(job.items.order_by("seq"))
    for row, batch in zip(rows, _batches(items), strict=True):
        row.batch = batch
    JobItem.objects.bulk_update(rows, ["batch"])
    if refused:
        job.errors = [{"key": sid, "message": reason} for sid, reason in refused][:50]
        job.save(update_fields=["errors"])
    if spec.job_kind == DOCUMENTS_KIND:
        # PDFs are kept a few days (Konnect can print them again); the rows stay as a record
        ShipmentDocument.objects.filter(
            created_at__lt=timezone.now() - DOCUMENT_RETENTION, pdf__isnull=False
        ).update(pdf=None)
        ShipmentDocument.objects.create(
            job=job,
            kind=spec.name,
            shipment_ids=[sid for sid, _ in items],
            location_codes=sorted({str(p["location"]) for _, p in items}),
        )
    if spec.writes:
        Shipment.objects.filter(shipment_id__in=ids).update(
            pending_action=spec.name, pending_job=job
        )
    return job


def _audit_denied(
    user: Any,
    spec: workflow.ActionSpec,
    ids: Sequence[str],
    refused: Sequence[tuple[str, str]],
    request: Any,
    source: str,
) -> None:
    audit_record(
        user=user,
        action=spec.audit_action,
        object_type="shipment",
        object_id=ids[0] if len(ids) == 1 else "",
        object_repr=_title(spec, ids),
        summary=f"Refused: {refused[0][1]}" if refused else "Refused",
        after={"shipment_ids": list(ids), "refused": dict(refused)},
        outcome=AuditEvent.Outcome.DENIED,
        source=source,
        request=request,
    )


# --- refresh of one shipment (info, tracking) ---------------------------------------------------


def shipment_refresh_start(*, user: Any, shipment: Shipment, force: bool = False) -> Job | None:
    """Queue a read of the shipment, its info and tracking (None when it is fresh enough)."""
    running = open_job(kind=REFRESH_KIND, key=shipment.shipment_id)
    if running is not None:
        return running
    now = timezone.now()
    if not force:  # automatic refreshes (page loads) are spaced out; a click always reads
        recent = Job.objects.filter(
            kind=REFRESH_KIND,
            items__key=shipment.shipment_id,
            created_at__gte=now - REFRESH_MIN_GAP,
        ).exists()
        fresh = shipment.info_refreshed_at and now - shipment.info_refreshed_at < REFRESH_FRESH_FOR
        if recent or fresh:
            return None
    return job_create(
        kind=REFRESH_KIND,
        title=f"Refresh shipment {shipment.shipment_id}",
        created_by=user,
        items=[(shipment.shipment_id, {"location": shipment.location_code, "forced": force})],
    )


# --- saved views ------------------------------------------------------------------------------


def saved_view_save(*, user: Any, name: str, query: str) -> SavedView:
    view, _ = SavedView.objects.update_or_create(
        user=user, name=name.strip()[:60], defaults={"query": query[:1000]}
    )
    return view


def saved_view_delete(*, user: Any, view_id: int) -> bool:
    deleted, _ = SavedView.objects.filter(user=user, pk=view_id).delete()
    return bool(deleted)
