"""The Fynd Konnect API client: `get_client()` and everything its methods return or raise.

Module map: client (KonnectClient, get_client), catalog_api / ims_api / oms_api (one method
per endpoint), base (token and error handling), http (session, timeouts, retries, logging),
auth (credentials, token cache), credentials (where credentials come from, encryption),
breaker (circuit breaker), errors, types, parsing, pagination, limits.
"""

from konnect_admin.konnect.breaker import breaker_is_open
from konnect_admin.konnect.client import KonnectClient, get_client
from konnect_admin.konnect.errors import (
    KonnectAuthError,
    KonnectCircuitOpen,
    KonnectError,
    KonnectForbidden,
    KonnectNotConfigured,
    KonnectNotFound,
    KonnectRateLimited,
    KonnectTransientError,
    KonnectUnavailable,
    KonnectValidationError,
)
from konnect_admin.konnect.limits import (
    CATALOG_PAGE_MAX,
    CATALOG_WRITE_LIMIT,
    IMS_WRITE_LIMIT,
    LISTINGS_PAGE_MAX,
    LISTINGS_SKUS_MAX,
    OMS_PAGE_MAX,
    OMS_WRITE_LIMIT,
    batched,
)
from konnect_admin.konnect.pagination import iter_catalog, iter_listings, iter_shipments
from konnect_admin.konnect.types import (
    ImsResult,
    OmsResult,
    Page,
    TraceStatus,
    WriteAccepted,
)

__all__ = [
    "CATALOG_PAGE_MAX",
    "CATALOG_WRITE_LIMIT",
    "IMS_WRITE_LIMIT",
    "LISTINGS_PAGE_MAX",
    "LISTINGS_SKUS_MAX",
    "OMS_PAGE_MAX",
    "OMS_WRITE_LIMIT",
    "ImsResult",
    "KonnectAuthError",
    "KonnectCircuitOpen",
    "KonnectClient",
    "KonnectError",
    "KonnectForbidden",
    "KonnectNotConfigured",
    "KonnectNotFound",
    "KonnectRateLimited",
    "KonnectTransientError",
    "KonnectUnavailable",
    "KonnectValidationError",
    "OmsResult",
    "Page",
    "TraceStatus",
    "WriteAccepted",
    "batched",
    "breaker_is_open",
    "get_client",
    "iter_catalog",
    "iter_listings",
    "iter_shipments",
]
