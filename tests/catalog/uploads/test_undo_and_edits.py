"""Price and stock from the product page, and "Revert this job" (audited, careful)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from catalog.models import Product, ProductSize, StockLevel
from konnect_admin.models import AuditEvent, Job, JobItem
from konnect_admin.sandbox.models import Stock
from tests.catalog.uploads.conftest import csv_bytes

pytestmark = pytest.mark.django_db


def _stock(sku: str, location: str) -> Stock:
    return Stock.objects.get(size__sku=sku, location_code=location)


def test_revert_puts_back_what_the_job_replaced_except_values_changed_since(
    ims_ready: list[str], upload_file: Any, admin_client: Client, drain_jobs: Any, writes: Any
) -> None:
    sku_a, sku_b, sku_c = ims_ready[:3]
    before = {s: _stock(s, "BHW-WH-01").quantity for s in (sku_a, sku_b, sku_c)}
    rows = [["SKU", "Location", "Quantity"]] + [
        [s, "BHW-WH-01", 500 + n] for n, s in enumerate((sku_a, sku_b, sku_c))
    ]
    upload = upload_file("inventory", "stock.csv", csv_bytes(rows))
    admin_client.post(f"/catalog/uploads/{upload.pk}/commit/")
    drain_jobs()
    upload.refresh_from_db()
    job = upload.commit_job
    assert job is not None and job.status == Job.Status.SUCCEEDED
    assert [i.before for i in job.items.order_by("seq")] == [
        {"quantity": before[s]} for s in (sku_a, sku_b, sku_c)
    ]

    # Someone changes one value in Konnect after the job (seen by a refresh of the cache).
    Stock.objects.filter(size__sku=sku_b, location_code="BHW-WH-01").update(quantity=9)
    StockLevel.objects.filter(sku=sku_b, location_code="BHW-WH-01").update(quantity=9)

    page = admin_client.get(f"/catalog/stock-jobs/{job.pk}/revert/").content.decode()
    assert "1 value changed since" in page and sku_b in page
    response = admin_client.post(f"/catalog/stock-jobs/{job.pk}/revert/")
    assert response.status_code == 302
    drain_jobs()
    revert = Job.objects.get(parent=job)
    assert revert.status == Job.Status.SUCCEEDED, revert.message
    assert _stock(sku_a, "BHW-WH-01").quantity == before[sku_a]
    assert _stock(sku_c, "BHW-WH-01").quantity == before[sku_c]
    assert _stock(sku_b, "BHW-WH-01").quantity == 9  # left alone
    skipped = revert.items.get(status=JobItem.Status.SKIPPED)
    assert skipped.key == f"{sku_b}@BHW-WH-01" and "Changed since job" in skipped.message
    event = AuditEvent.objects.get(job=revert, action="inventory.revert", outcome="requested")
    assert event.before["count"] == 3 and event.before["changed_since"] == 1
    # A job cannot be reverted twice; the revert itself can be.
    assert (
        "already been reverted"
        in admin_client.get(f"/catalog/stock-jobs/{job.pk}/").content.decode()
    )
    assert (
        f"/catalog/stock-jobs/{revert.pk}/revert/"
        in admin_client.get(f"/catalog/stock-jobs/{revert.pk}/").content.decode()
    )


def test_price_upload_and_its_revert_to_the_size_price(
    ims_ready: list[str], upload_file: Any, admin_client: Client, drain_jobs: Any
) -> None:
    size = (
        ProductSize.objects.filter(sku__in=ims_ready)
        .exclude(sku__in=Stock.objects.filter(mrp__isnull=False).values("size__sku"))
        .first()
    )
    assert size is not None
    rows = [
        ["SKU", "Location", "MRP", "Selling price"],
        [size.sku, "BLR-ST-01", "₹1,499", "1299.50"],
    ]
    upload = upload_file("prices", "prices.csv", csv_bytes(rows))
    assert upload.valid_rows == 1, upload.error
    admin_client.post(f"/catalog/uploads/{upload.pk}/commit/")
    drain_jobs()
    stock = _stock(size.sku, "BLR-ST-01")
    assert (stock.mrp, stock.esp) == (Decimal("1499"), Decimal("1299.50"))
    upload.refresh_from_db()
    item = upload.commit_job.items.get()
    assert item.before == {
        "mrp": int(size.price),
        "esp": int(size.price_effective),
        "override": False,
    }
    admin_client.post(f"/catalog/stock-jobs/{upload.commit_job.pk}/revert/")
    drain_jobs()
    stock.refresh_from_db()
    assert (stock.mrp, stock.esp) == (size.price, size.price_effective)
    assert AuditEvent.objects.filter(action="price.revert").exists()


def test_the_product_page_edits_stock_and_prices_as_jobs(
    ims_ready: list[str], merch_client: Client, drain_jobs: Any, writes: Any
) -> None:
    size = ProductSize.objects.get(sku=ims_ready[0])
    product = size.product
    page = merch_client.get(f"/catalog/products/{product.pk}/").content.decode()
    assert "Prices and stock by location" in page and f"qty-{size.sku}@BHW-WH-01" in page
    url = f"/catalog/products/{product.pk}/stock/"
    bad = merch_client.post(url, {f"qty-{size.sku}@BHW-WH-01": "-3"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "stock cannot be negative" in bad.content.decode()
    bad = merch_client.post(
        url,
        {f"mrp-{size.sku}@BLR-ST-01": "500", f"esp-{size.sku}@BLR-ST-01": "600"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 422 and "above the MRP" in bad.content.decode()
    assert not Job.objects.filter(kind__in=["price_update", "inventory_update"]).exists()

    ok = merch_client.post(
        url,
        {
            f"qty-{size.sku}@BHW-WH-01": "77",
            f"mrp-{size.sku}@BLR-ST-01": "1999",
            f"esp-{size.sku}@BLR-ST-01": "1499",
        },
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 200, ok.content.decode()[:500]
    drain_jobs()
    assert _stock(size.sku, "BHW-WH-01").quantity == 77
    assert _stock(size.sku, "BLR-ST-01").mrp == Decimal("1999")
    assert AuditEvent.objects.filter(
        action="inventory.update", object_id=product.item_code
    ).exists()
    assert AuditEvent.objects.filter(action="price.update", object_id=product.item_code).exists()
    assert len(writes.writes("ims/v3")) == 2
    page = merch_client.get(f"/catalog/products/{product.pk}/").content.decode()
    assert 'value="77"' in page and "Recent price and stock changes" in page

    unchanged = merch_client.post(url, {f"qty-{size.sku}@BHW-WH-01": "77"}, HTTP_HX_REQUEST="true")
    assert unchanged.status_code == 200 and "Nothing changed" in unchanged.content.decode()


def test_warehouse_staff_cannot_change_prices(
    ims_ready: list[str], warehouse_client: Client
) -> None:
    product = Product.objects.first()
    assert warehouse_client.post(f"/catalog/products/{product.pk}/stock/", {}).status_code == 403
