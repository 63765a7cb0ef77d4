"""Products from a file: the category's template, row checks, batches of 100, traces followed."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from catalog.models import Category, Product, Upload
from catalog.uploads.templates_files import template_file
from konnect_admin.demo import locations_seed
from konnect_admin.models import Job, JobItem
from konnect_admin.sandbox.models import Product as SandboxProduct
from tests.catalog.uploads.conftest import csv_bytes

pytestmark = pytest.mark.django_db


def _template_rows(category: Category) -> tuple[list[str], list[dict[str, str]]]:
    content, _, _ = template_file("products", "csv", category)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header = rows[0]
    return header, [dict(zip(header, r, strict=True)) for r in rows[1:]]


def product_rows(category: Category, count: int, *, prefix: str = "BULK") -> list[list[str]]:
    """`count` products of two sizes each, built from the template's example rows."""
    header, examples = _template_rows(category)
    out = [header]
    for n in range(count):
        for example in examples:
            row = dict(example)
            code = f"{prefix}-{n:04d}"
            row["Item code"] = code
            row["Name"] = f"Bulk Tee {n}"
            row["Slug"] = f"{prefix.lower()}-tee-{n}"
            row["SKU"] = f"{code}-{example['Size']}"
            out.append([row[h] for h in header])
    return out


@pytest.fixture
def products_ready(catalog_synced: Category, drain_jobs: Any, admin_user: Any) -> Category:
    from catalog.services import product_sync_start

    locations_seed()
    product_sync_start(user=admin_user)
    drain_jobs()
    return catalog_synced


def test_the_template_is_the_category_with_its_attributes(
    products_ready: Category, admin_client: Client
) -> None:
    response = admin_client.get(
        f"/catalog/uploads/template/?kind=products&category={products_ready.uid}&format=csv"
    )
    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {
        "Item code",
        "SKU",
        "MRP",
        "Selling price",
        "Gender",
        "Fabric",
        "Attribute: Length",
    } <= set(header)
    xlsx = admin_client.get(
        f"/catalog/uploads/template/?kind=products&category={products_ready.uid}&format=xlsx"
    )
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert book.sheetnames == ["Data", "How to fill"]
    rows = list(book["Data"].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[0][0] == "Item code"


def test_products_upload_creates_them_in_batches_and_follows_the_traces(
    products_ready: Category,
    upload_file: Any,
    admin_client: Client,
    drain_jobs: Any,
    writes: Any,
) -> None:
    rows = product_rows(products_ready, 3)
    header = rows[0]
    bad = list(rows[-1])
    bad[header.index("Item code")] = "BULK-BAD"
    bad[header.index("SKU")] = "BULK-BAD-M"
    bad[header.index("Slug")] = "Bad Slug!"
    bad[header.index("Fabric")] = ""
    bad[header.index("Selling price")] = "5000"
    rows.append(bad)
    upload = upload_file("products", "tees.csv", csv_bytes(rows), category=products_ready)
    assert upload.status == Upload.Status.CHECKED, upload.error
    assert (upload.valid_rows, upload.invalid_rows) == (6, 1)
    page = admin_client.get(f"/catalog/uploads/{upload.pk}/?show=errors").content.decode()
    assert "not a valid slug" in page
    assert "Fabric is required for T-Shirts" in page
    assert "above the MRP" in page
    assert writes.writes() == []

    admin_client.post(f"/catalog/uploads/{upload.pk}/commit/")
    drain_jobs()
    upload.refresh_from_db()
    job = upload.commit_job
    assert job is not None and job.status == Job.Status.SUCCEEDED, (job.message, job.errors)
    assert writes.writes("v3/catalog/product") == [("POST", "v3/catalog/product", 3)]
    assert SandboxProduct.objects.filter(item_code__startswith="BULK-0").count() == 3
    assert not SandboxProduct.objects.filter(item_code="BULK-BAD").exists()
    assert Product.objects.get(item_code="BULK-0001").sizes.count() == 2
    assert job.items.filter(status=JobItem.Status.SUCCEEDED).count() == 3
    result = list(
        csv.reader(
            io.StringIO(
                admin_client.get(f"/catalog/uploads/{upload.pk}/result/").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    statuses = [r[-2] for r in result[1:]]
    assert statuses == ["Done"] * 6 + ["Not sent"]


def test_a_hundred_and_one_products_are_two_calls(
    products_ready: Category, upload_file: Any, admin_client: Client, drain_jobs: Any, writes: Any
) -> None:
    upload = upload_file(
        "products",
        "many.csv",
        csv_bytes(product_rows(products_ready, 101)),
        category=products_ready,
    )
    assert upload.valid_rows == 202, upload.error
    admin_client.post(f"/catalog/uploads/{upload.pk}/commit/")
    drain_jobs()
    assert [c[2] for c in writes.writes("v3/catalog/product")] == [100, 1]
    assert SandboxProduct.objects.filter(item_code__startswith="BULK-").count() == 101


def test_an_unclear_create_is_read_back_and_only_missing_products_are_sent_again(
    products_ready: Category,
    upload_file: Any,
    admin_client: Client,
    drain_jobs: Any,
    writes: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import timedelta

    from catalog.uploads import products as bulk
    from konnect_admin.konnect import KonnectUnavailable
    from konnect_admin.konnect.catalog_api import CatalogMethods

    monkeypatch.setattr(bulk, "RECONCILE_WINDOW", timedelta(0))
    real = CatalogMethods.products_create
    calls: list[int] = []

    def first_half_then_timeout(self: Any, *, template: str, products: Any) -> Any:
        calls.append(len(products))
        if len(calls) == 1:  # two of four arrived, then the answer was lost
            real(self, template=template, products=products[:2])
            raise KonnectUnavailable("timed out", ambiguous=True)
        return real(self, template=template, products=products)

    monkeypatch.setattr(CatalogMethods, "products_create", first_half_then_timeout)
    upload = upload_file(
        "products", "p.csv", csv_bytes(product_rows(products_ready, 4)), category=products_ready
    )
    admin_client.post(f"/catalog/uploads/{upload.pk}/commit/")
    drain_jobs()
    upload.refresh_from_db()
    job = upload.commit_job
    assert job is not None and job.status == Job.Status.SUCCEEDED, job.message
    assert calls == [4, 2]  # the two that never arrived, in a new batch
    assert SandboxProduct.objects.filter(item_code__startswith="BULK-").count() == 4
    from konnect_admin.sandbox.models import Effect

    assert Effect.objects.filter(operation="product.create").values("key").distinct().count() == 4
    assert Effect.objects.filter(operation="product.create").count() == 4
    assert job.items.filter(message__startswith="Confirmed by reading").count() == 2
