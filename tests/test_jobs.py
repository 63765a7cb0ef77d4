"""The Job engine: stored before sent, leased, resumable, bounded retries, truthful counts."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from konnect_admin.jobs import registry, runner
from konnect_admin.jobs.registry import JobKind, Step
from konnect_admin.jobs.services import job_cancel, job_create, jobs_due, jobs_sweep
from konnect_admin.models import AuditEvent, Job, JobItem

pytestmark = pytest.mark.django_db


class Transient(Exception):
    retryable = True


class Outage(Exception):
    circuit_open = True
    retry_after = 42


class Recorder:
    """A handler that sends its pending items in batches of two and records what it sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.fail_next: list[Exception] = []

    def __call__(self, job: Job) -> Step:
        if self.fail_next:
            raise self.fail_next.pop(0)
        batch = list(job.items.filter(status=JobItem.Status.PENDING).order_by("seq")[:2])
        if not batch:
            return Step.done()
        for item in batch:
            self.sent.append(item.key)
            item.status = (
                JobItem.Status.FAILED if item.payload.get("bad") else JobItem.Status.SUCCEEDED
            )
            item.message = "refused" if item.payload.get("bad") else ""
            item.save()
        return Step.more()


@pytest.fixture
def recorder() -> Recorder:
    rec = Recorder()
    registry.register(JobKind("test_send", "Test send", rec))
    return rec


def _create(n: int = 5, bad: tuple[int, ...] = (), **kwargs: Any) -> Job:
    items = [(f"SKU-{i}", {"bad": i in bad}) for i in range(n)]
    return job_create(
        kind="test_send",
        title="Send things",
        created_by=None,
        items=items,
        audit_action="test.send",
        **kwargs,
    )


def test_job_and_items_are_stored_before_anything_runs(recorder: Recorder) -> None:
    job = _create(start=False)
    assert job.status == Job.Status.PENDING
    assert job.total == 5
    assert list(job.items.values_list("key", flat=True)) == [f"SKU-{i}" for i in range(5)]
    assert recorder.sent == []
    event = AuditEvent.objects.get(job=job)
    assert event.outcome == AuditEvent.Outcome.REQUESTED


def test_a_run_sends_every_item_once_and_finishes_with_truthful_counts(
    recorder: Recorder, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = _create(bad=(3,))
    job.refresh_from_db()
    assert recorder.sent == [f"SKU-{i}" for i in range(5)]
    assert (job.status, job.done, job.failed, job.total) == (Job.Status.PARTIAL, 4, 1, 5)
    assert job.percent == 100
    outcomes = list(
        AuditEvent.objects.filter(job=job).order_by("id").values_list("outcome", flat=True)
    )
    assert outcomes == [AuditEvent.Outcome.REQUESTED, AuditEvent.Outcome.PARTIAL]


def test_a_second_delivery_of_the_same_message_does_nothing(recorder: Recorder) -> None:
    job = _create(start=False)
    runner.job_run(job_id=job.pk)
    runner.job_run(job_id=job.pk)
    assert recorder.sent.count("SKU-0") == 1


def test_a_leased_job_is_not_run_by_another_worker(recorder: Recorder) -> None:
    job = _create(start=False)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    runner.job_run(job_id=job.pk)
    assert recorder.sent == []


def test_a_job_whose_worker_died_is_swept_and_resumed(recorder: Recorder) -> None:
    job = _create(start=False)
    JobItem.objects.filter(job=job, seq__lt=2).update(status=JobItem.Status.SUCCEEDED)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert jobs_due() == [job.pk]
    assert jobs_sweep() == 1  # eager: the re-enqueued run happens now
    job.refresh_from_db()
    assert recorder.sent == ["SKU-2", "SKU-3", "SKU-4"]  # completed items were not sent again
    assert job.status == Job.Status.SUCCEEDED


def test_a_pending_job_whose_message_was_lost_is_swept_after_the_grace(recorder: Recorder) -> None:
    job = _create(start=False)
    assert jobs_due() == []
    Job.objects.filter(pk=job.pk).update(next_run_at=timezone.now() - timedelta(minutes=2))
    assert jobs_due() == [job.pk]


def test_transient_errors_back_off_then_succeed(recorder: Recorder) -> None:
    recorder.fail_next = [Transient("503 from Konnect")]
    job = _create(start=False)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.WAITING
    assert job.next_run_at > timezone.now() - timedelta(seconds=1)
    assert "temporary error" in job.message
    Job.objects.filter(pk=job.pk).update(next_run_at=timezone.now())
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert "transient_failures" not in job.state


def test_retries_are_bounded_and_end_in_needs_attention(recorder: Recorder) -> None:
    recorder.fail_next = [Transient("timeout")] * (runner.JOB_MAX_TRANSIENT_FAILURES + 1)
    job = _create(start=False)
    for _ in range(runner.JOB_MAX_TRANSIENT_FAILURES + 1):
        Job.objects.filter(pk=job.pk).update(next_run_at=timezone.now())
        runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("Needs attention")
    assert recorder.sent == []


def test_an_outage_makes_jobs_wait_without_spending_attempts(recorder: Recorder) -> None:
    recorder.fail_next = [Outage()] * 20
    job = _create(start=False)
    for _ in range(20):
        Job.objects.filter(pk=job.pk).update(next_run_at=timezone.now())
        runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.WAITING
    assert "unreachable" in job.message
    assert "transient_failures" not in job.state
    assert (job.next_run_at - timezone.now()).total_seconds() > 30


def test_backoff_is_full_jitter_capped_exponential() -> None:
    rng = random.Random(7)
    ceilings = [min(300.0, 2.0 * 2 ** (n - 1)) for n in range(1, 12)]
    delays = [runner.backoff_delay(n, rng=rng) for n in range(1, 12)]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert ceilings[-1] == 300.0


def test_a_queued_job_can_be_cancelled_but_not_a_finished_one(recorder: Recorder) -> None:
    job = _create(start=False)
    assert job_cancel(job=job, user=None) is True
    runner.job_run(job_id=job.pk)
    assert recorder.sent == []
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job_cancel(job=job, user=None) is False


def test_unexpected_errors_fail_the_job_with_a_message(recorder: Recorder) -> None:
    recorder.fail_next = [ValueError("bad payload password=hunter2")]
    job = _create(start=False)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "hunter2" not in job.message
    assert "password=***" in job.message


def test_retry_of_failed_records_sends_only_those(recorder: Recorder, admin_client: Any) -> None:
    job = _create(bad=(1, 3), start=False)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.done, job.failed) == (3, 2)
    recorder.sent.clear()
    JobItem.objects.filter(job=job, status=JobItem.Status.FAILED).update(payload={"bad": False})
    response = admin_client.post(f"/jobs/{job.pk}/retry/")
    retry = Job.objects.get(parent=job)
    assert response["Location"] == f"/jobs/{retry.pk}/"
    assert retry.parent_id == job.pk
    assert list(retry.items.values_list("key", flat=True)) == ["SKU-1", "SKU-3"]
    runner.job_run(job_id=retry.pk)
    assert recorder.sent == ["SKU-1", "SKU-3"]


def test_a_job_without_failures_cannot_be_retried(recorder: Recorder, admin_client: Any) -> None:
    job = _create(start=False)
    runner.job_run(job_id=job.pk)
    admin_client.post(f"/jobs/{job.pk}/retry/")
    assert not Job.objects.filter(parent=job).exists()


def test_location_bound_users_see_only_their_locations_jobs(
    recorder: Recorder, make_user: Any, admin_user: Any
) -> None:
    from konnect_admin.selectors import job_list

    here = job_create(
        kind="test_send",
        title="here",
        created_by=None,
        start=False,
        items=[("S1", {"location": "BHW-WH-01"})],
    )
    there = job_create(
        kind="test_send",
        title="there",
        created_by=None,
        start=False,
        items=[("S2", {"location": "BLR-ST-01"}), ("S3", {"location": "BHW-WH-01"})],
    )
    plain = job_create(
        kind="test_send", title="no location", created_by=None, start=False, items=[("X", {})]
    )
    bound = make_user("ravi", "Warehouse", locations=("BHW-WH-01",))
    assert set(job_list(user=bound)) == {here, plain}
    assert set(job_list(user=admin_user)) >= {here, there, plain}
