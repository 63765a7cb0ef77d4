"""Housekeeping: drop per-record detail of long-finished Jobs (the Job rows and audit stay)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from konnect_admin.jobs.registry import Step
from konnect_admin.models import Job, JobItem

BATCH = 5000


def housekeeping_run(job: Job) -> Step:
    cutoff = timezone.now() - timedelta(days=settings.JOB_ITEM_RETENTION_DAYS)
    old_jobs = Job.objects.filter(status__in=Job.TERMINAL, finished_at__lt=cutoff)
    ids = list(JobItem.objects.filter(job__in=old_jobs).values_list("pk", flat=True)[:BATCH])
    deleted, _ = JobItem.objects.filter(pk__in=ids).delete()
    job.state["deleted"] = int(job.state.get("deleted", 0)) + deleted
    job.message = (
        f"Removed {job.state['deleted']} record(s) of jobs finished before {cutoff:%d %b %Y}"
    )
    if len(ids) == BATCH:
        return Step.more()
    return Step.done(status=Job.Status.SUCCEEDED, reason=job.message)


def housekeeping_start() -> Job:
    from konnect_admin.jobs.services import job_create

    return job_create(kind="housekeeping", title="Housekeeping", created_by=None, source="system")
