"""OMS reads: fetch by bucket and by id, scope, paging, date filters, shipment info."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from konnect_admin.sandbox.models import Shipment

pytestmark = pytest.mark.django_db

BHW = {"locationCode": "BHW-WH-01"}


def test_fetch_needs_a_bucket_or_an_id(api):
    assert api.get("oms/v3/shipment", params=BHW).status_code == 400
    bad = api.get("oms/v3/shipment", params={**BHW, "orderStatus": "SHIPPED"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "orderStatus"


def test_paging_to_the_end_returns_every_shipment_once(api):
    expected = Shipment.objects.filter(bucket="DELIVERED", location_code="BHW-WH-01").count()
    seen, page = [], 1
    while True:
        batch = api.get(
            "oms/v3/shipment",
            params={**BHW, "orderStatus": "DELIVERED", "pageNumber": page, "pageSize": 7},
        ).json()
        seen += [s["id"] for s in batch]
        if len(batch) < 7:
            break
        page += 1
    assert len(seen) == len(set(seen)) == expected
    dates = [
        s["orderDate"]
        for s in api.get(
            "oms/v3/shipment", params={**BHW, "orderStatus": "DELIVERED", "pageSize": 100}
        ).json()
    ]
    assert dates == sorted(dates)


@pytest.mark.parametrize("params", [{"pageSize": 101}, {"pageSize": 0}, {"pageNumber": 0}])
def test_page_limits(api, params):
    response = api.get("oms/v3/shipment", params={**BHW, "orderStatus": "CREATED", **params})
    assert response.status_code == 400


def test_default_page_size_is_50(api):
    batch = api.get("oms/v3/shipment", params={**BHW, "orderStatus": "DELIVERED"}).json()
    assert len(batch) == 50


def test_fetch_by_id_with_any_token(api, location_api):
    shipment = Shipment.objects.filter(location_code="BLR-ST-01").first()
    [body] = api.get("oms/v3/shipment", params={"orderId": shipment.shipment_id}).json()
    assert body["id"] == shipment.shipment_id
    assert body["orderItems"]
    assert "status" in body["orderItems"][0]
    assert api.get("oms/v3/shipment", params={"orderId": "17000000000000000009"}).json() == []
    blr = location_api("BLR-ST-01")
    assert len(blr.get("oms/v3/shipment", params={"orderId": shipment.shipment_id}).json()) == 1
    ggn = location_api("GGN-DS-01")
    assert ggn.get("oms/v3/shipment", params={"orderId": shipment.shipment_id}).json() == []


def test_channel_filter(api):
    rows = api.get(
        "oms/v3/shipment",
        params={**BHW, "orderStatus": "DELIVERED", "orderingChannel": "MYNTRA_IN", "pageSize": 100},
    ).json()
    assert rows
    assert {r["orderingChannel"] for r in rows} == {"MYNTRA_IN"}


@pytest.mark.parametrize("style", ["dmy", "iso", "datetime"])
def test_date_filters_accept_the_three_formats(api, style):
    ist = ZoneInfo("Asia/Kolkata")
    last = (timezone.now() - timedelta(days=10)).astimezone(ist).date()
    first = last - timedelta(days=5)
    if style == "dmy":
        bounds = (first.strftime("%d-%m-%Y"), last.strftime("%d-%m-%Y"))
    elif style == "iso":
        bounds = (first.isoformat(), last.isoformat())
    else:  # date-times without an offset are IST
        bounds = (f"{first.isoformat()}T00:00:00", f"{last.isoformat()}T23:59:59")
    params = {**BHW, "orderStatus": "DELIVERED", "pageSize": 100}
    rows = api.get(
        "oms/v3/shipment", params={**params, "orderDateFrom": bounds[0], "orderDateTo": bounds[1]}
    ).json()
    start = datetime.combine(first, time.min, tzinfo=ist)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=ist)
    expected = Shipment.objects.filter(
        bucket="DELIVERED",
        location_code="BHW-WH-01",
        order_date__gte=start,
        order_date__lt=end,
    )
    assert expected.exists()
    assert sorted(r["id"] for r in rows) == sorted(expected.values_list("shipment_id", flat=True))


def test_bad_date_is_refused(api):
    response = api.get(
        "oms/v3/shipment", params={**BHW, "orderStatus": "CREATED", "orderDateFrom": "yesterday"}
    )
    assert response.status_code == 400


def test_every_bucket_can_be_fetched(api):
    for bucket in (
        "CREATED",
        "CONFIRMED",
        "PROCESSING",
        "COMPLETED",
        "TRANSIT",
        "DELIVERED",
        "CANCELLED",
        "RETURN_PROCESSING",
        "RETURN_DELIVERED",
        "RETURN_ACCEPTED",
        "RETURN_COMPLETED",
        "CREDIT_NOTE_GENERATED",
        "HANDED_OVER_TO_CUSTOMER",
    ):
        total = sum(
            len(
                api.get(
                    "oms/v3/shipment",
                    params={"locationCode": code, "orderStatus": bucket, "pageSize": 100},
                ).json()
            )
            for code in ("BHW-WH-01", "BLR-ST-01", "GGN-DS-01")
        )
        if bucket == "HANDED_OVER_TO_CUSTOMER":
            assert total == 0
        else:
            assert total > 0, bucket


def test_returns_carry_their_forward_id(api):
    returned = Shipment.objects.filter(is_return=True, bucket="RETURN_DELIVERED").first()
    [body] = api.get("oms/v3/shipment", params={"orderId": returned.shipment_id}).json()
    assert body["forwardId"] != body["id"]
    assert body["marketplaceReturnId"].startswith("FR")
    assert Shipment.objects.get(shipment_id=body["forwardId"]).state == "delivery_done"


def test_shipment_info(api, location_api):
    one = Shipment.objects.filter(location_code="GGN-DS-01", bucket="CREATED").first()
    info = api.get("oms/v3/shipment/info", params={"orderId": one.shipment_id}).json()
    assert info["orders"][0]["id"] == one.shipment_id
    assert set(info["orders"][0]) == {
        "id",
        "orderStatus",
        "shipmentStatus",
        "orderType",
        "sla",
        "lockStatus",
        "processingDueTime",
    }
    bucket = location_api("GGN-DS-01").get(
        "oms/v3/shipment/info", params={"orderStatus": "CREATED"}
    )
    expected = Shipment.objects.filter(location_code="GGN-DS-01", bucket="CREATED").count()
    assert len(bucket.json()["orders"]) == expected
    assert api.get("oms/v3/shipment/info").status_code == 400
    assert api.get("oms/v3/shipment/info", params={"orderStatus": "CREATED"}).status_code == 400
