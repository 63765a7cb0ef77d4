"""Running a Job: lease it, run its kind's steps within a time budget, and record the result.

Transient failures (errors with `retryable = True`: timeouts, 5xx, 429) back off with full
jitter (base 2 s, cap 300 s) for at most JOB_MAX_TRANSIENT_FAILURES consecutive failures, then
the Job fails with "needs attention". An open circuit breaker (`circuit_open = True`) makes the
Job wait without spending an attempt: an outage pauses work, it does not fail it.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from konnect_admin.audit import audit_record
from konnect_admin.jobs import registry
from konnect_admin.jobs.registry import Step
from konnect_admin.jobs.services import job_enqueue, job_refresh_counts
from konnect_admin.models import AuditEvent, Job
from konnect_admin.redaction import scrub

logger = logging.getLogger(__name__)

BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0
JOB_MAX_TRANSIENT_FAILURES = 8
STEP_BUDGET_SECONDS = 20.0
# Waits up to this long also get a delayed wake-up message; longer ones rely on the sweeper so
# no countdown ever approaches the Redis visibility timeout.
MAX_COUNTDOWN_SECONDS = 60.0


def backoff_delay(failures: int, *, rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff: uniform(0, min(cap, base * 2**(failures-1)))."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, failures - 1))
    return (rng or random).uniform(0, ceiling)


def _lease(job_id: int) -> Job | None:
    now = timezone.now()
    runnable = (
        Q(status__in=[Job.Status.PENDING, Job.Status.WAITING], next_run_at__lte=now)
        | Q(status=Job.Status.PENDING, next_run_at__isnull=True)
        | Q(status=Job.Status.RUNNING, lease_expires_at__lt=now)
    )
    taken = Job.objects.filter(Q(pk=job_id) & runnable).update(
        status=Job.Status.RUNNING,
        lease_expires_at=now + timedelta(seconds=settings.JOB_LEASE_SECONDS),
        started_at=Coalesce("started_at", now),
    )
    return Job.objects.get(pk=job_id) if taken else None


def _finish(job: Job, step: Step) -> None:
    job_refresh_counts(job=job)
    if step.final_status:
        job.status = step.final_status
    elif job.failed and not job.done:
        job.status = Job.Status.FAILED
    elif job.failed:
        job.status = Job.Status.PARTIAL
    else:
        job.status = Job.Status.SUCCEEDED
    job.message = step.reason[:500]  # a waiting note ("Konnect is processing it") is stale now
    job.finished_at = timezone.now()
    job.next_run_at = None
    job.lease_expires_at = None
    job.save()
    outcome = {
        Job.Status.SUCCEEDED.value: AuditEvent.Outcome.SUCCEEDED.value,
        Job.Status.PARTIAL.value: AuditEvent.Outcome.PARTIAL.value,
    }.get(job.status, AuditEvent.Outcome.FAILED.value)
    first = job.audit_events.order_by("at", "id").first()
    audit_record(
        user=job.created_by,
        action=first.action if first else f"{job.kind}.run",
        object_type=first.object_type if first else "job",
        object_id=first.object_id if first else str(job.pk),
        object_repr=first.object_repr if first else job.title,
        summary=f"{job.done} succeeded, {job.failed} failed of {job.total}"
        + (f": {job.message}" if job.message else ""),
        outcome=outcome,
        job=job,
        source=first.source if first else "system",
    )


def _wait(job: Job, seconds: float, reason: str) -> None:
    job_refresh_counts(job=job)
    job.status = Job.Status.WAITING
    job.message = reason[:500]
    job.next_run_at = timezone.now() + timedelta(seconds=seconds)
    job.lease_expires_at = None
    job.save()
    if seconds <= MAX_COUNTDOWN_SECONDS:
        job_enqueue(job=job, countdown=max(seconds, 0.05))


def job_run(*, job_id: int) -> None:
    job = _lease(job_id)
    if job is None:
        return  # duplicate delivery, not due yet, or another worker holds the lease
    kind = registry.get(job.kind)
    deadline = time.monotonic() + STEP_BUDGET_SECONDS
    while True:
        try:
            step = kind.run(job)
        except Exception as exc:
            _on_error(job, exc)
            return
        if job.state.pop("transient_failures", None) is not None:
            job.save(update_fields=["state"])
        if step.outcome == "done":
            _finish(job, step)
            return
        if step.outcome == "wait":
            _wait(job, step.wait_seconds, step.reason)
            return
        if time.monotonic() >= deadline:
            _wait(job, 0, "Continuing")
            return
        job_refresh_counts(job=job)
        job.save(
            update_fields=["done", "failed", "total", "state", "trace_id", "message", "updated_at"]
        )


def _on_error(job: Job, exc: Exception) -> None:
    message = scrub(str(exc)) or type(exc).__name__
    if getattr(exc, "circuit_open", False):
        _wait(
            job, float(getattr(exc, "retry_after", None) or 30), "Konnect is unreachable; waiting"
        )
        return
    if getattr(exc, "retryable", False):
        failures = int(job.state.get("transient_failures", 0)) + 1
        job.state["transient_failures"] = failures
        if failures <= JOB_MAX_TRANSIENT_FAILURES:
            delay = backoff_delay(failures)
            retry_after = getattr(exc, "retry_after", None)
            if retry_after:
                delay = max(delay, min(float(retry_after), 900.0))
            _wait(job, delay, f"Retrying after a temporary error: {message}")
            return
        message = f"Needs attention: gave up after {failures - 1} retries ({message})"
    else:
        logger.error("job %s (%s) failed", job.pk, job.kind, exc_info=exc)
    job.errors = [*job.errors, {"message": message}][-50:]
    _finish(job, Step.done(status=Job.Status.FAILED, reason=message))
