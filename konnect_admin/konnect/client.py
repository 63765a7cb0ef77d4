"""KonnectClient, the one client the dashboard uses, and `get_client()` to make one."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from konnect_admin.konnect import pagination
from konnect_admin.konnect.catalog_api import CatalogMethods
from konnect_admin.konnect.credentials import company_credentials, location_credentials
from konnect_admin.konnect.ims_api import ImsMethods
from konnect_admin.konnect.limits import CATALOG_PAGE_MAX, LISTINGS_PAGE_MAX, OMS_PAGE_MAX
from konnect_admin.konnect.oms_api import OmsMethods
from konnect_admin.konnect.types import Listing, Page, Shipment

T = TypeVar("T")


class KonnectClient(CatalogMethods, ImsMethods, OmsMethods):
    """One typed method per Konnect endpoint, over one session and one credential.

    Make it with `get_client()`; it is cheap, so make one per unit of work (a Job step) and
    let it go (or use it as a context manager to close its connections).
    """

    def __enter__(self) -> KonnectClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def iter_catalog(
        self,
        method: Callable[..., Page[T]],
        *,
        page_size: int = CATALOG_PAGE_MAX,
        max_pages: int = pagination.DEFAULT_MAX_PAGES,
        **filters: Any,
    ) -> Iterator[T]:
        return pagination.iter_catalog(method, page_size=page_size, max_pages=max_pages, **filters)

    def iter_shipments(
        self,
        *,
        order_status: str,
        page_size: int = OMS_PAGE_MAX,
        max_pages: int = pagination.DEFAULT_MAX_PAGES,
        **filters: Any,
    ) -> Iterator[Shipment]:
        return pagination.iter_shipments(
            self, order_status=order_status, page_size=page_size, max_pages=max_pages, **filters
        )

    def iter_listings(
        self,
        *,
        page_size: int = LISTINGS_PAGE_MAX,
        skus: Sequence[str] | None = None,
        max_pages: int = pagination.DEFAULT_MAX_PAGES,
    ) -> Iterator[Listing]:
        return pagination.iter_listings(self, page_size=page_size, skus=skus, max_pages=max_pages)


def get_client(location_code: str | None = None, **options: Any) -> KonnectClient:
    """A client for the company, or for `location_code`.

    A location with its own credentials (environment or stored) gets a location token; any
    other location uses the company credentials and sends its code where Konnect needs one.
    `options` go to KonnectClient (e.g. `timeout=(3, 5), max_retries=0, use_breaker=False`).
    """
    credentials = location_credentials(location_code) if location_code else None
    return KonnectClient(
        credentials=credentials or company_credentials(), location_code=location_code, **options
    )
