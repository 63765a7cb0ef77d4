"""Bulk product creates as one Job: batches of 100 (the documented maximum), each followed to
its trace's end, then read back into the product cache.

One JobItem per product (`key` = item code, `seq` = the product's first row in the file,
`payload` = its ProductInput, `batch` = the request it went in). Phases in `job.state`:

    prepare  copy the checked products of the upload into items, numbering their batches
    send     one batch per step; the answer's trace_id is stored at once, products refused at
             submit fail there and then
    poll     every outstanding trace until terminal (backing off 2 s → 60 s); per-product
             errors land on their items; a trace still running after 30 minutes is "stuck"
    refresh  read the created products back (100 per call) into the local cache

A batch whose items are SENDING without a trace was sent by a worker that died or got no
answer: the products are read back by item code first, and only those that never arrived are
sent again (in a new batch), after a grace period in which a trace could still be running.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.ims_writes import items_set
from catalog.models import UploadRow
from catalog.product_cache import product_cache_upsert
from konnect_admin.jobs.registry import Step
from konnect_admin.konnect import (
    CATALOG_WRITE_LIMIT,
    KonnectError,
    KonnectValidationError,
    get_client,
)
from konnect_admin.models import Job, JobItem

PREPARE_CHUNK = 5_000
POLL_FIRST = 2.0
POLL_CAP = 60.0
STUCK_AFTER = timedelta(minutes=30)
RECONCILE_WINDOW = timedelta(seconds=90)
RECONCILE_WAIT = 10.0

FIELD_WORDS = {
    "slug": "Slug",
    "item_code": "Item code",
    "brand": "Brand",
    "category": "Category",
    "hs_code": "HS code",
    "tax_identifier.tax_rule_id": "Tax rule",
    "name": "Name",
    "template": "Template",
}


def product_bulk_run(job: Job) -> Step:
    phase = job.state.get("phase", "prepare")
    handler = {"prepare": _prepare, "send": _send, "poll": _poll, "refresh": _refresh}[phase]
    return handler(job)


def _size(job: Job) -> int:
    return int(job.params.get("batch_size") or CATALOG_WRITE_LIMIT)


def _prepare(job: Job) -> Step:
    if not job.state.get("prepared") and job.items.exists():
        # A retry of failed products (jobs centre) brings its own items: only number them.
        size = _size(job)
        items = list(job.items.filter(batch__isnull=True).order_by("seq"))
        for n, item in enumerate(items):
            item.batch = n // size + 1
        items_set(items, ["batch"])
        job.state["phase"] = "send"
        return Step.more()
    last = int(job.state.get("prepared_row", 0))
    done = int(job.state.get("prepared", 0))
    rows = list(
        UploadRow.objects.filter(
            upload_id=job.params["upload_id"], row__gt=last, payload__isnull=False
        )
        .exclude(status=UploadRow.Status.INVALID)
        .order_by("row")
        .values_list("row", "key", "payload")[:PREPARE_CHUNK]
    )
    size = _size(job)
    JobItem.objects.bulk_create(
        [
            JobItem(job=job, seq=row, key=key, payload=payload, batch=(done + i) // size + 1)
            for i, (row, key, payload) in enumerate(rows)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    job.state["prepared"] = done + len(rows)
    job.message = "Preparing the products"
    if len(rows) == PREPARE_CHUNK:
        job.state["prepared_row"] = rows[-1][0]
    else:
        job.state["phase"] = "send"
    return Step.more()


def _batches(job: Job) -> dict[str, dict[str, Any]]:
    batches: dict[str, dict[str, Any]] = job.state.setdefault("batches", {})
    return batches


def _send(job: Job) -> Step:
    batches = _batches(job)
    unknown = (
        job.items.filter(status=JobItem.Status.SENDING)
        .exclude(batch__in=[int(b) for b, s in batches.items() if s.get("trace")])
        .aggregate(b=Min("batch"))["b"]
    )
    if unknown is not None:
        return _reconcile(job, unknown)
    batch = job.items.filter(status=JobItem.Status.PENDING).aggregate(b=Min("batch"))["b"]
    if batch is None:
        job.state["phase"] = "poll"
        return Step.more()
    items = list(job.items.filter(status=JobItem.Status.PENDING, batch=batch).order_by("seq"))
    ids = [i.pk for i in items]
    JobItem.objects.filter(pk__in=ids).update(
        status=JobItem.Status.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    batches[str(batch)] = {"sent_at": timezone.now().isoformat()}
    job.save(update_fields=["state"])
    try:
        accepted = get_client().products_create(
            template=job.params["template"], products=[i.payload for i in items]
        )
    except KonnectValidationError as exc:  # the request as a whole was refused: nothing applied
        for item in items:
            _fail(item, [{"field": "", "message": f"Konnect refused the batch: {exc.message}"}])
        items_set(items, ["status", "result", "field", "message"])
        return Step.more()
    except KonnectError as exc:
        if getattr(exc, "ambiguous", False):
            job.message = "Konnect did not answer clearly; checking what arrived before going on"
            return Step.wait(RECONCILE_WAIT, job.message)
        JobItem.objects.filter(pk__in=ids).update(status=JobItem.Status.PENDING)
        batches.pop(str(batch), None)
        raise
    batches[str(batch)].update(trace=accepted.trace_id, polls=0)
    job.state["writes"] = int(job.state.get("writes", 0)) + 1
    refused = []
    for index, item in enumerate(items):
        errors = accepted.errors.get(index)
        if errors:
            _fail(item, [dict(e) for e in errors])
            refused.append(item)
    if refused:
        items_set(refused, ["status", "result", "field", "message"])
    job.save(update_fields=["state"])  # the trace_id is the proof it was sent: keep it now
    job.message = f"Batch {batch} sent ({len(items) - len(refused)} accepted)"
    return Step.more()


def _poll(job: Job) -> Step:
    batches = _batches(job)
    open_batches = sorted(
        {
            b
            for b in job.items.filter(status=JobItem.Status.SENDING).values_list("batch", flat=True)
            if b is not None
        }
    )
    if not open_batches:
        job.state["phase"] = "refresh"
        return Step.more()
    client = get_client()
    waiting = 0
    polls = 0
    for batch in open_batches:
        entry = batches.get(str(batch)) or {}
        if not entry.get("trace"):
            job.state["phase"] = "send"  # an unclear send: reconcile it first
            return Step.more()
        status = client.catalog_status(trace_id=entry["trace"])
        entry["polls"] = int(entry.get("polls", 0)) + 1
        job.state["reads"] = int(job.state.get("reads", 0)) + 1
        polls = max(polls, entry["polls"])
        items = list(job.items.filter(batch=batch).order_by("seq"))
        if status.is_pending:
            sent_at = parse_datetime(str(entry.get("sent_at") or "")) or job.created_at
            if timezone.now() - sent_at > STUCK_AFTER:
                stuck = [i for i in items if i.status == JobItem.Status.SENDING]
                for item in stuck:
                    _fail(
                        item,
                        [{"field": "", "message": "Konnect has not finished after 30 minutes."}],
                    )
                items_set(stuck, ["status", "result", "field", "message"])
                continue
            waiting += 1
            continue
        changed = []
        for index, item in enumerate(items):
            if item.status != JobItem.Status.SENDING:
                continue
            errors = status.errors.get(index)
            if errors:
                _fail(item, [dict(e) for e in errors])
            elif status.stage.upper() == "FAILED":
                _fail(
                    item,
                    [{"field": "", "message": status.message or "Konnect could not create it."}],
                )
            else:
                item.status = JobItem.Status.SUCCEEDED
                item.message = ""
            changed.append(item)
        items_set(changed, ["status", "result", "field", "message"])
    if waiting:
        job.message = f"Konnect is processing {waiting} batch(es)"
        return Step.wait(min(POLL_CAP, POLL_FIRST * 1.5 ** max(0, polls - 1)), job.message)
    return Step.more()


def _reconcile(job: Job, batch: int) -> Step:
    batches = _batches(job)
    entry = batches.get(str(batch)) or {}
    items = list(job.items.filter(status=JobItem.Status.SENDING, batch=batch).order_by("seq"))
    codes = [i.key for i in items]
    page = get_client().products(item_code=codes, page_size=min(200, max(1, len(codes))))
    job.state["reads"] = int(job.state.get("reads", 0)) + 1
    found = {p.get("item_code") for p in page.items}
    arrived = [i for i in items if i.key in found]
    missing = [i for i in items if i.key not in found]
    for item in arrived:
        item.status = JobItem.Status.SUCCEEDED
        item.message = "Confirmed by reading Konnect back after an unclear answer."
    if missing:
        sent_at = parse_datetime(str(entry.get("sent_at") or "")) or job.updated_at
        if timezone.now() - sent_at < RECONCILE_WINDOW:
            items_set(arrived, ["status", "message"])
            return Step.wait(RECONCILE_WAIT, "Checking which products reached Konnect")
        next_batch = (job.items.aggregate(m=Max("batch"))["m"] or 0) + 1
        size = _size(job)
        for n, item in enumerate(missing):
            item.status = JobItem.Status.PENDING
            item.batch = next_batch + n // size
    items_set(items, ["status", "message", "batch"])
    batches[str(batch)]["reconciled"] = True
    job.message = f"{len(arrived)} product(s) had arrived; {len(missing)} will be sent again"
    return Step.more()


def _refresh(job: Job) -> Step:
    last = int(job.state.get("refreshed_seq", -1))
    items = list(
        job.items.filter(status=JobItem.Status.SUCCEEDED, seq__gt=last)
        .order_by("seq")
        .values_list("seq", "key")[:CATALOG_WRITE_LIMIT]
    )
    if not items:
        job.message = ""
        return Step.done()
    page = get_client().products(item_code=[k for _, k in items], page_size=len(items))
    job.state["reads"] = int(job.state.get("reads", 0)) + 1
    for remote in page.items:
        product_cache_upsert(dict(remote), job=job)
    job.state["refreshed_seq"] = items[-1][0]
    job.message = "Reading the new products back"
    return Step.more()


def _fail(item: JobItem, errors: list[dict[str, Any]]) -> None:
    item.status = JobItem.Status.FAILED
    item.result = {"errors": errors}
    item.field = str(errors[0].get("field") or "")[:200] if errors else ""
    parts = []
    for error in errors:
        field = str(error.get("field") or "")
        words = FIELD_WORDS.get(field, field.replace("_", " "))
        text = str(error.get("message") or "refused")
        parts.append(f"{words}: {text}" if words else text)
    item.message = "; ".join(parts)[:2000] or "Konnect refused this product."
