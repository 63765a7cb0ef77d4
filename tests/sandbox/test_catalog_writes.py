"""Catalog writes: request-level refusals, record-level schema checks at submit, the trace
lifecycle (pending -> completed / partial / failed) and its per-record errors, applied once."""

from __future__ import annotations

import copy
import re

import pytest

from konnect_admin.sandbox.models import Effect, Product
from tests.sandbox.helpers import effects_of

pytestmark = pytest.mark.django_db

FOOTWEAR_L3 = None  # resolved from the reference in `new_product`


def new_product(api, item_code="TST-0001", **changes):
    """A valid create record, built from an existing footwear product of the seed."""
    seeded = api.get("v3/catalog/product", params={"page_size": 200}).json()["items"]
    base = next(p for p in seeded if p["template"] == "footwear")
    record = {
        k: v
        for k, v in base.items()
        if k not in ("uid", "brand_uid", "template", "created_on", "modified_on")
    }
    record = copy.deepcopy(record)
    record["item_code"] = item_code
    record["slug"] = f"{item_code.lower()}-test"
    record["name"] = f"Test shoe {item_code}"
    record["sizes"] = [
        {**size, "primary_identifier": f"{item_code}-{n}"} for n, size in enumerate(record["sizes"])
    ]
    record.update(changes)
    return record


def submit(api, method, products, template="footwear"):
    return api.request(
        method, "v3/catalog/product", json={"products": products, "template": template}
    )


def status(api, trace_id):
    response = api.get("v3/catalog/status", params={"trace_id": trace_id})
    assert response.status_code == 200, response.text
    return response.json()


def test_create_is_pending_then_completed_and_readable(api, later):
    record = new_product(api)
    response = submit(api, "POST", [record])
    body = response.json()
    assert body["status"] == "SUCCESS"
    assert body["stage"] == "RUNNING"
    assert (body["total"], body["success"], body["failed"], body["errors"]) == (1, 1, 0, {})
    assert re.fullmatch(r"[0-9a-f]{16}-\d{13}", body["trace_id"])
    assert body["company_id"] == 26049
    pending = status(api, body["trace_id"])
    assert (pending["status"], pending["stage"], pending["success"]) == ("pending", "RUNNING", 0)
    assert not Product.objects.filter(item_code="TST-0001").exists()

    later.advance(3)
    done = status(api, body["trace_id"])
    assert (done["status"], done["stage"], done["success"], done["failed"]) == (
        "completed",
        "COMPLETED",
        1,
        0,
    )
    assert done["meta"] == {
        "cancelled": 0,
        "cancelled_records": [],
        "failed": 0,
        "failed_records": [],
        "stage": "completed",
        "succeed": 1,
    }
    assert re.fullmatch(r"[0-9a-f]{24}", done["batch_id"])
    assert done["last_updated_on"].endswith("Z")
    [product] = api.get("v3/catalog/product", params={"item_code": "TST-0001"}).json()["items"]
    assert product["name"] == record["name"]
    assert len(product["sizes"]) == len(record["sizes"])
    listing = api.get("ims/v3/listings", params={"skus": record["sizes"][0]["primary_identifier"]})
    assert listing.json()["data"][0]["locations"] == []
    # Polling again never applies it again.
    status(api, body["trace_id"])
    assert effects_of("product.create", "TST-0001") == 1


def test_any_request_applies_due_traces(api, later):
    body = submit(api, "POST", [new_product(api, "TST-0002")]).json()
    later.advance(5)
    api.get("v3/catalog/departments")  # an unrelated call
    assert Product.objects.filter(item_code="TST-0002").exists()
    assert status(api, body["trace_id"])["status"] == "completed"


def test_partial_batch_reports_per_record_errors(api, later):
    good = new_product(api, "TST-0003")
    bad_attribute = new_product(api, "TST-0004")
    bad_attribute["attributes"] = {
        k: v for k, v in bad_attribute["attributes"].items() if k != "gender"
    }
    bad_schema = new_product(api, "TST-0005", slug="Not A Slug")
    body = submit(api, "POST", [good, bad_attribute, bad_schema]).json()
    assert (body["success"], body["failed"]) == (2, 1)
    assert body["errors"] == {
        "2": [{"field": "slug", "message": "must match ^[a-z0-9]+(?:-[a-z0-9]+)*$"}]
    }
    later.advance(3)
    done = status(api, body["trace_id"])
    assert (done["status"], done["stage"], done["success"], done["failed"]) == (
        "completed",
        "PARTIAL",
        1,
        2,
    )
    assert set(done["errors"]) == {"1", "2"}
    assert done["errors"]["1"] == [
        {"field": "attributes.gender", "message": "Gender is mandatory for this category"}
    ]
    failed = {r["index"]: r for r in done["meta"]["failed_records"]}
    assert failed[1]["item_code"] == "TST-0004"
    assert Product.objects.filter(item_code="TST-0003").exists()
    assert not Product.objects.filter(item_code="TST-0004").exists()


def test_nothing_applied_is_failed(api, later):
    seeded = api.get("v3/catalog/product", params={"page_size": 1}).json()["items"][0]
    duplicate = new_product(api, seeded["item_code"])
    unknown_brand = new_product(api, "TST-0006", brand="No Such Brand")
    body = submit(api, "POST", [duplicate, unknown_brand]).json()
    assert body["status"] == "SUCCESS"  # both accepted at submit: references are checked later
    later.advance(3)
    done = status(api, body["trace_id"])
    assert (done["status"], done["stage"], done["success"]) == ("failed", "FAILED", 0)
    assert done["errors"]["0"][0]["field"] == "item_code"
    assert done["errors"]["1"][0] == {"field": "brand", "message": "unknown brand 'No Such Brand'"}


def test_all_rejected_at_submit_still_gets_a_trace(api, later):
    body = submit(api, "POST", [new_product(api, "TST-0007", name="")]).json()
    assert (body["status"], body["success"], body["failed"]) == ("FAILED", 0, 1)
    later.advance(3)
    assert status(api, body["trace_id"])["status"] == "failed"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 301}, "name"),
        ({"short_description": "x" * 51}, "short_description"),
        ({"description": "x" * 5001}, "description"),
        ({"slug": "Bad_Slug"}, "slug"),
        ({"slug": "trailing-"}, "slug"),
        ({"item_type": "bundle"}, "item_type"),
        ({"departments": []}, "departments"),
        ({"sizes": []}, "sizes"),
        ({"no_of_boxes": -1}, "no_of_boxes"),
        ({"is_dependent": "Yes"}, "is_dependent"),
        ({"trader": [{"type": "Retailer", "name": "X", "address": ["Y"]}]}, "trader[0].type"),
        ({"tax_identifier": {}}, "tax_identifier.tax_rule_id"),
        ({"attributes": None}, "attributes"),
        ({"media": [{"url": "not a url", "type": "image"}]}, "media[0].url"),
    ],
)
def test_create_schema_rules(api, changes, field):
    body = submit(api, "POST", [new_product(api, "TST-0100", **changes)]).json()
    assert body["failed"] == 1
    assert field in [e["field"] for e in body["errors"]["0"]]


@pytest.mark.parametrize("key", ["price", "price_effective", "item_weight"])
def test_size_numbers_must_not_be_negative(api, key):
    record = new_product(api, "TST-0101")
    record["sizes"][0][key] = -1
    body = submit(api, "POST", [record]).json()
    assert body["errors"]["0"] == [{"field": f"sizes[0].{key}", "message": "must be >= 0"}]


def test_required_fields(api):
    record = new_product(api, "TST-0102")
    for key in ("brand", "category", "hs_code", "country_of_origin", "trader", "is_dependent"):
        del record[key]
    del record["sizes"][0]["primary_identifier"]
    fields = {e["field"] for e in submit(api, "POST", [record]).json()["errors"]["0"]}
    assert fields == {
        "brand",
        "category",
        "hs_code",
        "country_of_origin",
        "trader",
        "is_dependent",
        "sizes[0].primary_identifier",
    }


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([], "VALIDATION_FAILED"),
        ({"template": "footwear"}, "VALIDATION_FAILED"),
        ({"products": [], "template": "footwear"}, "VALIDATION_FAILED"),
        ({"products": [{}], "template": "nope"}, "VALIDATION_FAILED"),
        ({"products": [{}]}, "VALIDATION_FAILED"),
        ({"products": ["x"], "template": "footwear"}, "VALIDATION_FAILED"),
        ({"products": [{}] * 101, "template": "footwear"}, "BATCH_LIMIT"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_request_level_refusals(api, body, code, method):
    response = api.request(method, "v3/catalog/product", json=body)
    assert (response.status_code, response.json()["code"]) == (400, code)


def test_a_hundred_products_are_accepted(api):
    body = submit(api, "POST", [{}] * 100).json()
    assert (body["total"], body["failed"]) == (100, 100)


def test_update_changes_fields_and_adds_sizes(api, later):
    submit(api, "POST", [new_product(api, "TST-0200")])
    later.advance(3)
    [product] = api.get("v3/catalog/product", params={"item_code": "TST-0200"}).json()["items"]
    update = {
        k: product[k]
        for k in (
            "item_type",
            "departments",
            "category",
            "country_of_origin",
            "tax_identifier",
            "hs_code",
            "item_code",
        )
    }
    new_size = {**product["sizes"][0], "primary_identifier": "TST-0200-NEW", "size": "UK11"}
    changed_size = {**product["sizes"][0], "price_effective": 1}
    update.update(name="Renamed shoe", is_dependent="No", sizes=[changed_size, new_size])
    body = submit(api, "PUT", [update]).json()
    assert body["failed"] == 0, body
    later.advance(3)
    assert status(api, body["trace_id"])["stage"] == "COMPLETED"
    [updated] = api.get("v3/catalog/product", params={"item_code": "TST-0200"}).json()["items"]
    assert updated["name"] == "Renamed shoe"
    assert updated["is_dependent"] is False
    assert updated["sizes"][0]["price_effective"] == 1
    assert [s["primary_identifier"] for s in updated["sizes"]][-1] == "TST-0200-NEW"
    assert updated["modified_on"] >= product["modified_on"]
    assert effects_of("product.update", "TST-0200") == 1


def test_update_refusals(api, later):
    seeded = api.get("v3/catalog/product", params={"page_size": 200}).json()["items"]
    product = next(p for p in seeded if p["template"] == "footwear")
    base = {
        k: product[k]
        for k in (
            "item_type",
            "name",
            "departments",
            "category",
            "country_of_origin",
            "tax_identifier",
            "hs_code",
            "item_code",
            "sizes",
        )
    }
    missing = {k: v for k, v in base.items() if k != "item_type"}
    bad_hs = {**base, "hs_code": "64039"}
    body = submit(api, "PUT", [missing, bad_hs]).json()
    assert [e["field"] for e in body["errors"]["0"]] == ["item_type"]
    assert [e["field"] for e in body["errors"]["1"]] == ["hs_code"]
    unknown = {**base, "item_code": "NOPE-1"}
    slug_change = {**base, "slug": "another-slug"}
    other_template = next(p for p in seeded if p["template"] != "footwear")
    body = submit(api, "PUT", [unknown, slug_change]).json()
    wrong_template = submit(api, "PUT", [{**base, "item_code": other_template["item_code"]}]).json()
    later.advance(3)
    done = status(api, body["trace_id"])
    assert done["errors"]["0"] == [{"field": "item_code", "message": "NOPE-1 does not exist"}]
    assert done["errors"]["1"][0]["field"] == "slug"
    assert status(api, wrong_template["trace_id"])["errors"]["0"][0]["field"] == "template"


def test_delete_a_size_then_the_product(api, later):
    submit(api, "POST", [new_product(api, "TST-0300")])
    later.advance(3)
    [product] = api.get("v3/catalog/product", params={"item_code": "TST-0300"}).json()["items"]
    assert len(product["sizes"]) >= 2
    identity = {k: product[k] for k in ("name", "slug", "brand", "item_code")}
    identity["brand_uid"] = str(product["brand_uid"])
    sku = product["sizes"][0]["primary_identifier"]
    one_size = {
        **identity,
        "sizes": [{"primary_identifier": sku, "size": product["sizes"][0]["size"]}],
    }
    body = submit(api, "DELETE", [one_size]).json()
    later.advance(3)
    assert status(api, body["trace_id"])["stage"] == "COMPLETED"
    [after] = api.get("v3/catalog/product", params={"item_code": "TST-0300"}).json()["items"]
    assert sku not in [s["primary_identifier"] for s in after["sizes"]]
    mismatch = {**identity, "brand_uid": "1"}
    body = submit(api, "DELETE", [mismatch, identity]).json()
    later.advance(3)
    done = status(api, body["trace_id"])
    assert done["stage"] == "PARTIAL"
    assert done["errors"]["0"][0]["field"] == "brand_uid"
    assert api.get("v3/catalog/product", params={"item_code": "TST-0300"}).json()["total"] == 0
    assert effects_of("size.delete", sku) == 1
    assert effects_of("product.delete", "TST-0300") == 1


def test_status_refusals(api):
    assert api.get("v3/catalog/status").status_code == 400
    unknown = api.get("v3/catalog/status", params={"trace_id": "0000000000000000-1"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "NOT_FOUND")


def test_each_applied_record_is_one_effect(api, later):
    records = [new_product(api, f"TST-04{n:02d}") for n in range(5)]
    body = submit(api, "POST", records).json()
    later.advance(3)
    for _ in range(3):
        status(api, body["trace_id"])
    rows = Effect.objects.filter(operation="product.create", key__startswith="TST-04")
    assert rows.count() == 5
    assert set(rows.values_list("key", flat=True)) == {r["item_code"] for r in records}
