"""Undo for price and stock jobs: a new Job that puts back the values a job replaced.

Each record the original job applied kept the value it replaced (`JobItem.before`, read from
Konnect's listings just before sending). The revert job sends those values back, but only
where Konnect still holds what the original job set: the job reads the listings again before
sending, and a value changed since (by someone else, another upload, the product page) is
skipped and reported. The confirmation page warns about the ones the cache already shows as
changed. A revert is itself a price or stock job, so it can be reverted too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalog.ims_writes import (
    IMS_KINDS,
    KIND_INVENTORY,
    current_value,
    ims_job_start,
    record_for,
    same_value,
    split_key,
    value_text,
)
from catalog.models import ProductSize
from catalog.stock import stock_cache_for
from konnect_admin.models import Job, JobItem


class RevertRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class RevertPlan:
    job: Job
    restore: list[tuple[JobItem, dict[str, Any]]] = field(default_factory=list)
    changed: list[tuple[JobItem, dict[str, Any]]] = field(default_factory=list)  # (item, now)
    without_before: int = 0

    @property
    def count(self) -> int:
        return len(self.restore) + len(self.changed)


def revert_blocker(job: Job) -> str | None:
    if job.kind not in IMS_KINDS:
        return "Only price and stock jobs can be reverted."
    if not job.is_terminal:
        return "The job is still running; wait until it has finished."
    reverts = job.children.filter(kind=job.kind, params__revert_of=job.pk)
    if reverts.exclude(status__in=[Job.Status.FAILED, Job.Status.CANCELLED]).exists():
        return "This job has already been reverted."
    if not job.items.filter(status=JobItem.Status.SUCCEEDED, before__isnull=False).exists():
        return "The job changed nothing that could be put back."
    return None


def revert_plan(job: Job) -> RevertPlan:
    plan = RevertPlan(job)
    items = list(job.items.filter(status=JobItem.Status.SUCCEEDED).order_by("seq"))
    pairs = [split_key(i.key) for i in items]
    levels = stock_cache_for(pairs)
    bases = {}
    if job.kind != KIND_INVENTORY:
        bases = {
            sku: (price, effective)
            for sku, price, effective in ProductSize.objects.filter(
                sku__in=sorted({s for s, _ in pairs})
            ).values_list("sku", "price", "price_effective")
        }
    for item, (sku, location) in zip(items, pairs, strict=True):
        if item.before is None:
            plan.without_before += 1
            continue
        now = current_value(job.kind, levels.get((sku, location)), bases.get(sku))
        if now is not None and not same_value(job.kind, item.payload, now):
            plan.changed.append((item, now))
        else:
            plan.restore.append((item, item.before))
    return plan


def revert_start(*, job: Job, user: Any, request: Any = None) -> Job:
    """Start the revert Job (the values changed since are re-checked, and skipped, by it)."""
    blocker = revert_blocker(job)
    if blocker:
        raise RevertRefused(blocker)
    plan = revert_plan(job)
    items = []
    for item, _ in [*plan.restore, *plan.changed]:
        sku, location = split_key(item.key)
        before = item.before or {}
        items.append((item.key, record_for(job.kind, sku, location, before), item.payload))
    if not items:
        raise RevertRefused("The job changed nothing that could be put back.")
    what = ("stock value" if job.kind == KIND_INVENTORY else "price") + (
        "s" if len(items) > 1 else ""
    )
    return ims_job_start(
        kind=job.kind,
        user=user,
        title=f"Revert job {job.pk}: put back {len(items):,} {what}",
        items=items,
        revert_of=job,
        audit_action=f"{'inventory' if job.kind == KIND_INVENTORY else 'price'}.revert",
        audit_object=("job", str(job.pk), job.title),
        audit_before={
            "count": len(items),
            "sample": [{"key": k, "value": v} for k, _, v in items[:10]],
            "changed_since": len(plan.changed),
        },
        audit_after={"count": len(items), "sample": [p for _, p, _ in items[:10]]},
        request=request,
    )


def describe(kind: str, value: dict[str, Any] | None) -> str:
    return value_text(kind, value)
