"""An inventory upload from file to Konnect: preview, commit, result files."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from catalog.models import StockLevel, Upload, UploadRow
from konnect_admin.models import AuditEvent, Job, JobItem
from konnect_admin.sandbox.models import Stock
from tests.catalog.uploads.conftest import csv_bytes

pytestmark = pytest.mark.django_db


def test_inventory_upload_preview_commit_and_results(
    ims_ready: list[str], upload_file: Any, admin_client: Client, drain_jobs: Any, writes: Any
) -> None:
    sku_a, sku_b = ims_ready[:2]
    content = csv_bytes(
        [
            ["SKU", "Location", "Quantity"],
            [sku_a, "BHW-WH-01", "41"],
            [sku_b, "blr-st-01", "7"],
            ["NO-SUCH-SKU", "BHW-WH-01", "3"],
            [sku_a, "GGN-DS-01", "-5"],
        ]
    )
    upload = upload_file("inventory", "stock.csv", content)
    assert upload.status == Upload.Status.CHECKED
    assert (upload.total_rows, upload.valid_rows, upload.invalid_rows) == (4, 2, 2)
    page = admin_client.get(f"/catalog/uploads/{upload.pk}/").content.decode()
    assert "is not in the catalog" in page and "below zero" in page
    assert writes.effects == 0 and writes.writes() == []

    errors_only = admin_client.get(
        f"/catalog/uploads/{upload.pk}/?show=errors",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="upload-rows",
    ).content.decode()
    assert 'id="row-4"' in errors_only and 'id="row-2"' not in errors_only

    response = admin_client.post(f"/catalog/uploads/{upload.pk}/commit/")
    assert response.status_code == 302
    drain_jobs()
    upload.refresh_from_db()
    job = upload.commit_job
    assert job is not None and job.status == Job.Status.SUCCEEDED, job.message
    assert writes.writes("ims/v3/inventory") == [("PUT", "ims/v3/inventory", 2)]
    assert Stock.objects.get(size__sku=sku_a, location_code="BHW-WH-01").quantity == 41
    assert Stock.objects.get(size__sku=sku_b, location_code="BLR-ST-01").quantity == 7
    assert StockLevel.objects.get(sku=sku_a, location_code="BHW-WH-01").quantity == 41
    item = job.items.get(key=f"{sku_a}@BHW-WH-01")
    assert item.before is not None and "quantity" in item.before
    assert AuditEvent.objects.filter(job=job, action="upload.commit").exists()

    result = admin_client.get(f"/catalog/uploads/{upload.pk}/result/")
    rows = list(csv.reader(io.StringIO(result.content.decode())))
    assert rows[0] == ["SKU", "Location", "Quantity", "Upload status", "Upload message"]
    assert rows[1][3] == "Done" and rows[3][3] == "Not sent" and "not in the catalog" in rows[3][4]
    assert rows[4][2] == "-5"  # numbers stay numbers
    failed = admin_client.get(f"/catalog/uploads/{upload.pk}/result/?rows=failed")
    failed_rows = list(csv.reader(io.StringIO(failed.content.decode())))
    assert [r[0] for r in failed_rows[1:]] == ["NO-SUCH-SKU", sku_a]
    assert JobItem.objects.filter(job=job).count() == 2
    assert UploadRow.objects.filter(upload=upload).count() == 4
