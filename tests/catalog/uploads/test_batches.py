"""Batches of exactly 500, counted in the sandbox; resuming after a dead worker or an unclear
answer without sending a completed batch again (DESIGN.md "Ambiguous outcomes", R2, R11)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from catalog import ims_writes
from catalog.models import Upload
from konnect_admin.konnect import KonnectUnavailable
from konnect_admin.konnect.ims_api import ImsMethods
from konnect_admin.models import Job, JobItem
from konnect_admin.sandbox.models import Effect
from tests.catalog.uploads.conftest import add_skus, inventory_csv

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even the runner's error handling."""


def _ledger(operation: str) -> tuple[int, int, list[Any]]:
    rows = Effect.objects.filter(operation=operation)
    duplicated = list(
        rows.values("key").annotate(n=Count("id")).filter(n__gt=1).values_list("key", "n")
    )
    return rows.count(), rows.values("request_id").distinct().count(), duplicated


def _commit(client: Client, upload: Upload) -> Job:
    assert client.post(f"/catalog/uploads/{upload.pk}/commit/").status_code == 302
    upload.refresh_from_db()
    assert upload.commit_job is not None
    return upload.commit_job


def test_ten_thousand_inventory_rows_are_exactly_twenty_calls(
    ims_ready: list[str], upload_file: Any, admin_client: Client, drain_jobs: Any, writes: Any
) -> None:
    skus = add_skus(3334)
    upload = upload_file("inventory", "ten-thousand.csv", inventory_csv(skus, limit=10_000))
    assert (upload.total_rows, upload.valid_rows) == (10_000, 10_000), upload.error
    assert writes.writes() == []
    job = _commit(admin_client, upload)
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    puts = writes.writes("ims/v3/inventory")
    assert puts == [("PUT", "ims/v3/inventory", 500)] * 20
    effects, requests, duplicated = _ledger("inventory")
    assert (effects, requests, duplicated) == (10_000, 20, [])
    assert job.items.filter(status=JobItem.Status.SUCCEEDED).count() == 10_000
    assert set(job.items.values_list("batch", flat=True)) == set(range(1, 21))


@pytest.fixture
def no_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read back at once instead of waiting for requests still in flight."""
    monkeypatch.setattr(ims_writes, "RECONCILE_AFTER", timedelta(0))


def _twelve_hundred(ims_ready: list[str], upload_file: Any) -> Upload:
    upload: Upload = upload_file("inventory", "stock.csv", inventory_csv(add_skus(400), limit=1200))
    assert upload.valid_rows == 1200, upload.error
    return upload


def test_a_worker_killed_mid_batch_resumes_without_resending_what_arrived(
    ims_ready: list[str],
    upload_file: Any,
    admin_client: Client,
    drain_jobs: Any,
    writes: Any,
    monkeypatch: pytest.MonkeyPatch,
    no_grace: None,
) -> None:
    upload = _twelve_hundred(ims_ready, upload_file)
    real = ImsMethods.inventory_update
    sent: list[int] = []

    def dies_after_second(self: Any, records: Any) -> Any:
        result = real(self, records)
        sent.append(len(records))
        if len(sent) == 2:
            raise WorkerKilled  # applied by Konnect, answer lost with the worker
        return result

    monkeypatch.setattr(ImsMethods, "inventory_update", dies_after_second)
    job = _commit(admin_client, upload)
    with pytest.raises(WorkerKilled):
        drain_jobs()
    statuses = dict(
        job.items.values_list("batch").annotate(n=Count("id")).values_list("batch", "status")
    )
    assert statuses[1] == JobItem.Status.SUCCEEDED
    assert statuses[2] == JobItem.Status.SENDING
    assert statuses[3] == JobItem.Status.PENDING
    # The sweeper finds the job's lease expired and hands it to a new worker.
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(ImsMethods, "inventory_update", real)
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert [c[2] for c in writes.writes("ims/v3/inventory")] == [500, 500, 200]
    assert _ledger("inventory") == (1200, 3, [])
    confirmed = job.items.filter(batch=2, message__startswith="Confirmed by reading")
    assert confirmed.count() == 500


def test_an_unclear_answer_resends_only_the_records_that_did_not_arrive(
    ims_ready: list[str],
    upload_file: Any,
    admin_client: Client,
    drain_jobs: Any,
    writes: Any,
    monkeypatch: pytest.MonkeyPatch,
    no_grace: None,
) -> None:
    upload = _twelve_hundred(ims_ready, upload_file)
    real = ImsMethods.inventory_update
    calls: list[int] = []

    def half_then_timeout(self: Any, records: Any) -> Any:
        calls.append(len(records))
        if len(calls) == 1:  # Konnect applied the first 300 records, then the answer timed out
            real(self, records[:300])
            raise KonnectUnavailable("timed out", ambiguous=True)
        return real(self, records)

    monkeypatch.setattr(ImsMethods, "inventory_update", half_then_timeout)
    job = _commit(admin_client, upload)
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert calls == [500, 500, 200, 200]  # the 200 that never arrived go out in a new batch
    assert _ledger("inventory")[0] == 1200 and _ledger("inventory")[2] == []
    assert job.items.filter(batch=4).count() == 200
    assert job.items.filter(batch=1, status=JobItem.Status.SUCCEEDED).count() == 300


def test_records_konnect_refuses_fail_alone_and_are_never_retried(
    ims_ready: list[str], upload_file: Any, admin_client: Client, drain_jobs: Any, writes: Any
) -> None:
    from konnect_admin.sandbox.models import Size

    upload = upload_file("inventory", "stock.csv", inventory_csv(ims_ready[:4]))
    gone = ims_ready[1]
    Size.objects.filter(sku=gone).delete()  # deleted in Konnect since the cache was read
    job = _commit(admin_client, upload)
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.PARTIAL
    failed = job.items.filter(status=JobItem.Status.FAILED)
    assert failed.count() == 3 and {i.error_code for i in failed} == {"IMS404"}
    assert "does not know SKU" in failed.first().message
    assert len(writes.writes("ims/v3/inventory")) == 1


def test_the_jobs_centre_retry_sends_only_the_failed_records(
    ims_ready: list[str], upload_file: Any, admin_client: Client, drain_jobs: Any, writes: Any
) -> None:
    from konnect_admin.sandbox.models import Size

    upload = upload_file("inventory", "stock.csv", inventory_csv(ims_ready[:4]))
    gone = Size.objects.get(sku=ims_ready[1])
    data = {f.attname: getattr(gone, f.attname) for f in Size._meta.concrete_fields}
    gone.delete()
    job = _commit(admin_client, upload)
    drain_jobs()
    Size.objects.create(**data)  # back in Konnect: a retry can now succeed
    response = admin_client.post(f"/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    drain_jobs()
    retry = Job.objects.get(parent=job)
    assert retry.status == Job.Status.SUCCEEDED, retry.message
    assert [c[2] for c in writes.writes("ims/v3/inventory")] == [12, 3]
