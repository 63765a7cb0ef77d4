"""Shipment actions as Jobs: batches of at most 20, a per-shipment result, no double sends.

A Job of an action kind (shipment_confirm, shipment_pack, ...) holds one JobItem per shipment
with the exact wire record, grouped into batches of 20 of one location. Each runner step:

    send      take the next batch; re-read the cached rows and drop (fail) any shipment that
              has moved since the Job was stored; mark the rest SENDING; call Konnect once;
              settle every item from the per-record answer (success, or Konnect's code and
              message) and put the local row where Konnect says it now is.
    reconcile a write that timed out or lost its connection may or may not have happened:
              its items stay SENDING, the Job waits a few seconds and then reads each shipment
              back. Taken effect: success. Still in a state that allows the action: it did not
              happen, so it is sent again (it cannot duplicate). Anything else: failed, not
              re-sent. A worker killed mid-call leaves SENDING items and ends up here too.
    resync    read every shipment of the Job back by id, so the cache shows what Konnect did
              (the courier Fynd assigned after an invoice, split bags after a partial cancel).

Documents (labels, customer invoices) are read-only POSTs: a Job fetches them 20 at a time and
merges the pages into one printable PDF with pypdf.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from konnect_admin.jobs.registry import Step
from konnect_admin.konnect import (
    ImsResult,
    KonnectClient,
    KonnectError,
    KonnectNotFound,
    OmsResult,
    get_client,
)
from konnect_admin.models import Job, JobItem
from orders import workflow
from orders.cache import clear_pending, shipment_apply_local, shipments_upsert
from orders.models import ReturnCheck, Shipment, ShipmentDocument

logger = logging.getLogger(__name__)

RECONCILE_WAIT = 5.0  # seconds before reading back after an ambiguous send
RESYNC_PER_STEP = 20
TRACKING_TTL = timedelta(minutes=5)  # reference 11: cache tracking 5-10 minutes
REFRESH_KIND = "shipment_refresh"
DOCUMENTS_KIND = "shipment_documents"
# Columns only the dashboard writes: a read-back from Konnect does not carry them, so they are
# applied even when the outcome was confirmed by reading the shipment back.
LOCAL_ONLY_FIELDS = ("return_qc", "credit_note_date")

Errors = dict[str, tuple[str, str]]


# --- calling Konnect -------------------------------------------------------------------------


def _oms_errors(result: OmsResult) -> Errors:
    return {
        str(e.get("orderId")): (str(e.get("code") or ""), str(e.get("message") or ""))
        for e in result.errors
        if e.get("orderId")
    }


def _ims_errors(result: ImsResult, records: Sequence[Mapping[str, Any]]) -> Errors:
    found: Errors = {}
    for error in result.errors:
        order_id = error.get("orderId")
        if not order_id and "index" in error and int(error["index"]) < len(records):
            order_id = records[int(error["index"])]["orderId"]
        if order_id:
            found[str(order_id)] = (str(error.get("code") or ""), str(error.get("message") or ""))
    return found


def send_records(
    client: KonnectClient, spec: workflow.ActionSpec, records: list[dict[str, Any]]
) -> tuple[Errors, dict[str, dict[str, Any]]]:
    """One Konnect call for up to 20 records: (refusals by shipment id, extra data by id)."""
    ids = [str(r["orderId"]) for r in records]
    name = spec.name
    if name == "confirm":
        return _oms_errors(client.shipments_confirm(records)), {}
    if name in ("cancel", "cancel_items"):
        return _oms_errors(client.shipments_cancel(records)), {}
    if name == "invoice":
        return _oms_errors(client.invoice_update(records)), {}
    if name == "pack":
        return _oms_errors(client.shipments_pack(ids)), {}
    if name == "dispatch":
        return _oms_errors(client.shipments_dispatch(records)), {}
    if name == "awb":
        return _ims_errors(client.awb_update(records), records), {}
    if name in workflow.STATUS_PUSHES:
        return _ims_errors(client.status_update(records), records), {}
    if name == "qc_accept":
        return _oms_errors(client.returns_qc(records)), {}
    if name == "credit_note":
        return _oms_errors(client.credit_notes(records)), {}
    if name == "courier_details":
        errors: Errors = {}
        extra: dict[str, dict[str, Any]] = {}
        for row in client.courier_details(ids):
            row_dict = dict(row)
            order_id = str(row_dict.get("orderId"))
            if row_dict.get("code"):
                errors[order_id] = (str(row_dict["code"]), str(row_dict.get("message") or ""))
            else:
                extra[order_id] = row_dict
        return errors, extra
    raise ValueError(f"unknown shipment action {name!r}")


# --- settling items ------------------------------------------------------------------------------


def _settle_failed(item: JobItem, code: str, message: str) -> None:
    item.status = JobItem.Status.FAILED
    item.error_code = code[:32]
    item.message = message[:2000]
    item.save(update_fields=["status", "error_code", "message", "updated_at"])


def _settle_ok(item: JobItem, result: dict[str, Any] | None = None) -> None:
    item.status = JobItem.Status.SUCCEEDED
    item.error_code = ""
    item.message = ""
    item.result = result
    item.save(update_fields=["status", "error_code", "message", "result", "updated_at"])


def _describe_success(spec: workflow.ActionSpec, item: JobItem) -> str:
    record = item.payload.get("record") or {}
    name = spec.name
    if name == "cancel":
        reason = workflow.CANCEL_REASON_LABELS.get(str(item.payload.get("reason_code")), "")
        return f"Cancelled the whole shipment ({reason})"
    if name == "cancel_items":
        lines = ", ".join(
            f"{line['orderItemId']} x{line['quantity']}" for line in record.get("orderItems", [])
        )
        reason = workflow.CANCEL_REASON_LABELS.get(str(item.payload.get("reason_code")), "")
        return f"Cancelled items {lines} ({reason})"
    if name == "invoice":
        return f"Invoiced as {record.get('invoiceNumber')}"
    if name == "awb":
        auto = " with auto-dispatch" if record.get("autoDispatch") else ""
        return f"AWB {record.get('awbNumber')} by {record.get('courierName')} entered{auto}"
    if name == "courier_details":
        return "Courier details fetched"
    if spec.returns:
        return _describe_return_step(spec, item)
    return {
        "confirm": "Confirmed",
        "pack": "Packed",
        "dispatch": "Dispatched to the courier",
        "mark_picked": "Marked picked up by the courier",
        "mark_delivered": "Marked delivered",
        "mark_rto_delivered": "Marked RTO delivered (back at origin)",
    }.get(name, spec.label)


def _describe_return_step(spec: workflow.ActionSpec, item: JobItem) -> str:
    lines = list(item.payload.get("lines") or [])
    rto = item.payload.get("state") == "rto_bag_delivered"
    if spec.name == "credit_note":
        record = item.payload.get("record") or {}
        when = date.fromisoformat(str(item.payload["credit_note_date"]))
        return f"Credit note {record.get('invoiceNumber')} dated {when:%-d %b %Y} raised"
    conditions = ", ".join(
        f"{line.get('sku') or line.get('order_item_id')}:"
        f" {workflow.qc_reason_label(str(line.get('reason_code') or ''))}"
        for line in lines
    )
    if spec.name == "qc_accept":
        return f"{'RTO' if rto else 'Return'} accepted at QC ({conditions})"
    rejected = ", ".join(
        f"{line.get('sku') or line.get('order_item_id')}:"
        f" {workflow.qc_reason_label(str(line.get('reason_code') or ''))}"
        for line in lines
        if line.get("decision") == "reject"
    )
    return (
        f"{'RTO' if rto else 'Return'} rejected at QC ({rejected}); kept in the dashboard:"
        " Konnect has no call for a rejection"
    )


def _local_outcome(
    spec: workflow.ActionSpec, item: JobItem, extra: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The state and columns Konnect's success implies, before the read-back confirms them."""
    record = item.payload.get("record") or {}
    if spec.name == "qc_accept":
        target = workflow.qc_target(str(item.payload.get("state") or ""))
        return target, {"return_qc": workflow.QC_ACCEPTED}
    if spec.name == "qc_reject":
        return "", {"return_qc": workflow.QC_REJECTED}
    if spec.name == "credit_note":
        return spec.target, {
            "credit_note_number": str(record.get("invoiceNumber"))[:64],
            "credit_note_date": date.fromisoformat(str(item.payload["credit_note_date"])),
        }
    if spec.name == "invoice":
        return spec.target, {"invoice_number": str(record.get("invoiceNumber"))[:64]}
    if spec.name == "awb":
        fields = {
            "awb_number": str(record.get("awbNumber"))[:64],
            "courier_name": str(record.get("courierName"))[:80],
        }
        return ("bag_picked" if record.get("autoDispatch") else ""), fields
    if spec.name == "courier_details":
        awbs = [str(a) for a in extra.get("awbNumber") or [] if a]
        return "", {
            "courier_name": str(extra.get("courierName") or "")[:80],
            "courier_code": str(extra.get("courierCode") or "")[:80],
            "awb_number": awbs[0][:64] if awbs else "",
        }
    return spec.target, {}


def _apply_success(
    job: Job,
    spec: workflow.ActionSpec,
    item: JobItem,
    extra: Mapping[str, Any],
    *,
    read_back: bool = False,
) -> None:
    """Settle the item and record the outcome; `read_back`: the cached row was just written
    from Konnect's own copy, which may already be further along than the action's target."""
    _settle_ok(item, dict(extra) or None)
    _settle_return_check(job, spec, item, ok=True)
    shipment = Shipment.objects.filter(shipment_id=item.key).first()
    if shipment is None:
        return
    state, fields = _local_outcome(spec, item, extra)
    if read_back:
        state, fields = "", {k: v for k, v in fields.items() if k in LOCAL_ONLY_FIELDS}
    if spec.name == "cancel_items" and not read_back:
        for line in (item.payload.get("record") or {}).get("orderItems", []):
            if int(line["quantity"]) >= int(
                (item.payload.get("quantities") or {}).get(line["orderItemId"], 0)
            ):
                shipment.items.filter(order_item_id=line["orderItemId"]).update(
                    state="cancelled_seller", reason_code=str(line.get("reasonCode", ""))
                )
    shipment_apply_local(
        shipment,
        state=state,
        fields=fields,
        event_kind=spec.name,
        message=_describe_success(spec, item),
        job=job,
        actor=job.created_by,
    )


def _settle_return_check(
    job: Job, spec: workflow.ActionSpec, item: JobItem, *, ok: bool, message: str = ""
) -> None:
    """The QC record of this Job and shipment: recorded, or refused with Konnect's words."""
    if spec.name not in ("qc_accept", "qc_reject"):
        return
    ReturnCheck.objects.filter(job=job, shipment__shipment_id=item.key).update(
        status=ReturnCheck.Status.RECORDED if ok else ReturnCheck.Status.REFUSED,
        message=message[:500],
        settled_at=timezone.now(),
    )


def _apply_failure(job: Job, spec: workflow.ActionSpec, item: JobItem, code: str, msg: str) -> None:
    _settle_failed(item, code, msg)
    _settle_return_check(job, spec, item, ok=False, message=f"{code}: {msg}" if code else msg)
    shipment = Shipment.objects.filter(shipment_id=item.key).first()
    if shipment is not None:
        shipment_apply_local(
            shipment,
            event_kind=spec.name,
            message=f"{spec.label} refused{f' ({code})' if code else ''}: {msg}",
            ok=False,
            job=job,
            actor=job.created_by,
        )


# --- the action runner ---------------------------------------------------------------------------


def _spec(job: Job) -> workflow.ActionSpec:
    spec = workflow.spec_named(str(job.params["action"]))
    if spec is None:
        raise ValueError(f"unknown shipment action {job.params['action']!r}")
    return spec


def _send_batch(job: Job, batch: list[JobItem]) -> Step:
    spec = _spec(job)
    location = str(batch[0].payload.get("location") or "")
    to_send: list[JobItem] = []
    with transaction.atomic():
        local = {
            s.shipment_id: s
            for s in Shipment.objects.select_for_update().filter(
                shipment_id__in=[i.key for i in batch]
            )
        }
        for item in batch:
            reason = workflow.refusal(spec, local.get(item.key), shipment_id=item.key)
            if reason:  # it moved after the Job was stored: never send a stale action
                _settle_failed(item, "MOVED", reason)
                continue
            item.status = JobItem.Status.SENDING
            item.attempts += 1
            item.save(update_fields=["status", "attempts", "updated_at"])
            to_send.append(item)
        clear_pending(job=job, shipment_ids=[i.key for i in batch if i not in to_send])
    if not to_send:
        return Step.more()
    job.state["sent_at"] = timezone.now().isoformat()
    records = [dict(i.payload["record"]) for i in to_send]
    if spec.local:  # recorded by the dashboard only (a QC rejection): no Konnect call exists
        for item in to_send:
            _apply_success(job, spec, item, {})
        clear_pending(job=job, shipment_ids=[i.key for i in to_send])
        return Step.more()
    try:
        with get_client(location or None) as client:
            errors, extra = send_records(client, spec, records)
    except KonnectError as exc:
        if getattr(exc, "ambiguous", False):
            job.state["ambiguous"] = int(job.state.get("ambiguous", 0)) + 1
            return Step.wait(
                RECONCILE_WAIT, "Konnect did not answer in time; checking what it applied"
            )
        if getattr(exc, "retryable", False):  # refused before applying: safe to send again
            JobItem.objects.filter(pk__in=[i.pk for i in to_send]).update(
                status=JobItem.Status.PENDING
            )
            raise
        per_record = {str(e.get("orderId")): e for e in exc.errors if e.get("orderId")}
        for item in to_send:
            error = per_record.get(item.key, {})
            _apply_failure(
                job, spec, item, error.get("code") or exc.code, error.get("message") or str(exc)
            )
        clear_pending(job=job, shipment_ids=[i.key for i in to_send])
        return Step.more()
    for item in to_send:
        if item.key in errors:
            code, message = errors[item.key]
            _apply_failure(job, spec, item, code, message)
        else:
            _apply_success(job, spec, item, extra.get(item.key, {}))
    clear_pending(job=job, shipment_ids=[i.key for i in to_send])
    return Step.more()


def _reconcile(job: Job, sending: list[JobItem]) -> Step:
    """Read back each shipment whose send is in doubt before anything is sent again."""
    spec = _spec(job)
    for location, items in _group_by_location(sending):
        with get_client(location or None) as client:
            for item in items:
                fetched_at = timezone.now()
                remote = _read_back(client, item.key, location)
                if remote is None:
                    _apply_failure(
                        job, spec, item, "GONE", "Konnect no longer returns this shipment."
                    )
                    clear_pending(job=job, shipment_ids=[item.key])
                    continue
                shipments_upsert([remote], fetched_at=fetched_at, job=job)
                if workflow.has_taken_effect(spec, remote, item.payload):
                    _apply_success(job, spec, item, {}, read_back=True)
                    clear_pending(job=job, shipment_ids=[item.key])
                    continue
                cached = Shipment.objects.filter(shipment_id=item.key).first()
                reason = workflow.refusal(spec, cached, shipment_id=item.key)
                if reason:
                    _apply_failure(job, spec, item, "MOVED", f"Not sent again: {reason}")
                    clear_pending(job=job, shipment_ids=[item.key])
                else:  # it did not arrive: sending it again cannot apply it twice
                    item.status = JobItem.Status.PENDING
                    item.save(update_fields=["status", "updated_at"])
    job.state["reconciled"] = int(job.state.get("reconciled", 0)) + len(sending)
    return Step.more()


def _read_back(client: KonnectClient, shipment_id: str, location: str) -> dict[str, Any] | None:
    try:
        remote = client.shipment(order_id=shipment_id, location_code=location or None)
    except KonnectNotFound:
        return None
    return dict(remote) if remote is not None else None


def _group_by_location(items: Sequence[JobItem]) -> list[tuple[str, list[JobItem]]]:
    grouped: dict[str, list[JobItem]] = {}
    for item in items:
        grouped.setdefault(str(item.payload.get("location") or ""), []).append(item)
    return list(grouped.items())


def _resync(job: Job) -> Step:
    queue = job.state.setdefault(
        "resync", [[i.payload.get("location", ""), i.key] for i in job.items.order_by("seq")]
    )
    if not queue:
        return _finish(job)
    chunk, rest = queue[:RESYNC_PER_STEP], queue[RESYNC_PER_STEP:]
    grouped: dict[str, list[str]] = {}
    for location, sid in chunk:
        grouped.setdefault(location, []).append(sid)
    for location, ids in grouped.items():
        with get_client(location or None) as client:
            for sid in ids:
                fetched_at = timezone.now()
                remote = _read_back(client, sid, location)
                if remote is not None:
                    shipments_upsert([remote], fetched_at=fetched_at, job=job)
    job.state["resync"] = rest
    return Step.more()


def _finish(job: Job) -> Step:
    clear_pending(job=job)
    spec = _spec(job)
    done = job.items.filter(status=JobItem.Status.SUCCEEDED).count()
    failed = job.items.filter(status=JobItem.Status.FAILED).count()
    return Step.done(
        reason=f"{spec.label}: {done} done" + (f", {failed} refused" if failed else "")
    )


def shipment_action_run(job: Job) -> Step:
    if job.state.get("phase") == "resync":
        return _resync(job)
    sending = list(job.items.filter(status=JobItem.Status.SENDING).order_by("seq"))
    if sending:
        return _reconcile(job, sending)
    first = job.items.filter(status=JobItem.Status.PENDING).order_by("seq").first()
    if first is None:
        if _spec(job).local:  # nothing was sent, so there is nothing to read back
            return _finish(job)
        job.state["phase"] = "resync"
        return Step.more()
    batch = list(job.items.filter(status=JobItem.Status.PENDING, batch=first.batch).order_by("seq"))
    return _send_batch(job, batch)


# --- documents: labels and customer invoices, merged -------------------------------------------


def merge_pdfs(parts: Sequence[bytes]) -> tuple[bytes, int]:
    """One PDF with every page of `parts`, in order; returns (bytes, page count)."""
    writer = PdfWriter()
    for part in parts:
        if part:
            writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def shipment_documents_run(job: Job) -> Step:
    doc = ShipmentDocument.objects.get(job=job)
    first = job.items.filter(status=JobItem.Status.PENDING).order_by("seq").first()
    if first is None:
        failed = job.items.filter(status=JobItem.Status.FAILED).count()
        return Step.done(
            reason=f"{doc.pages} page{'s' if doc.pages != 1 else ''} ready"
            + (f"; {failed} shipment(s) have no document yet" if failed else "")
        )
    batch = list(job.items.filter(status=JobItem.Status.PENDING, batch=first.batch).order_by("seq"))
    location = str(batch[0].payload.get("location") or "")
    fetch: Callable[[KonnectClient, list[str]], bytes] = (
        (lambda c, ids: c.shipping_labels(ids))
        if doc.kind == ShipmentDocument.Kind.LABELS
        else (lambda c, ids: c.customer_invoices(ids))
    )
    try:
        with get_client(location or None) as client:
            pdf = fetch(client, [i.key for i in batch])
    except KonnectError as exc:
        if getattr(exc, "retryable", False):
            raise
        refused = {str(e.get("orderId")): e for e in exc.errors if e.get("orderId")}
        named = [item for item in batch if item.key in refused]
        for item in named or batch:
            error = refused.get(item.key, {})
            _settle_failed(item, error.get("code") or exc.code, error.get("message") or str(exc))
        return Step.more()  # the others of the batch go again without the refused ones
    merged, pages = merge_pdfs([bytes(doc.pdf or b""), pdf])
    doc.pdf, doc.pages = merged, pages
    doc.save(update_fields=["pdf", "pages"])
    for item in batch:
        _settle_ok(item)
    return Step.more()


# --- refresh of one shipment for its detail page -----------------------------------------------


def shipment_refresh_run(job: Job) -> Step:
    """Read one shipment back, with its info (lock, SLA) and, at most every 5 minutes, its
    tracking, for the detail page. Reads only."""
    item = job.items.get()
    sid, location = item.key, str(item.payload.get("location") or "")
    with get_client(location or None) as client:
        fetched_at = timezone.now()
        remote = _read_back(client, sid, location)
        if remote is None:
            _settle_failed(item, "GONE", "Konnect does not return this shipment any more.")
            return Step.done()
        shipments_upsert([remote], fetched_at=fetched_at, job=job)
        shipment = Shipment.objects.get(shipment_id=sid)
        info = next(
            (dict(i) for i in client.shipment_info(order_id=sid) if str(i.get("id")) == sid), {}
        )
        fields: dict[str, Any] = {"info_refreshed_at": timezone.now()}
        if info:
            from orders.cache import parse_when

            fields["lock_status"] = bool(info.get("lockStatus"))
            fields["processing_due_at"] = parse_when(info.get("processingDueTime"))
            sla = parse_when(info.get("sla"))
            if sla is not None:
                fields["sla_at"] = sla
                fields["due_at"] = sla
        cached = shipment.tracking or {}
        stale = (
            shipment.tracking_fetched_at is None
            or timezone.now() - shipment.tracking_fetched_at >= TRACKING_TTL
            # the shipment moved since: the cached tracking is known to be out of date
            or cached.get("operational_status") != shipment.state
        )
        trackable = bool(shipment.awb_number) or shipment.state in workflow.PACKED_OR_LATER
        if trackable and stale:
            try:
                fields["tracking"] = dict(client.track(shipment_id=sid))
            except KonnectNotFound:
                fields["tracking"] = None
            fields["tracking_fetched_at"] = timezone.now()
    Shipment.objects.filter(pk=shipment.pk).update(**fields)
    _settle_ok(item, {"tracking": "tracking" in fields})
    return Step.done()
