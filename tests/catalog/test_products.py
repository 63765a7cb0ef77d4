"""Product writes end to end through the sandbox, and the server-side refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from catalog.models import Category, Product
from konnect_admin.models import AuditEvent, Job, JobItem
from konnect_admin.sandbox.models import Product as SandboxProduct
from tests.catalog.conftest import product_post

pytestmark = pytest.mark.django_db


def _errors(response: Any) -> str:
    return str(response.content.decode())


def test_a_valid_form_creates_the_product_in_konnect(
    catalog_synced: Category, merch_client: Client, drain_jobs: Any
) -> None:
    response = merch_client.post("/catalog/products/new/", product_post(catalog_synced))
    assert response.status_code == 302, _errors(response)
    job = Job.objects.get(kind="product_create")
    item = job.items.get()
    assert item.payload["attributes"]["season"] == ["Summer", "Monsoon"]
    assert (
        item.payload["sizes"][0]["price"] == 999
        and item.payload["sizes"][0]["price_effective"] == 799
    )
    assert AuditEvent.objects.filter(job=job, action="product.create").exists()
    assert Product.objects.get(item_code="IGT-TEE-001").state == Product.State.PENDING
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.trace_id
    product = Product.objects.get(item_code="IGT-TEE-001")
    assert product.state == Product.State.SYNCED
    assert sorted(product.sizes.values_list("sku", flat=True)) == ["IGT-TEE-001-L", "IGT-TEE-001-M"]
    assert SandboxProduct.objects.filter(item_code="IGT-TEE-001").exists()
    page = merch_client.get(response["Location"]).content.decode()
    assert "In Konnect" in page and "IGT-TEE-001-M" in page


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"slug": "Bad Slug!"}, "field-slug", "lower-case letters"),
        ({"attr__fabric": None}, "field-attr__fabric", "required"),
        ({"attr__fit": "Baggy"}, "field-attr__fit", "not one of the available choices"),
        ({"category": "10150"}, "field-category", ""),  # an L3 of another department
        ({"sizes-1-price_effective": "1999"}, "sizes-1-price_effective", "cannot be above the MRP"),
        ({"hs_code": "12345678"}, "field-hs_code", "must exist in Konnect"),
        (
            {"sizes-1-primary_identifier": "IGT-TEE-001-M"},
            "sizes-1-primary_identifier",
            "already used",
        ),
        ({"name": ""}, "field-name", "required"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_sent(
    catalog_synced: Category,
    merch_client: Client,
    override: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = merch_client.post("/catalog/products/new/", product_post(catalog_synced, **override))
    assert response.status_code == 422
    page = _errors(response)
    assert field in page
    assert message in page
    assert not Job.objects.filter(kind="product_create").exists()


def test_a_category_outside_the_department_is_refused(
    catalog_synced: Category, merch_client: Client
) -> None:
    other = Category.objects.filter(level=3).exclude(departments__uid=1).first()
    assert other is not None
    response = merch_client.post(
        "/catalog/products/new/", product_post(catalog_synced, category=str(other.uid))
    )
    assert response.status_code == 422
    assert "Select a valid choice" in _errors(response)
    assert not Job.objects.exists() or not Job.objects.filter(kind="product_create").exists()


def test_konnect_errors_come_back_to_the_field(
    catalog_synced: Category, merch_client: Client, drain_jobs: Any
) -> None:
    # A brand that exists in the cache but not in Konnect: only Konnect can refuse it.
    from catalog.models import Brand

    Brand.objects.create(
        uid=99001, name="Ghost Brand", slug="ghost-brand", department_slugs=["mens-fashion"]
    )
    merch_client.post("/catalog/products/new/", product_post(catalog_synced, brand="Ghost Brand"))
    drain_jobs()
    job = Job.objects.get(kind="product_create")
    assert job.status == Job.Status.FAILED
    item = job.items.get()
    assert item.status == JobItem.Status.FAILED and "brand" in item.message.lower()
    assert not Product.objects.filter(item_code="IGT-TEE-001").exists()
    page = merch_client.get(f"/catalog/products/new/?from_job={job.pk}").content.decode()
    assert 'id="field-brand"' in page and "has-error" in page.split('id="field-brand"')[0][-200:]


def test_update_keeps_identity_fields_and_changes_the_rest(
    catalog_synced: Category, merch_client: Client, drain_jobs: Any
) -> None:
    merch_client.post("/catalog/products/new/", product_post(catalog_synced))
    drain_jobs()
    product = Product.objects.get(item_code="IGT-TEE-001")
    data = product_post(
        catalog_synced,
        name="Indigo Ghat Slub Tee (new)",
        slug="tampered-slug",
        item_code="TAMPERED",
        **{"sizes-INITIAL_FORMS": "2"},
    )
    response = merch_client.post(f"/catalog/products/{product.pk}/edit/", data)
    assert response.status_code == 302, _errors(response)
    drain_jobs()
    job = Job.objects.get(kind="product_update")
    assert job.status == Job.Status.SUCCEEDED, job.message
    sent = job.items.get().payload
    assert sent["slug"] == "indigo-ghat-slub-cotton-tee" and sent["item_code"] == "IGT-TEE-001"
    assert sent["is_dependent"] == "No"
    product.refresh_from_db()
    assert product.name == "Indigo Ghat Slub Tee (new)"
    assert product.slug == "indigo-ghat-slub-cotton-tee"


def test_changing_an_existing_sizes_sku_is_refused(
    catalog_synced: Category, merch_client: Client, drain_jobs: Any
) -> None:
    merch_client.post("/catalog/products/new/", product_post(catalog_synced))
    drain_jobs()
    product = Product.objects.get(item_code="IGT-TEE-001")
    data = product_post(
        catalog_synced,
        **{
            "sizes-INITIAL_FORMS": "2",
            "sizes-0-primary_identifier": "NEW-SKU",
            "sizes-0-original_sku": "IGT-TEE-001-M",
        },
    )
    response = merch_client.post(f"/catalog/products/{product.pk}/edit/", data)
    assert response.status_code == 422
    assert "cannot change" in _errors(response)


def test_delete_one_size_then_the_product(
    catalog_synced: Category, merch_client: Client, drain_jobs: Any
) -> None:
    merch_client.post("/catalog/products/new/", product_post(catalog_synced))
    drain_jobs()
    product = Product.objects.get(item_code="IGT-TEE-001")
    merch_client.post(f"/catalog/products/{product.pk}/sizes/IGT-TEE-001-L/delete/")
    drain_jobs()
    assert list(product.sizes.values_list("sku", flat=True)) == ["IGT-TEE-001-M"]
    merch_client.post(f"/catalog/products/{product.pk}/delete/")
    drain_jobs()
    product.refresh_from_db()
    assert product.state == Product.State.DELETED
    assert not SandboxProduct.objects.filter(item_code="IGT-TEE-001").exists()


def test_warehouse_staff_cannot_create_products(
    catalog_synced: Category, warehouse_client: Client
) -> None:
    response = warehouse_client.post("/catalog/products/new/", product_post(catalog_synced))
    assert response.status_code == 403
    assert not Job.objects.filter(kind="product_create").exists()


def test_preview_shows_the_exact_payload(catalog_synced: Category, merch_client: Client) -> None:
    response = merch_client.post("/catalog/products/form/preview/", product_post(catalog_synced))
    text = response.content.decode()
    body = json.loads(
        text.split(">", 1)[1].rsplit("</pre>", 1)[0].replace("&quot;", '"').replace("&#x27;", "'")
    )
    assert body["template"] == "topwear"
    assert body["products"][0]["departments"] == ["1"]
    assert body["products"][0]["category"] == "T-Shirts"
    assert body["products"][0]["tax_identifier"] == {"tax_rule_id": "410622e1dc1f2513a091aa89"}


def test_inline_validation_of_the_slug(catalog_synced: Category, merch_client: Client) -> None:
    response = merch_client.post(
        "/catalog/products/form/validate/slug/", product_post(catalog_synced, slug="No Good")
    )
    assert response.status_code == 200
    assert 'id="field-slug"' in response.content.decode()
    assert "lower-case letters" in response.content.decode()


def test_picking_a_category_does_not_flag_fields_not_filled_yet(
    catalog_synced: Category, merch_client: Client
) -> None:
    """Choosing the department, then the category, draws their fields without a verdict: the
    mandatory attributes, brand and category are empty because the user has not got to them."""
    chosen = {"template": "topwear", "department": "1"}
    block = merch_client.get("/catalog/products/form/category-block/", chosen).content.decode()
    assert 'id="id_category"' in block and 'id="id_brand"' in block
    attributes = merch_client.post(
        "/catalog/products/form/attributes/", {**chosen, "category": str(catalog_synced.uid)}
    ).content.decode()
    assert 'name="attr__gender"' in attributes and 'name="attr__fabric"' in attributes
    for page in (block, attributes):
        assert "This field is required" not in page
        assert "has-error" not in page


def test_submitting_still_flags_the_missing_attribute(
    catalog_synced: Category, merch_client: Client
) -> None:
    response = merch_client.post(
        "/catalog/products/new/", product_post(catalog_synced, attr__fabric=None)
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert page.count("This field is required") == 1 and 'id="id_attr__fabric_error"' in page
