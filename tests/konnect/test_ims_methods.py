"""IMS endpoints: listings, listing count, price and inventory updates."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from responses import matchers

from konnect_admin.konnect import ImsResult, KonnectClient
from tests.konnect import bodies
from tests.konnect.conftest import CANARY_TOKEN, add_token, url

PRICE: dict[str, Any] = {
    "location_id": "BHW-WH-01",
    "sku": "TEE-001-M",
    "esp": 799,
    "mrp": 999,
    "currency": "INR",
}
STOCK: dict[str, Any] = {"location_id": "BHW-WH-01", "sku": "TEE-001-M", "quantity": 5}


def test_listings(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.get(
        url("ims/v3/listings"),
        json={"data": [bodies.LISTING], "meta": bodies.IMS_META},
        match=[
            matchers.query_param_matcher(
                {"page_no": "3", "page_size": "100", "skus": "TEE-001-M,TEE-001-L"}
            ),
            matchers.header_matcher({"x-access-token": CANARY_TOKEN}),
        ],
    )
    found = client.listings(page_no=3, page_size=100, skus=["TEE-001-M", "TEE-001-L"])
    assert found == [bodies.LISTING]


def test_listings_defaults_to_the_largest_page(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    api.get(
        url("ims/v3/listings"),
        json={"data": [], "meta": bodies.IMS_META},
        match=[matchers.query_param_matcher({"page_no": "1", "page_size": "500"})],
    )
    assert client.listings() == []


def test_listings_refuses_more_than_ten_skus(client: KonnectClient) -> None:
    with pytest.raises(ValueError, match="at most 10 SKUs"):
        client.listings(skus=[f"SKU-{i}" for i in range(11)])


def test_listings_count(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.get(
        url("ims/v3/listings/count"),
        json={"data": {"listing_count": 55050}, "meta": bodies.IMS_META},
    )
    assert client.listings_count() == 55050
    assert "x-batch-product" not in api.calls[1].request.headers


def test_listings_count_of_batch_products(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    api.get(
        url("ims/v3/listings/count"),
        json={"data": {"listing_count": 0}, "meta": bodies.IMS_META},
        match=[matchers.header_matcher({"x-batch-product": "TRUE"})],
    )
    assert client.listings_count(batch_product=True) == 0


@pytest.mark.parametrize(
    ("method", "path", "record"),
    [
        ("price_update", "ims/v3/price", PRICE),
        ("inventory_update", "ims/v3/inventory", STOCK),
    ],
)
def test_ims_writes_send_a_bare_array(
    client: KonnectClient,
    api: responses.RequestsMock,
    method: str,
    path: str,
    record: dict[str, object],
) -> None:
    add_token(api)
    api.put(
        url(path),
        json=bodies.IMS_OK,
        match=[
            matchers.json_params_matcher([record, record]),
            matchers.header_matcher({"x-access-token": CANARY_TOKEN}),
        ],
    )
    result = getattr(client, method)([record, record])
    assert result == ImsResult(
        payload_count=2,
        success_count=2,
        failed_count=0,
        errors=[],
        ack_id="679c771cc8f3483beac7862d",
        status="SUCCESS",
    )


def test_ims_errors_map_back_by_index(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.put(url("ims/v3/inventory"), json=bodies.IMS_PARTIAL)
    result = client.inventory_update([STOCK, dict(STOCK, sku="NOPE")])
    assert result.status == "PARTIAL"
    assert result.errors_by_index() == {
        1: [
            {
                "index": 1,
                "sku": "NOPE",
                "location_id": "BHW-WH-01",
                "code": "IMS404",
                "message": "unknown SKU",
            }
        ]
    }
