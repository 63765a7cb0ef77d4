"""Catalog endpoints: request shapes (path, query, body, headers) and parsed answers."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from responses import matchers

from konnect_admin.konnect import KonnectClient, KonnectNotFound, Page, WriteAccepted
from tests.konnect import bodies
from tests.konnect.conftest import CANARY_TOKEN, add_token, error_body, sent_json, url


def _list_call(api: responses.RequestsMock, path: str, query: dict[str, str], body: Any) -> None:
    add_token(api)
    api.get(
        url(path),
        json=body,
        match=[
            matchers.query_param_matcher(query),
            matchers.header_matcher({"x-access-token": CANARY_TOKEN}),
        ],
    )


def test_departments_sends_filters_and_pages(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    _list_call(
        api,
        "v3/catalog/departments",
        {"page_number": "2", "page_size": "10", "name": "Men", "is_active": "true"},
        bodies.page([bodies.DEPARTMENT], page_number=2, page_size=10, total=11),
    )
    page = client.departments(page_number=2, page_size=10, name="Men", is_active=True)
    assert isinstance(page, Page)
    assert page.items == [bodies.DEPARTMENT]
    assert (page.page_number, page.page_size, page.total, page.has_next) == (2, 10, 11, False)


def test_list_methods_default_to_the_largest_page(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    _list_call(
        api,
        "v3/catalog/company-brand",
        {"page_number": "1", "page_size": "200", "brand_name": "kes"},
        bodies.page([bodies.BRAND], total=450),
    )
    page = client.brands(brand_name="kes")
    assert page.items[0]["name"] == "Kesarlane"
    assert page.total == 450
    assert page.has_next is False  # a short page: nothing follows it


def test_has_next_when_a_full_page_leaves_more(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    _list_call(
        api,
        "v3/catalog/category",
        {
            "page_number": "1",
            "page_size": "1",
            "level": "3",
            "department": "1",
            "cat3_id": "10001,10002",
        },
        bodies.page([bodies.CATEGORY], page_size=1, total=2),
    )
    page = client.categories(page_size=1, level=3, department=1, cat3_id=[10001, 10002])
    assert page.has_next is True
    assert page.items[0]["department_uids"] == [1, 2]


def test_templates(client: KonnectClient, api: responses.RequestsMock) -> None:
    _list_call(
        api,
        "v3/catalog/product/template",
        {"page_number": "1", "page_size": "200", "department": "mens-fashion"},
        bodies.page([bodies.TEMPLATE]),
    )
    assert client.templates(department="mens-fashion").items == [bodies.TEMPLATE]


def test_hs_codes(client: KonnectClient, api: responses.RequestsMock) -> None:
    _list_call(
        api,
        "v3/catalog/taxes/hscodes",
        {"page_number": "1", "page_size": "200", "search": "6109", "type": "HS"},
        bodies.page([bodies.HS_CODE]),
    )
    assert client.hs_codes(search="6109", type="HS").items[0]["hs_code"] == "61091000"


def test_tax_rules(client: KonnectClient, api: responses.RequestsMock) -> None:
    _list_call(
        api,
        "v3/catalog/taxes/rules",
        {
            "page_number": "1",
            "page_size": "200",
            "status": "ACTIVE",
            "version_status": "CURRENT",
            "rule_name": "GST",
        },
        bodies.page([bodies.TAX_RULE]),
    )
    page = client.tax_rules(status="ACTIVE", version_status="CURRENT", rule_name="GST")
    assert page.items[0]["slabs"] == [{"threshold_price_upto": None, "rate_percent": 5}]


def test_products_joins_item_codes(client: KonnectClient, api: responses.RequestsMock) -> None:
    _list_call(
        api,
        "v3/catalog/product",
        {
            "page_number": "1",
            "page_size": "50",
            "item_code": "TEE-001,TEE-002",
            "sort_on": "created",
        },
        bodies.page([bodies.PRODUCT], page_size=50),
    )
    page = client.products(page_size=50, item_code=["TEE-001", "TEE-002"], sort_on="created")
    assert page.items[0]["sizes"][0]["primary_identifier"] == "TEE-001-M"


def test_product_attributes(client: KonnectClient, api: responses.RequestsMock) -> None:
    _list_call(
        api,
        "v3/catalog/product-attributes",
        {"category": "T-Shirts"},
        {"items": [bodies.ATTRIBUTE]},
    )
    assert client.product_attributes(category="T-Shirts") == [bodies.ATTRIBUTE]


def test_unknown_category_is_not_found(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.get(
        url("v3/catalog/product-attributes"),
        status=404,
        json=error_body("NOT_FOUND", "No L3 category named 't-shirts'"),
    )
    with pytest.raises(KonnectNotFound, match="No L3 category named"):
        client.product_attributes(category="t-shirts")


@pytest.mark.parametrize(
    ("method", "http_method"),
    [("products_create", "POST"), ("products_update", "PUT"), ("products_delete", "DELETE")],
)
def test_product_writes_send_products_and_template(
    client: KonnectClient, api: responses.RequestsMock, method: str, http_method: str
) -> None:
    add_token(api)
    api.add(
        http_method,
        url("v3/catalog/product"),
        json=bodies.WRITE_ACCEPTED,
        match=[
            matchers.json_params_matcher({"products": [bodies.PRODUCT], "template": "topwear"}),
            matchers.header_matcher(
                {"x-access-token": CANARY_TOKEN, "Content-Type": "application/json"}
            ),
        ],
    )
    accepted = getattr(client, method)(template="topwear", products=[bodies.PRODUCT])
    assert accepted == WriteAccepted(
        trace_id="1356dfa6-7d45-4ff9-8397-f43b9d92dc52",
        total=1,
        success=1,
        failed=0,
        status="SUCCESS",
        errors={},
        stage="RUNNING",
    )


def test_submit_rejections_are_keyed_by_record_index(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    api.post(
        url("v3/catalog/product"),
        json={
            **bodies.WRITE_ACCEPTED,
            "total": 4,
            "success": 3,
            "failed": 1,
            "errors": {"3": [{"field": "slug", "message": "does not match the pattern"}]},
        },
    )
    accepted = client.products_create(template="topwear", products=[bodies.PRODUCT] * 4)
    assert accepted.errors == {3: [{"field": "slug", "message": "does not match the pattern"}]}
    assert not accepted.nothing_accepted


def test_catalog_status_pending(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.get(
        url("v3/catalog/status"),
        json=bodies.STATUS_PENDING,
        match=[matchers.query_param_matcher({"trace_id": "b3bbaead9858e85d-1760266497372"})],
    )
    status = client.catalog_status(trace_id="b3bbaead9858e85d-1760266497372")
    assert status.is_pending
    assert not status.is_terminal


def test_catalog_status_completed(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.get(url("v3/catalog/status"), json=bodies.STATUS_COMPLETED)
    status = client.catalog_status(trace_id="90591ba5-b88c-475d-bbca-e9cda685ed78")
    assert status.is_terminal
    assert (status.succeeded, status.failed, status.errors) == (1, 0, {})
    assert status.message == "Product processed successfully"


def test_catalog_status_partial_maps_errors_back_to_records(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    api.get(url("v3/catalog/status"), json=bodies.STATUS_PARTIAL)
    status = client.catalog_status(trace_id="b3bbaead9858e85d-1760266497372")
    assert status.is_terminal
    assert status.stage == "PARTIAL"
    assert (status.succeeded, status.failed) == (1, 2)
    assert status.errors == {
        0: [{"field": "slug", "message": "does not match the pattern"}],
        2: [{"field": "attributes.gender", "message": "is required"}],
    }
    assert status.failed_records[0]["item_code"] == "TEE-003"


def test_unknown_trace_is_not_found(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.get(url("v3/catalog/status"), status=404, json=error_body("NOT_FOUND", "Unknown trace"))
    with pytest.raises(KonnectNotFound):
        client.catalog_status(trace_id="nope")


def test_unexpected_answer_is_a_clear_error(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    api.get(url("v3/catalog/departments"), json={"items": "not-a-list"})
    with pytest.raises(Exception, match=r"unexpected answer to v3/catalog/departments"):
        client.departments()


def test_write_body_is_a_copy(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.post(url("v3/catalog/product"), json=bodies.WRITE_ACCEPTED)
    product = dict(bodies.PRODUCT)
    client.products_create(template="topwear", products=[product])
    assert sent_json(api.calls[1]) == {"products": [bodies.PRODUCT], "template": "topwear"}
    assert product == bodies.PRODUCT
