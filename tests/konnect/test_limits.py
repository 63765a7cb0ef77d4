"""Batch and page limits: refused before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from konnect_admin.konnect import (
    CATALOG_PAGE_MAX,
    CATALOG_WRITE_LIMIT,
    IMS_WRITE_LIMIT,
    LISTINGS_PAGE_MAX,
    LISTINGS_SKUS_MAX,
    OMS_PAGE_MAX,
    OMS_WRITE_LIMIT,
    KonnectClient,
    batched,
)


def test_the_documented_limits() -> None:
    assert (CATALOG_WRITE_LIMIT, IMS_WRITE_LIMIT, OMS_WRITE_LIMIT) == (100, 500, 20)
    assert (CATALOG_PAGE_MAX, LISTINGS_PAGE_MAX, OMS_PAGE_MAX, LISTINGS_SKUS_MAX) == (
        200,
        500,
        100,
        10,
    )


def test_batched_splits_in_order() -> None:
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []
    assert [len(b) for b in batched(range(1001), IMS_WRITE_LIMIT)] == [500, 500, 1]
    with pytest.raises(ValueError, match="at least 1"):
        list(batched([1], 0))


def _record(i: int) -> dict[str, Any]:
    return {"orderId": str(i), "sku": f"S{i}", "location_id": "L", "quantity": 1}


OVER_LIMIT = [
    ("products_create", lambda c, n: c.products_create(template="t", products=[{}] * n), 101),
    ("products_update", lambda c, n: c.products_update(template="t", products=[{}] * n), 101),
    ("products_delete", lambda c, n: c.products_delete(template="t", products=[{}] * n), 101),
    ("price_update", lambda c, n: c.price_update([_record(i) for i in range(n)]), 501),
    ("inventory_update", lambda c, n: c.inventory_update([_record(i) for i in range(n)]), 501),
    ("shipments_cancel", lambda c, n: c.shipments_cancel([_record(i) for i in range(n)]), 21),
    ("shipments_confirm", lambda c, n: c.shipments_confirm([_record(i) for i in range(n)]), 21),
    ("invoice_update", lambda c, n: c.invoice_update([_record(i) for i in range(n)]), 21),
    ("credit_notes", lambda c, n: c.credit_notes([_record(i) for i in range(n)]), 21),
    ("shipments_dispatch", lambda c, n: c.shipments_dispatch([_record(i) for i in range(n)]), 21),
    ("awb_update", lambda c, n: c.awb_update([_record(i) for i in range(n)]), 21),
    ("status_update", lambda c, n: c.status_update([_record(i) for i in range(n)]), 21),
    ("returns_qc", lambda c, n: c.returns_qc([_record(i) for i in range(n)]), 21),
    ("shipments_pack", lambda c, n: c.shipments_pack([str(i) for i in range(n)]), 21),
    ("courier_details", lambda c, n: c.courier_details([str(i) for i in range(n)]), 21),
    ("shipping_labels", lambda c, n: c.shipping_labels([str(i) for i in range(n)]), 21),
    ("customer_invoices", lambda c, n: c.customer_invoices([str(i) for i in range(n)]), 21),
]


@pytest.mark.parametrize(("name", "call", "size"), OVER_LIMIT, ids=[o[0] for o in OVER_LIMIT])
def test_batches_above_the_limit_are_refused_before_sending(
    client: KonnectClient, api: responses.RequestsMock, name: str, call: Any, size: int
) -> None:
    with pytest.raises(ValueError, match=f"above Konnect's limit of {size - 1}"):
        call(client, size)
    with pytest.raises(ValueError, match="nothing to send"):
        call(client, 0)
    assert len(api.calls) == 0  # not even a token request


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.departments(page_size=201),
        lambda c: c.products(page_size=0),
        lambda c: c.departments(page_number=0),
        lambda c: c.listings(page_size=501),
        lambda c: c.shipments(order_status="CREATED", page_size=101),
    ],
)
def test_page_sizes_outside_the_range_are_refused(
    client: KonnectClient, api: responses.RequestsMock, call: Any
) -> None:
    with pytest.raises(ValueError, match="page"):
        call(client)
    assert len(api.calls) == 0
