"""Walking the three paging conventions to the end, and the max_pages guard."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from responses import matchers

from konnect_admin.konnect import KonnectClient, KonnectError, iter_catalog
from tests.konnect import bodies
from tests.konnect.conftest import add_token, url


def _brand(uid: int) -> dict[str, Any]:
    return {**bodies.BRAND, "uid": uid, "id": uid}


def _brand_page(api: responses.RequestsMock, number: int, uids: range, total: int) -> None:
    api.get(
        url("v3/catalog/company-brand"),
        json=bodies.page([_brand(u) for u in uids], page_number=number, page_size=2, total=total),
        match=[
            matchers.query_param_matcher(
                {"page_number": str(number), "page_size": "2", "brand_name": "k"}
            )
        ],
    )


def test_catalog_stops_when_the_total_is_reached(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    _brand_page(api, 1, range(1, 3), total=4)
    _brand_page(api, 2, range(3, 5), total=4)  # full page, but 2 * 2 >= 4: no third call
    uids = [b["uid"] for b in client.iter_catalog(client.brands, page_size=2, brand_name="k")]
    assert uids == [1, 2, 3, 4]


def test_catalog_stops_at_a_short_page(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    _brand_page(api, 1, range(1, 3), total=99)
    _brand_page(api, 2, range(3, 4), total=99)  # the total lies; the short page ends it
    assert len(list(iter_catalog(client.brands, page_size=2, brand_name="k"))) == 3


def test_catalog_guard(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    _brand_page(api, 1, range(1, 3), total=1000)
    _brand_page(api, 2, range(3, 5), total=1000)
    with pytest.raises(KonnectError, match="after 2 pages"):
        list(client.iter_catalog(client.brands, page_size=2, max_pages=2, brand_name="k"))


def _shipments_page(api: responses.RequestsMock, number: int, count: int) -> None:
    api.get(
        url("oms/v3/shipment"),
        json=[{**bodies.SHIPMENT, "id": f"{number}-{i}"} for i in range(count)],
        match=[
            matchers.query_param_matcher(
                {
                    "orderStatus": "CREATED",
                    "locationCode": "BHW-WH-01",
                    "pageNumber": str(number),
                    "pageSize": "3",
                }
            )
        ],
    )


def test_shipments_stop_at_a_short_page(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    _shipments_page(api, 1, 3)
    _shipments_page(api, 2, 1)
    found = list(
        client.iter_shipments(order_status="CREATED", location_code="BHW-WH-01", page_size=3)
    )
    assert [s["id"] for s in found] == ["1-0", "1-1", "1-2", "2-0"]


def test_shipments_stop_at_an_empty_page(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    _shipments_page(api, 1, 3)
    _shipments_page(api, 2, 0)
    found = client.iter_shipments(order_status="CREATED", location_code="BHW-WH-01", page_size=3)
    assert len(list(found)) == 3


def test_shipments_guard(client: KonnectClient, loose_api: responses.RequestsMock) -> None:
    add_token(loose_api)
    loose_api.get(url("oms/v3/shipment"), json=[bodies.SHIPMENT] * 3)  # ignores pageNumber
    with pytest.raises(KonnectError, match="Stopped reading shipments after 5 pages"):
        list(client.iter_shipments(order_status="CREATED", page_size=3, max_pages=5))
    assert len(loose_api.calls) == 1 + 5


def _listings_page(api: responses.RequestsMock, number: int, count: int) -> None:
    api.get(
        url("ims/v3/listings"),
        json={"data": [{**bodies.LISTING, "sku": f"{number}-{i}"} for i in range(count)]},
        match=[matchers.query_param_matcher({"page_no": str(number), "page_size": "2"})],
    )


def test_listings_stop_at_a_short_page(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    _listings_page(api, 1, 2)
    _listings_page(api, 2, 2)
    _listings_page(api, 3, 0)
    assert [x["sku"] for x in client.iter_listings(page_size=2)] == ["1-0", "1-1", "2-0", "2-1"]


def test_listings_guard(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    _listings_page(api, 1, 2)
    with pytest.raises(KonnectError, match="after 1 pages"):
        list(client.iter_listings(page_size=2, max_pages=1))
