"""Celery tasks of the Job engine: thin shells around services, arguments are ids only."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    name="konnect_admin.job_run", acks_late=True, reject_on_worker_lost=True, max_retries=0
)
def job_run(*, job_id: int) -> None:
    from konnect_admin.jobs.runner import job_run as job_run_service

    job_run_service(job_id=job_id)


@shared_task(
    name="konnect_admin.jobs_sweep", acks_late=True, reject_on_worker_lost=True, max_retries=0
)
def jobs_sweep() -> int:
    from konnect_admin.jobs.services import jobs_sweep as jobs_sweep_service

    return jobs_sweep_service()


@shared_task(
    name="konnect_admin.housekeeping", acks_late=True, reject_on_worker_lost=True, max_retries=0
)
def housekeeping() -> int:
    from konnect_admin.jobs.housekeeping import housekeeping_start

    return housekeeping_start().pk
