"""Product create, update and delete as Jobs that follow the Konnect trace to a terminal state.

A write is stored (Job + one JobItem holding the exact payload) and audited before it is sent.
The handler then moves through phases kept in `job.state["phase"]`:

    send  → Konnect answers with a trace_id (records refused at submit fail here)
    poll  → GET catalog/status, backing off 2 s → 60 s, until terminal; "stuck" after 30 min
    refresh → read the product back and update the local cache

A timeout or reset after the write was sent is ambiguous: the item is left in SENDING and the
next step reads the product back by item code before anything is sent again, so a create is
never sent twice blindly.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.models import Product
from catalog.product_cache import product_cache_upsert, product_mark_pending
from konnect_admin.jobs.registry import Step
from konnect_admin.jobs.services import job_create
from konnect_admin.konnect import KonnectError, get_client
from konnect_admin.models import Job, JobItem

POLL_FIRST = 2.0
POLL_CAP = 60.0
STUCK_AFTER = timedelta(minutes=30)
# How long to keep reading back after an ambiguous send before sending again; longer than the
# time Konnect (and the sandbox) take to turn a trace terminal.
RECONCILE_WINDOW = timedelta(seconds=90)

KIND_CREATE, KIND_UPDATE, KIND_DELETE = "product_create", "product_update", "product_delete"
VERBS = {KIND_CREATE: "Create", KIND_UPDATE: "Update", KIND_DELETE: "Delete"}


def product_write_start(
    *,
    kind: str,
    user: Any,
    template: str,
    payload: dict[str, Any],
    title: str,
    before: Any = None,
    form_data: dict[str, Any] | None = None,
    request: Any = None,
) -> Job:
    job = job_create(
        kind=kind,
        title=title,
        created_by=user,
        params={"template": template, "form_data": form_data or {}},
        items=[(payload["item_code"], payload)],
        audit_action=f"product.{kind.split('_', 1)[1]}",
        audit_object=("product", payload["item_code"], payload.get("name", payload["item_code"])),
        audit_before=before,
        audit_after=payload,
        request=request,
    )
    if kind in (KIND_CREATE, KIND_UPDATE):
        product_mark_pending(payload=payload, template=template, job=job)
    else:
        Product.objects.filter(item_code=payload["item_code"]).update(
            state=Product.State.PENDING, last_job=job
        )
    return job


def _send(job: Job, item: JobItem) -> Step:
    client = get_client()
    method = {
        KIND_CREATE: client.products_create,
        KIND_UPDATE: client.products_update,
        KIND_DELETE: client.products_delete,
    }[job.kind]
    item.status = JobItem.Status.SENDING
    item.attempts += 1
    item.save(update_fields=["status", "attempts", "updated_at"])
    job.state["sent_at"] = timezone.now().isoformat()
    job.save(update_fields=["state"])
    try:
        accepted = method(template=job.params["template"], products=[item.payload])
    except KonnectError as exc:
        if getattr(exc, "ambiguous", False):
            job.state["phase"] = "reconcile"
            return Step.wait(
                5, "Konnect did not answer in time; checking whether the change arrived"
            )
        if not getattr(exc, "retryable", False):
            _fail_item(
                item,
                _error_list(getattr(exc, "errors", None)) or [{"field": "", "message": str(exc)}],
            )
            return _finish(job)
        item.status = JobItem.Status.PENDING  # nothing reached Konnect: safe to send again
        item.save(update_fields=["status", "updated_at"])
        raise
    job.trace_id = accepted.trace_id
    if accepted.success == 0:
        _fail_item(
            item,
            _index_errors(accepted.errors, 0)
            or [{"field": "", "message": "Konnect refused the product."}],
        )
        return _finish(job)
    job.state.update(phase="poll", polls=0)
    return Step.wait(POLL_FIRST, "Sent; Konnect is processing it")


def _poll(job: Job, item: JobItem) -> Step:
    status = get_client().catalog_status(trace_id=job.trace_id)
    if status.is_pending:
        polls = int(job.state.get("polls", 0)) + 1
        job.state["polls"] = polls
        sent_at = parse_datetime(job.state.get("sent_at", "")) or job.created_at
        if timezone.now() - sent_at > STUCK_AFTER:
            _fail_item(
                item,
                [
                    {
                        "field": "",
                        "message": "Konnect has not finished this change after 30 minutes.",
                    }
                ],
            )
            return _finish(job, reason="Stuck: Konnect did not finish processing in 30 minutes")
        return Step.wait(
            min(POLL_CAP, POLL_FIRST * 1.5**polls), f"Konnect is processing it (check {polls})"
        )
    errors = _index_errors(status.errors, 0)
    if status.failed and errors:
        _fail_item(item, errors)
    elif status.failed:
        _fail_item(
            item,
            [{"field": "", "message": status.message or "Konnect could not apply the change."}],
        )
    else:
        item.status = JobItem.Status.SUCCEEDED
        item.message = ""
        item.save(update_fields=["status", "message", "updated_at"])
    job.state["phase"] = "refresh"
    return Step.more()


def _reconcile(job: Job, item: JobItem) -> Step:
    """After an ambiguous send: did the change take effect? Only then decide to send again."""
    remote = _read_back(item.key)
    payload = item.payload
    took_effect = (
        (job.kind == KIND_CREATE and remote is not None)
        or (
            job.kind == KIND_DELETE
            and (
                remote is None
                if "sizes" not in payload
                else not set(_skus(payload)) & set(_skus(remote or {}))
            )
        )
        or (job.kind == KIND_UPDATE and remote is not None and _matches(remote, payload))
    )
    if took_effect:
        item.status = JobItem.Status.SUCCEEDED
        item.save(update_fields=["status", "updated_at"])
        job.state["phase"] = "refresh"
        return Step.more()
    sent_at = parse_datetime(job.state.get("sent_at", "")) or job.created_at
    if timezone.now() - sent_at < RECONCILE_WINDOW:
        return Step.wait(10, "Checking whether Konnect received the change")
    item.status = JobItem.Status.PENDING  # it did not arrive: sending again cannot duplicate it
    item.save(update_fields=["status", "updated_at"])
    job.state["phase"] = "send"
    return Step.more()


def _refresh(job: Job, item: JobItem) -> Step:
    remote = _read_back(item.key)
    if remote is not None:
        product_cache_upsert(remote, job=job)
        if item.status == JobItem.Status.FAILED:
            Product.objects.filter(item_code=item.key).update(
                state=Product.State.FAILED, last_job=job
            )
    elif job.kind == KIND_CREATE:
        Product.objects.filter(item_code=item.key).delete()  # the create never happened
    else:
        Product.objects.filter(item_code=item.key).update(state=Product.State.DELETED, last_job=job)
    return _finish(job)


def product_write_run(job: Job) -> Step:
    item = job.items.get()
    phase = job.state.get("phase", "send")
    if phase == "send" and item.status == JobItem.Status.SENDING:
        phase = "reconcile"  # a worker died mid-send: same as an ambiguous answer
    handler = {"send": _send, "poll": _poll, "reconcile": _reconcile, "refresh": _refresh}[phase]
    return handler(job, item)


def _finish(job: Job, reason: str = "") -> Step:
    item = job.items.get()
    if item.status == JobItem.Status.FAILED:
        Product.objects.filter(item_code=item.key, state=Product.State.PENDING).update(
            state=Product.State.FAILED
        )
        if job.kind == KIND_CREATE and not _read_back(item.key):
            Product.objects.filter(item_code=item.key).delete()
    return Step.done(
        reason=reason or (item.message if item.status == JobItem.Status.FAILED else "")
    )


def _fail_item(item: JobItem, errors: list[dict[str, str]]) -> None:
    item.status = JobItem.Status.FAILED
    item.result = {"errors": errors}
    item.field = errors[0].get("field", "") if errors else ""
    item.message = "; ".join(
        f"{e['field']}: {e['message']}" if e.get("field") else e["message"] for e in errors
    )[:2000]
    item.save(update_fields=["status", "result", "field", "message", "updated_at"])


def _error_list(errors: Any) -> list[dict[str, str]]:
    out = []
    for e in errors or []:
        if isinstance(e, dict):
            out.append({"field": str(e.get("field") or ""), "message": str(e.get("message") or e)})
        else:
            out.append({"field": "", "message": str(e)})
    return out


def _index_errors(errors: Any, index: int) -> list[dict[str, str]]:
    if isinstance(errors, dict):
        return _error_list(errors.get(str(index)) or errors.get(index))
    return _error_list(errors)


def _read_back(item_code: str) -> dict[str, Any] | None:
    page = get_client().products(item_code=[item_code], page_size=1)
    return dict(page.items[0]) if page.items else None


def _skus(product: dict[str, Any]) -> list[str]:
    return [s["primary_identifier"] for s in product.get("sizes") or []]


def _matches(remote: dict[str, Any], payload: dict[str, Any]) -> bool:
    keys = ("name", "hs_code", "description", "short_description", "attributes")
    return all(remote.get(k) == payload.get(k) for k in keys if k in payload) and set(
        _skus(payload)
    ) <= set(_skus(remote))


def product_errors(job: Job) -> list[dict[str, str]]:
    item = job.items.first()
    return list((item.result or {}).get("errors") or []) if item else []
