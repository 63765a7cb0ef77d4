"""IMS: listings, count, price and inventory writes with their per-record codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from konnect_admin.sandbox.models import Effect, Size, Stock

pytestmark = pytest.mark.django_db


def _skus(n):
    return list(Size.objects.order_by("sku").values_list("sku", flat=True)[:n])


def test_listings_shape_paging_and_filter(api):
    body = api.get("ims/v3/listings", params={"page_size": 3, "page_no": 2}).json()
    assert set(body) == {"data", "meta"}
    assert body["meta"]["status"] == "SUCCESS"
    assert len(body["data"]) == 3
    listing = body["data"][0]
    assert set(listing) == {
        "sku",
        "item_code",
        "slug",
        "name",
        "brand",
        "size",
        "price",
        "locations",
        "total_quantity",
        "modified_on",
    }
    assert listing["sku"] == _skus(4)[3]  # ordered by SKU
    assert {loc["location_id"] for loc in listing["locations"]} == {
        "BHW-WH-01",
        "BLR-ST-01",
        "GGN-DS-01",
    }
    assert listing["total_quantity"] == sum(loc["quantity"] for loc in listing["locations"])
    wanted = _skus(2)
    filtered = api.get("ims/v3/listings", params={"skus": ",".join(wanted)}).json()["data"]
    assert [x["sku"] for x in filtered] == wanted
    assert len(api.get("ims/v3/listings", params={"page_size": 500}).json()["data"]) == 330


@pytest.mark.parametrize(
    "params",
    [{"page_size": 501}, {"page_size": 0}, {"page_no": 0}, {"skus": ",".join("abcdefghijk")}],
)
def test_listing_limits(api, params):
    assert api.get("ims/v3/listings", params=params).status_code == 400


def test_location_token_sees_its_own_stock(location_api):
    body = location_api("GGN-DS-01").get("ims/v3/listings", params={"page_size": 5}).json()
    assert {loc["location_id"] for x in body["data"] for loc in x["locations"]} == {"GGN-DS-01"}


def test_count(api):
    assert api.get("ims/v3/listings/count").json()["data"] == {"listing_count": 330}
    batch = api.get("ims/v3/listings/count", headers={"x-batch-product": "TRUE"}).json()
    assert batch["data"] == {"listing_count": 0}
    false = api.get("ims/v3/listings/count", headers={"x-batch-product": "FALSE"}).json()
    assert false["data"]["listing_count"] == 330
    assert api.get("ims/v3/listings/count", headers={"x-batch-product": "MAYBE"}).status_code == 400


def test_inventory_update_and_per_record_errors(api):
    sku, other = _skus(2)
    records = [
        {"location_id": "BHW-WH-01", "sku": sku, "quantity": 7},
        {"location_id": "BLR-ST-01", "sku": sku, "quantity": 0},
        {"location_id": "BHW-WH-01", "sku": "NO-SUCH-SKU", "quantity": 1},
        {"location_id": "XX-01", "sku": sku, "quantity": 1},
        {"location_id": "BHW-WH-01", "sku": other, "quantity": -1},
        {"location_id": "BHW-WH-01", "sku": other, "quantity": 1.5},
    ]
    body = api.put("ims/v3/inventory", json=records).json()
    assert body["data"]["payload_count"] == 6
    assert (body["data"]["success_count"], body["data"]["failed_count"]) == (2, 4)
    assert body["meta"]["status"] == "PARTIAL"
    assert [(e["index"], e["code"]) for e in body["data"]["errors"]] == [
        (2, "IMS404"),
        (3, "IMS404"),
        (4, "IMS400"),
        (5, "IMS400"),
    ]
    assert set(body["data"]["errors"][0]) == {"index", "sku", "location_id", "code", "message"}
    stock = {s.location_code: s.quantity for s in Stock.objects.filter(size__sku=sku)}
    assert (stock["BHW-WH-01"], stock["BLR-ST-01"]) == (7, 0)
    listing = api.get("ims/v3/listings", params={"skus": sku}).json()["data"][0]
    assert {loc["location_id"]: loc["quantity"] for loc in listing["locations"]}["BHW-WH-01"] == 7
    keys = set(Effect.objects.filter(operation="inventory").values_list("key", flat=True))
    assert keys == {f"{sku}@BHW-WH-01", f"{sku}@BLR-ST-01"}
    # Absolute values: repeating changes nothing, yet is counted (and ledgered) again.
    again = api.put("ims/v3/inventory", json=records[:1]).json()
    assert again["meta"]["status"] == "SUCCESS"
    assert Effect.objects.filter(operation="inventory", key=f"{sku}@BHW-WH-01").count() == 2


def test_a_new_product_gets_stock_rows_on_first_update(api):
    size = Size.objects.first()
    Stock.objects.filter(size=size).delete()
    body = api.put(
        "ims/v3/inventory", json=[{"location_id": "GGN-DS-01", "sku": size.sku, "quantity": 4}]
    ).json()
    assert body["meta"]["status"] == "SUCCESS"
    assert Stock.objects.get(size=size).quantity == 4


def test_price_update_and_per_record_errors(api, location_api):
    sku = _skus(1)[0]
    good = {"location_id": "BLR-ST-01", "sku": sku, "esp": 899, "mrp": 999, "currency": "INR"}
    records = [
        good,
        {**good, "esp": 1000},
        {**good, "currency": "USD"},
        {**good, "mrp": -1, "esp": -2},
        {**good, "mrp": "999"},
    ]
    body = api.put("ims/v3/price", json=records).json()
    assert [e["code"] for e in body["data"]["errors"]] == ["IMS400"] * 4
    stock = Stock.objects.get(size__sku=sku, location_code="BLR-ST-01")
    assert (stock.mrp, stock.esp) == (Decimal(999), Decimal(899))
    listing = api.get("ims/v3/listings", params={"skus": sku}).json()["data"][0]
    blr = next(x for x in listing["locations"] if x["location_id"] == "BLR-ST-01")
    assert (blr["mrp"], blr["esp"]) == (999.0, 899.0)
    scoped = location_api("BHW-WH-01").put("ims/v3/price", json=[good]).json()
    assert [e["code"] for e in scoped["data"]["errors"]] == ["IMS403"]
    assert scoped["meta"]["status"] == "FAILED"


@pytest.mark.parametrize(
    ("path", "record", "meanwhile", "kept"),
    [
        ("ims/v3/price", {"esp": 899, "mrp": 999, "currency": "INR"}, {"quantity": 321}, 321),
        ("ims/v3/inventory", {"quantity": 7}, {"mrp": Decimal(1234)}, Decimal(1234)),
    ],
)
def test_a_write_keeps_what_another_write_changed_meanwhile(
    api, monkeypatch, path, record, meanwhile, kept
):
    """A price write and a stock write for the same SKU at the same moment (PostgreSQL runs
    them side by side): each sets only its own fields, so neither undoes the other."""
    from konnect_admin.sandbox import views_ims

    sku = _skus(1)[0]
    row = Stock.objects.filter(size__sku=sku, location_code="BLR-ST-01")
    field = next(iter(meanwhile))
    real = views_ims._price_apply if "price" in path else views_ims._quantity_apply

    def apply_while_another_request_commits(stock, body):
        row.update(**meanwhile)  # the other request commits after this one read the row
        real(stock, body)

    name = "_price_apply" if "price" in path else "_quantity_apply"
    monkeypatch.setattr(views_ims, name, apply_while_another_request_commits)
    body = api.put(path, json=[{"location_id": "BLR-ST-01", "sku": sku, **record}]).json()
    assert body["meta"]["status"] == "SUCCESS", body
    assert getattr(row.get(), field) == kept


@pytest.mark.parametrize("path", ["ims/v3/price", "ims/v3/inventory"])
def test_request_level_refusals(api, path):
    record = {
        "location_id": "BHW-WH-01",
        "sku": "X",
        "quantity": 1,
        "esp": 1,
        "mrp": 1,
        "currency": "INR",
    }
    assert api.put(path, json={"records": []}).status_code == 400
    assert api.put(path, json=[]).status_code == 400
    too_many = api.put(path, json=[record] * 501)
    assert (too_many.status_code, too_many.json()["code"]) == (400, "BATCH_LIMIT")
    assert api.put(path, json=[record] * 500).status_code == 200
    missing = api.put(path, json=[{"sku": "X"}])
    assert missing.status_code == 400
    assert "[0].location_id" in [e["field"] for e in missing.json()["errors"]]
    assert api.post(path, json=[record]).status_code == 405
