"""Price and stock writes as Jobs: batches of 500, resumable, never sent twice blindly.

One JobItem per (SKU, location) record holds the record to send (`payload`), the value it
replaces (`before`, for undo), its batch number and its status. The handler moves through
phases kept in `job.state["phase"]`:

    prepare  copy the checked rows of an upload into items (5,000 per step)
    refresh  read the current values from Konnect's listings into the cache (by SKU, or by
             paging through every listing, whichever takes fewer calls)
    plan     for each item: remember the value it replaces; skip it when Konnect already has
             the value (a revert also skips values changed since the job it reverts); number
             the rest into batches of exactly `batch_size` (500, the documented maximum)
    send     one batch per step: mark its items SENDING, send, record each record's outcome

A batch whose items are SENDING when a step starts was sent by a worker that died or got no
answer (timeout, reset): its outcome is unknown, so the handler reads the listings back first
and re-sends, in a new batch, only the records whose value did not arrive. Completed batches
are never sent again. (DESIGN.md, "Ambiguous outcomes".)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Field, Max, Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.models import ProductSize, StockLevel
from catalog.stock import listings_refresh, stock_cache_for
from catalog.uploads.validation import money_text
from konnect_admin.jobs.registry import Step
from konnect_admin.jobs.services import job_create
from konnect_admin.konnect import (
    IMS_WRITE_LIMIT,
    ImsResult,
    KonnectError,
    KonnectValidationError,
    get_client,
)
from konnect_admin.models import Job, JobItem

KIND_PRICE, KIND_INVENTORY = "price_update", "inventory_update"
IMS_KINDS = (KIND_PRICE, KIND_INVENTORY)
PREPARE_CHUNK = 5_000
RECONCILE_WAIT = 5.0  # seconds between an unclear answer and reading the listings back
# A worker that died mid-call may leave a request in flight; read back only after this long.
RECONCILE_AFTER = timedelta(seconds=5)


def split_key(key: str) -> tuple[str, str]:
    sku, _, location = key.rpartition("@")
    return sku, location


def value_text(kind: str, value: dict[str, Any] | None) -> str:
    if not value:
        return "—"
    if kind == KIND_INVENTORY:
        return f"{value.get('quantity')}"
    return f"MRP {money_text(value.get('mrp'))}, selling {money_text(value.get('esp'))}"


def same_value(kind: str, wanted: dict[str, Any] | None, current: dict[str, Any] | None) -> bool:
    if wanted is None or current is None:
        return False
    if kind == KIND_INVENTORY:
        return int(wanted.get("quantity", -1)) == int(current.get("quantity", -2))
    return all(Decimal(str(wanted.get(k))) == Decimal(str(current.get(k))) for k in ("mrp", "esp"))


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def current_value(
    kind: str, level: StockLevel | None, base: tuple[Decimal, Decimal] | None
) -> dict[str, Any] | None:
    """What Konnect has now for one SKU and location, from the (just refreshed) cache."""
    if level is None:
        return None
    if kind == KIND_INVENTORY:
        return {"quantity": level.quantity}
    if level.mrp is not None and level.esp is not None:
        return {"mrp": _number(level.mrp), "esp": _number(level.esp), "override": True}
    if base is None:
        return None
    return {"mrp": _number(base[0]), "esp": _number(base[1]), "override": False}


def record_for(kind: str, sku: str, location: str, value: dict[str, Any]) -> dict[str, Any]:
    """The Konnect record that sets `value` (an undo value or a form's value)."""
    if kind == KIND_INVENTORY:
        return {"location_id": location, "sku": sku, "quantity": int(value["quantity"])}
    return {
        "location_id": location,
        "sku": sku,
        "esp": value["esp"],
        "mrp": value["mrp"],
        "currency": "INR",
    }


def ims_job_start(
    *,
    kind: str,
    user: Any,
    title: str,
    items: Iterable[tuple[str, dict[str, Any], dict[str, Any] | None]] = (),
    total: int | None = None,
    upload_id: int | None = None,
    revert_of: Job | None = None,
    audit_action: str,
    audit_object: tuple[str, str, str],
    request: Any = None,
    source: str = "ui",
    batch_size: int = IMS_WRITE_LIMIT,
    audit_before: Any = None,
    audit_after: Any = None,
) -> Job:
    """Store the job (and its items, unless an upload's rows are copied in by the job itself),
    audit it with counts and a sample of before and after, and wake a worker."""
    rows = list(items)
    if upload_id is None and not rows:
        raise ValueError("nothing to send")
    if not 1 <= batch_size <= IMS_WRITE_LIMIT:
        raise ValueError(f"batch_size must be 1..{IMS_WRITE_LIMIT}")
    sample = rows[:10]
    return job_create(
        kind=kind,
        title=title,
        created_by=user,
        params={
            "upload_id": upload_id,
            "revert_of": revert_of.pk if revert_of else None,
            "batch_size": batch_size,
        },
        items=[(key, payload) for key, payload, _ in rows],
        item_before=[before for _, _, before in rows],
        total=total if total is not None else len(rows),
        parent=revert_of,
        audit_action=audit_action,
        audit_object=audit_object,
        audit_before=audit_before or {"count": len(rows), "sample": [b for _, _, b in sample]},
        audit_after=audit_after or {"count": len(rows), "sample": [p for _, p, _ in sample]},
        source=source,
        request=request,
    )


def items_set(items: list[JobItem], fields: list[str]) -> None:
    """Write `fields` of many items at once: one executemany instead of Django's bulk_update
    (whose CASE WHEN per row makes 10,000 items take seconds). Values go through each field's
    own preparation, so JSON is stored exactly as Django would store it."""
    if not items:
        return
    now = timezone.now()
    for item in items:
        item.updated_at = now
    meta = JobItem._meta
    columns: list[Field[Any, Any]] = [
        field
        for name in [*fields, "updated_at"]
        if isinstance(field := meta.get_field(name), Field)
    ]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in columns)
    table, pk = quote(meta.db_table), quote(str(meta.pk.column) if meta.pk else "id")
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 Django's own names  # nosec B608
    rows = [
        [f.get_db_prep_save(getattr(item, f.attname), connection) for f in columns] + [item.pk]
        for item in items
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def ims_write_run(job: Job) -> Step:
    phase = job.state.get("phase")
    if phase is None:
        # An upload's rows are copied in by the job; a retry or revert brings its own items.
        from_upload = job.params.get("upload_id") and not job.items.exists()
        phase = job.state["phase"] = "prepare" if from_upload else "refresh"
    handler = {"prepare": _prepare, "refresh": _refresh, "plan": _plan, "send": _send}[phase]
    return handler(job)


# --- phases -----------------------------------------------------------------------------------


def _prepare(job: Job) -> Step:
    from catalog.models import UploadRow

    last = int(job.state.get("prepared_row", 0))
    rows = list(
        UploadRow.objects.filter(upload_id=job.params["upload_id"], row__gt=last)
        .exclude(status=UploadRow.Status.INVALID)
        .order_by("row")
        .values_list("row", "key", "payload", "before")[:PREPARE_CHUNK]
    )
    JobItem.objects.bulk_create(
        [
            JobItem(job=job, seq=row, key=key, payload=payload, before=before)
            for row, key, payload, before in rows
        ],
        batch_size=1000,
        ignore_conflicts=True,  # a repeated step (worker died) re-inserts nothing
    )
    job.message = "Preparing the records"
    if len(rows) == PREPARE_CHUNK:
        job.state["prepared_row"] = rows[-1][0]
    else:
        job.state["phase"] = "refresh"
    return Step.more()


def _refresh(job: Job) -> Step:
    skus = job.state.get("skus")
    if skus is None:
        keys = job.items.filter(status=JobItem.Status.PENDING).values_list("key", flat=True)
        skus = job.state["skus"] = sorted({split_key(k)[0] for k in keys})
    state = job.state.setdefault("refresh", {})
    job.message = "Reading the current values from Konnect"
    if listings_refresh(get_client(), skus=skus, state=state):
        job.state["phase"] = "plan"
        job.state["reads"] = int(state.get("calls", 0)) + 1
        job.state.pop("skus", None)
        job.state.pop("refresh", None)
    return Step.more()


def _plan(job: Job) -> Step:
    items = list(
        job.items.filter(status=JobItem.Status.PENDING, batch__isnull=True).order_by("seq")
    )
    pairs = [split_key(i.key) for i in items]
    levels = stock_cache_for(pairs)
    bases: dict[str, tuple[Decimal, Decimal]] = {}
    if job.kind == KIND_PRICE:
        skus = sorted({sku for sku, _ in pairs})
        for start in range(0, len(skus), 2000):
            bases.update(
                (sku, (price, effective))
                for sku, price, effective in ProductSize.objects.filter(
                    sku__in=skus[start : start + 2000]
                ).values_list("sku", "price", "price_effective")
            )
    revert_of = job.params.get("revert_of")
    size = int(job.params.get("batch_size") or IMS_WRITE_LIMIT)
    first_batch = (job.items.aggregate(m=Max("batch"))["m"] or 0) + 1
    sending = 0
    for item, (sku, location) in zip(items, pairs, strict=True):
        current = current_value(job.kind, levels.get((sku, location)), bases.get(sku))
        if revert_of and current is not None and not same_value(job.kind, item.before, current):
            item.status = JobItem.Status.SKIPPED
            item.message = (
                f"Changed since job {revert_of} (now {value_text(job.kind, current)}), so it was"
                " left as it is."
            )
        elif not revert_of and same_value(job.kind, item.payload, current):
            item.status = JobItem.Status.SKIPPED
            item.message = "Konnect already has this value; nothing sent."
        else:
            item.batch = first_batch + sending // size
            sending += 1
        if current is not None:
            item.before = current
    items_set(items, ["before", "status", "batch", "message"])
    job.state["phase"] = "send"
    job.state["batches_planned"] = -(-sending // size)
    return Step.more()


def _send(job: Job) -> Step:
    sending = job.items.filter(status=JobItem.Status.SENDING)
    if sending.exists():
        return _reconcile(job, list(sending.order_by("seq")))
    batch = job.items.filter(status=JobItem.Status.PENDING).aggregate(b=Min("batch"))["b"]
    if batch is None:
        job.message = ""
        return Step.done()
    items = list(job.items.filter(status=JobItem.Status.PENDING, batch=batch).order_by("seq"))
    ids = [i.pk for i in items]
    JobItem.objects.filter(pk__in=ids).update(
        status=JobItem.Status.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    job.state["sent_at"] = timezone.now().isoformat()
    job.save(update_fields=["state"])
    client = get_client()
    method = client.price_update if job.kind == KIND_PRICE else client.inventory_update
    try:
        result = method([i.payload for i in items])
    except KonnectValidationError as exc:  # refused as a whole: nothing was applied
        for item in items:
            _failed(item, exc.code or "REFUSED", f"Konnect refused the whole batch: {exc.message}")
        items_set(items, ["status", "error_code", "message"])
        return Step.more()
    except KonnectError as exc:
        if getattr(exc, "ambiguous", False):
            job.message = "Konnect did not answer clearly; checking what arrived before going on"
            return Step.wait(RECONCILE_WAIT, job.message)
        JobItem.objects.filter(pk__in=ids).update(status=JobItem.Status.PENDING)
        raise  # nothing reached Konnect: the runner backs off and the batch is sent again
    _record(job, items, result)
    job.state["writes"] = int(job.state.get("writes", 0)) + 1
    job.message = f"Batch {batch} sent"
    return Step.more()


def _record(job: Job, items: list[JobItem], result: ImsResult) -> None:
    errors = result.errors_by_index()
    succeeded = []
    failed = []
    for index, item in enumerate(items):
        problems = errors.get(index)
        if problems:
            first = problems[0]
            _failed(item, str(first.get("code") or ""), _ims_message(first, item.key))
            failed.append(item)
        else:
            item.status = JobItem.Status.SUCCEEDED
            succeeded.append(item)
    with transaction.atomic():
        JobItem.objects.filter(pk__in=[i.pk for i in succeeded]).update(
            status=JobItem.Status.SUCCEEDED, updated_at=timezone.now()
        )
        items_set(failed, ["status", "error_code", "message"])
        _cache_apply(job, succeeded)


def _failed(item: JobItem, code: str, message: str) -> None:
    item.status = JobItem.Status.FAILED
    item.error_code = code[:32]
    item.message = message


def _ims_message(error: dict[str, Any] | Any, key: str) -> str:
    sku, location = split_key(key)
    code = str(error.get("code") or "")
    said = str(error.get("message") or "")
    if code == "IMS404" and "location" in said.lower():
        return f"Konnect does not know location {location}."
    if code == "IMS404":
        return f"Konnect does not know SKU {sku} (it may have been deleted)."
    if code == "IMS403":
        return f"Our Konnect credentials do not cover location {location}."
    if code == "IMS400":
        return f"Konnect refused the value: {said}"
    return said or "Konnect refused this record."


def _cache_apply(job: Job, items: list[JobItem]) -> None:
    """Successful records are now Konnect's values: keep the cache in step."""
    now = timezone.now()
    rows = []
    for item in items:
        sku, location = split_key(item.key)
        payload = item.payload
        if job.kind == KIND_INVENTORY:
            rows.append(
                StockLevel(
                    sku=sku,
                    location_code=location,
                    quantity=payload["quantity"],
                    synced_at=now,
                    last_job=job,
                )
            )
        else:
            rows.append(
                StockLevel(
                    sku=sku,
                    location_code=location,
                    mrp=Decimal(str(payload["mrp"])),
                    esp=Decimal(str(payload["esp"])),
                    synced_at=now,
                    last_job=job,
                )
            )
    fields = ["quantity"] if job.kind == KIND_INVENTORY else ["mrp", "esp"]
    StockLevel.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["sku", "location_code"],
        update_fields=[*fields, "synced_at", "last_job"],
        batch_size=1000,
    )


def _reconcile(job: Job, items: list[JobItem]) -> Step:
    """A batch went out but its answer never came back: read back, keep what arrived, and
    queue only the rest (in a new batch) to be sent again."""
    sent_at = parse_datetime(str(job.state.get("sent_at") or "")) or job.updated_at
    if timezone.now() - sent_at < RECONCILE_AFTER:
        return Step.wait(RECONCILE_WAIT, "Waiting before checking what reached Konnect")
    state = job.state.setdefault("reconcile", {})
    skus = sorted({split_key(i.key)[0] for i in items})
    if not listings_refresh(get_client(), skus=skus, state=state):
        return Step.more()
    job.state.pop("reconcile", None)
    job.state["reads"] = int(job.state.get("reads", 0)) + int(state.get("calls", 0)) + 1
    levels = stock_cache_for(split_key(i.key) for i in items)
    size = int(job.params.get("batch_size") or IMS_WRITE_LIMIT)
    next_batch = (job.items.aggregate(m=Max("batch"))["m"] or 0) + 1
    again = 0
    for item in items:
        sku, location = split_key(item.key)
        level = levels.get((sku, location))
        base = None
        if job.kind == KIND_PRICE and level is not None:
            size_row = ProductSize.objects.filter(sku=sku).first()
            base = (size_row.price, size_row.price_effective) if size_row else None
        if same_value(job.kind, item.payload, current_value(job.kind, level, base)):
            item.status = JobItem.Status.SUCCEEDED
            item.message = "Confirmed by reading Konnect back after an unclear answer."
        else:
            item.status = JobItem.Status.PENDING
            item.batch = next_batch + again // size
            again += 1
    items_set(items, ["status", "batch", "message"])
    job.message = (
        f"{len(items) - again} record(s) had arrived; {again} will be sent again"
        if again
        else "Every record of the unclear batch had arrived"
    )
    return Step.more()
