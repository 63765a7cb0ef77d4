"""The documented batch and page limits of Konnect, and helpers to respect them.

A batch over its limit is refused by Konnect as a whole (contract: 400 BATCH_LIMIT, nothing
applied), so the client refuses it before sending: a bug in the caller should fail loudly in
our process, not as a remote 400 that a Job might retry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

CATALOG_WRITE_LIMIT = 100  # products per POST/PUT/DELETE v3/catalog/product
IMS_WRITE_LIMIT = 500  # records per PUT ims/v3/price and ims/v3/inventory
OMS_WRITE_LIMIT = 20  # records per OMS action (cancel, confirm, invoiceUpdate, pack, ...)
CATALOG_PAGE_MAX = 200  # page_size of the catalog list endpoints
LISTINGS_PAGE_MAX = 500  # page_size of ims/v3/listings
OMS_PAGE_MAX = 100  # pageSize of oms/v3/shipment (our contract)
LISTINGS_SKUS_MAX = 10  # SKUs in one ims/v3/listings?skus= filter

T = TypeVar("T")


def batched(records: Iterable[T], limit: int) -> Iterator[list[T]]:
    """Split `records` into lists of at most `limit` items, keeping their order."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    iterator = iter(records)
    while chunk := list(islice(iterator, limit)):
        yield chunk


def check_batch(records: Sequence[object], limit: int, what: str) -> None:
    """Refuse an empty batch or one above the documented limit, before anything is sent."""
    if not records:
        raise ValueError(f"{what}: nothing to send (the batch is empty)")
    if len(records) > limit:
        raise ValueError(
            f"{what}: {len(records)} records is above Konnect's limit of {limit} per request;"
            " split them with batched()"
        )


def check_page_size(page_size: int, limit: int, what: str) -> None:
    if not 1 <= page_size <= limit:
        raise ValueError(f"{what}: page size must be between 1 and {limit}, not {page_size}")
