"""IMS endpoints (`ims/v3/...`): listings, listing count, prices and stock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from konnect_admin.konnect import parsing
from konnect_admin.konnect.base import ClientBase, query, records_list
from konnect_admin.konnect.limits import (
    IMS_WRITE_LIMIT,
    LISTINGS_PAGE_MAX,
    LISTINGS_SKUS_MAX,
    check_batch,
    check_page_size,
)
from konnect_admin.konnect.types import ImsResult, InventoryRecord, Listing, PriceRecord

LISTINGS_PATH = "ims/v3/listings"


class ImsMethods(ClientBase):
    def listings(
        self,
        *,
        page_no: int = 1,
        page_size: int = LISTINGS_PAGE_MAX,
        skus: Sequence[str] | None = None,
    ) -> list[Listing]:
        """One page of SKU listings (no total: page on until a short page, see iter_listings)."""
        check_page_size(page_size, LISTINGS_PAGE_MAX, LISTINGS_PATH)
        if skus is not None and len(skus) > LISTINGS_SKUS_MAX:
            raise ValueError(f"{LISTINGS_PATH}: at most {LISTINGS_SKUS_MAX} SKUs per request")
        params = query(page_no=page_no, page_size=page_size, skus=list(skus) if skus else None)
        body = self._json("GET", LISTINGS_PATH, idempotent=True, params=params)
        data = parsing.as_object(body, LISTINGS_PATH).get("data")
        return cast(list[Listing], parsing.array(data if data is not None else [], LISTINGS_PATH))

    def listings_count(self, *, batch_product: bool | None = None) -> int:
        """How many SKUs are listed; `batch_product=True` counts batch-tracked articles only."""
        path = f"{LISTINGS_PATH}/count"
        headers = (
            {}
            if batch_product is None
            else {"x-batch-product": "TRUE" if batch_product else "FALSE"}
        )
        body = self._json("GET", path, idempotent=True, headers=headers)
        data = parsing.as_object(body, path).get("data")
        count = data.get("listing_count") if isinstance(data, Mapping) else None
        if not isinstance(count, int):
            raise parsing.unexpected(path, "no listing_count")
        return count

    def _ims_write(self, path: str, records: Sequence[Mapping[str, Any]]) -> ImsResult:
        check_batch(records, IMS_WRITE_LIMIT, f"PUT {path}")
        body = self._json("PUT", path, idempotent=False, body=records_list(records))
        return parsing.ims_result(body, path)

    def price_update(self, records: Sequence[PriceRecord | Mapping[str, Any]]) -> ImsResult:
        """Absolute MRP/ESP per SKU and location; errors come back by record index."""
        return self._ims_write("ims/v3/price", records)

    def inventory_update(self, records: Sequence[InventoryRecord | Mapping[str, Any]]) -> ImsResult:
        """Absolute stock per SKU and location; errors come back by record index."""
        return self._ims_write("ims/v3/inventory", records)
