"""Walking Konnect's three paging conventions to the end, with a guard against endless loops.

- catalog lists: `page_number`/`page_size` with a `total` (stop when page_number * page_size
  reaches the total, or at a short page);
- OMS shipments: `pageNumber`/`pageSize`, a bare array (stop at a short page);
- IMS listings: `page_no`/`page_size`, no total (stop at a short page).

Every iterator raises KonnectError after `max_pages` pages that still promise more, so a server
that ignores the page parameter cannot keep a worker busy forever.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from konnect_admin.konnect.errors import KonnectError
from konnect_admin.konnect.limits import CATALOG_PAGE_MAX, LISTINGS_PAGE_MAX, OMS_PAGE_MAX
from konnect_admin.konnect.types import Listing, Page, Shipment

if TYPE_CHECKING:
    from konnect_admin.konnect.ims_api import ImsMethods
    from konnect_admin.konnect.oms_api import OmsMethods

T = TypeVar("T")
DEFAULT_MAX_PAGES = 1000


def _guard(page_number: int, max_pages: int, what: str) -> None:
    if page_number > max_pages:
        raise KonnectError(
            f"Stopped reading {what} after {max_pages} pages: Konnect kept reporting more"
        )


def iter_catalog(
    method: Callable[..., Page[T]],
    *,
    page_size: int = CATALOG_PAGE_MAX,
    max_pages: int = DEFAULT_MAX_PAGES,
    **filters: Any,
) -> Iterator[T]:
    """Every item of a catalog list, e.g. `iter_catalog(client.brands, brand_name="k")`."""
    what = getattr(method, "__name__", "a catalog list")
    page_number = 1
    while True:
        _guard(page_number, max_pages, what)
        page = method(page_number=page_number, page_size=page_size, **filters)
        yield from page.items
        if len(page.items) < page_size or page_number * page_size >= page.total:
            return
        page_number += 1


def iter_shipments(
    client: OmsMethods,
    *,
    order_status: str,
    page_size: int = OMS_PAGE_MAX,
    max_pages: int = DEFAULT_MAX_PAGES,
    **filters: Any,
) -> Iterator[Shipment]:
    """Every shipment of a bucket (and the other `shipments()` filters), oldest first."""
    page_number = 1
    while True:
        _guard(page_number, max_pages, "shipments")
        found = client.shipments(
            order_status=order_status, page_number=page_number, page_size=page_size, **filters
        )
        yield from found
        if len(found) < page_size:
            return
        page_number += 1


def iter_listings(
    client: ImsMethods,
    *,
    page_size: int = LISTINGS_PAGE_MAX,
    skus: Sequence[str] | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[Listing]:
    """Every SKU listing, in SKU order."""
    page_no = 1
    while True:
        _guard(page_no, max_pages, "listings")
        found = client.listings(page_no=page_no, page_size=page_size, skus=skus)
        yield from found
        if len(found) < page_size:
            return
        page_no += 1
