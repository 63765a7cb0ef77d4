"""Creating, cancelling and sweeping Jobs."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from konnect_admin.audit import audit_record
from konnect_admin.models import AuditEvent, Job, JobItem
from konnect_admin.redaction import redact

logger = logging.getLogger(__name__)

# Pending Jobs whose wake-up message should long have run are re-enqueued by the sweeper; the
# filesystem broker forgets a message for good when the worker that fetched it dies.
PENDING_GRACE = timedelta(seconds=60)
ITEM_BULK_SIZE = 1000


def job_enqueue(*, job: Job, countdown: float | None = None) -> None:
    """Wake a worker for `job` once the current transaction commits."""
    from konnect_admin.tasks import job_run as job_run_task

    if countdown and settings.CELERY_TASK_ALWAYS_EAGER:
        return  # eager mode would run it immediately; the sweeper (or the test) picks it up
    job_id = job.pk

    def send() -> None:
        try:
            if countdown:
                job_run_task.apply_async(kwargs={"job_id": job_id}, countdown=countdown)
            else:
                job_run_task.delay(job_id=job_id)
        except Exception:  # broker down: the Job row is stored, the sweeper will retry
            logger.warning(
                "could not enqueue job %s; the sweeper will pick it up", job_id, exc_info=True
            )

    transaction.on_commit(send)


@transaction.atomic
def job_create(
    *,
    kind: str,
    title: str,
    created_by: Any,
    params: dict[str, Any] | None = None,
    items: Iterable[tuple[str, dict[str, Any]]] = (),
    item_before: Iterable[Any] | None = None,
    total: int | None = None,
    parent: Job | None = None,
    audit_action: str | None = None,
    audit_object: tuple[str, str, str] = ("", "", ""),
    audit_before: Any = None,
    audit_after: Any = None,
    source: str = "ui",
    request: Any = None,
    start: bool = True,
) -> Job:
    """Store a Job and its items (the outbox), audit the request, and wake a worker on commit."""
    from konnect_admin.jobs import registry

    registry.get(kind)  # refuse unknown kinds before anything is stored
    now = timezone.now()
    job = Job.objects.create(
        kind=kind,
        title=title[:300],
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        params=redact(params or {}),
        parent=parent,
        next_run_at=now,
        created_at=now,
    )
    befores = list(item_before) if item_before is not None else None
    rows = [
        JobItem(
            job=job,
            seq=i,
            key=str(key)[:200],
            payload=payload,
            before=befores[i] if befores is not None else None,
        )
        for i, (key, payload) in enumerate(items)
    ]
    JobItem.objects.bulk_create(rows, batch_size=ITEM_BULK_SIZE)
    job.total = total if total is not None else len(rows)
    job.save(update_fields=["total"])
    if audit_action:
        object_type, object_id, object_repr = audit_object
        audit_record(
            user=created_by,
            action=audit_action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            summary=title,
            before=audit_before,
            after=audit_after,
            outcome=AuditEvent.Outcome.REQUESTED,
            job=job,
            source=source,
            request=request,
        )
    if start:
        job_enqueue(job=job)
    return job


def job_refresh_counts(*, job: Job) -> None:
    """Recompute done/failed from the items (absolute values, safe to repeat)."""
    counts = job.items.aggregate(
        n=Count("id"),
        done=Count("id", filter=Q(status__in=[JobItem.Status.SUCCEEDED, JobItem.Status.SKIPPED])),
        failed=Count("id", filter=Q(status=JobItem.Status.FAILED)),
    )
    if counts["n"]:
        job.done = counts["done"]
        job.failed = counts["failed"]
        job.total = max(job.total, counts["n"])


def job_cancel(*, job: Job, user: Any) -> bool:
    """Cancel a Job that has not started sending; returns False if it is already under way."""
    updated = Job.objects.filter(
        pk=job.pk, status__in=[Job.Status.PENDING, Job.Status.WAITING]
    ).update(
        status=Job.Status.CANCELLED,
        finished_at=timezone.now(),
        message="Cancelled by user",
        next_run_at=None,
    )
    if updated:
        audit_record(
            user=user,
            action="job.cancel",
            object_type="job",
            object_id=str(job.pk),
            object_repr=job.title,
            job=job,
        )
    return bool(updated)


def jobs_due(*, now: Any = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    due = (
        Q(status=Job.Status.WAITING, next_run_at__lte=now)
        | Q(status=Job.Status.PENDING, next_run_at__lte=now - PENDING_GRACE)
        | Q(status=Job.Status.RUNNING, lease_expires_at__lt=now)
    )
    return list(
        Job.objects.filter(due).order_by("next_run_at").values_list("pk", flat=True)[:limit]
    )


def jobs_sweep() -> int:
    """Re-enqueue every Job that is due and has no live worker on it; returns how many."""
    from konnect_admin.tasks import job_run as job_run_task

    ids = jobs_due()
    for job_id in ids:
        try:
            job_run_task.delay(job_id=job_id)
        except Exception:
            logger.warning("sweeper could not enqueue job %s", job_id)
            break
    if ids:
        logger.info("sweeper re-enqueued %d job(s)", len(ids))
    return len(ids)


def job_retry_failed(*, job: Job, user: Any, request: Any = None) -> Job:
    """A new Job of the same kind for the records that failed (or the whole Job if it had none).

    The new Job carries the same parameters and the failed records' payloads (and the values they
    replaced, for undo); it links back to the original through `parent`.
    """
    failed = list(job.items.filter(status=JobItem.Status.FAILED).order_by("seq"))
    if job.items.exists() and not failed:
        raise ValueError("This job has no failed records to retry.")
    first = job.audit_events.order_by("at", "id").first()
    return job_create(
        kind=job.kind,
        title=f"Retry of job {job.pk}: {job.title}"[:300],
        created_by=user,
        params=job.params,
        items=[(item.key, item.payload) for item in failed],
        item_before=[item.before for item in failed],
        total=len(failed) if failed else job.total,
        parent=job,
        audit_action=first.action if first else f"{job.kind}.retry",
        audit_object=(first.object_type, first.object_id, first.object_repr)
        if first
        else ("job", str(job.pk), job.title),
        audit_after={"retry_of": job.pk, "records": len(failed)},
        source="retry",
        request=request,
    )
