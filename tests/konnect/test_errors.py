"""One factory maps Konnect answers to typed errors with messages a merchandiser can read."""

from __future__ import annotations

import pytest
import requests

from konnect_admin.konnect import (
    KonnectAuthError,
    KonnectCircuitOpen,
    KonnectError,
    KonnectForbidden,
    KonnectNotFound,
    KonnectRateLimited,
    KonnectTransientError,
    KonnectUnavailable,
    KonnectValidationError,
)
from konnect_admin.konnect.errors import error_from_exception, error_from_response
from tests.konnect.conftest import error_body


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (400, KonnectValidationError, False),
        (401, KonnectAuthError, False),
        (403, KonnectForbidden, False),
        (404, KonnectNotFound, False),
        (429, KonnectRateLimited, True),
        (500, KonnectUnavailable, True),
        (502, KonnectUnavailable, True),
        (503, KonnectUnavailable, True),
        (504, KonnectUnavailable, True),
        (418, KonnectError, False),
    ],
)
def test_statuses_map_to_classes(status: int, cls: type[KonnectError], retryable: bool) -> None:
    error = error_from_response(status=status, body=None, path="v3/catalog/product")
    assert type(error) is cls
    assert error.retryable is retryable
    assert error.status == status
    assert error.path == "v3/catalog/product"
    assert not error.circuit_open


def test_validation_errors_name_the_fields() -> None:
    body = error_body(
        "VALIDATION_FAILED",
        "2 products are invalid",
        [
            {
                "field": "products[0].slug",
                "code": "pattern",
                "message": "use lower-case words and dashes",
            },
            {"field": "products[1].name", "code": "required", "message": "is required"},
        ],
    )
    error = error_from_response(status=400, body=body, path="v3/catalog/product")
    assert str(error) == (
        "Konnect refused the request: products[0].slug: use lower-case words and dashes;"
        " products[1].name: is required"
    )
    assert error.code == "VALIDATION_FAILED"
    assert error.errors[1] == {
        "field": "products[1].name",
        "code": "required",
        "message": "is required",
    }


def test_a_batch_limit_refusal_without_field_errors_uses_the_message() -> None:
    body = error_body("BATCH_LIMIT", "At most 100 products per request")
    error = error_from_response(status=400, body=body, path="v3/catalog/product")
    assert str(error) == "Konnect refused the request: At most 100 products per request"


def test_long_error_lists_are_summarised() -> None:
    errors = [{"field": f"[{i}]", "message": "bad"} for i in range(8)]
    error = error_from_response(status=400, body=error_body("X", "m", errors), path="p")
    assert str(error).endswith("[4]: bad; and 3 more")
    assert len(error.errors) == 8


def test_forbidden_and_not_found_quote_konnect() -> None:
    forbidden = error_from_response(
        status=403, body=error_body("FORBIDDEN", "Location token for BLR-ST-01 only"), path="p"
    )
    assert str(forbidden) == "Konnect refused access: Location token for BLR-ST-01 only"
    missing = error_from_response(status=404, body={}, path="v3/catalog/status")
    assert str(missing) == "Konnect could not find it: v3/catalog/status"


def test_rate_limited_carries_retry_after() -> None:
    error = error_from_response(status=429, body=None, path="p", retry_after=12.0)
    assert isinstance(error, KonnectRateLimited)
    assert error.retry_after == 12.0
    assert "try again in 12 s" in str(error)


def test_a_5xx_to_a_write_is_ambiguous() -> None:
    error = error_from_response(status=500, body=None, path="p", ambiguous=True)
    assert isinstance(error, KonnectUnavailable)
    assert error.ambiguous


def test_transport_failures() -> None:
    timeout = error_from_exception(requests.ReadTimeout("x"), path="p", ambiguous=True)
    assert isinstance(timeout, KonnectUnavailable)
    assert timeout.ambiguous
    assert (
        str(timeout)
        == "Konnect did not answer in time - the change may or may not have been applied"
    )
    refused = error_from_exception(requests.ConnectionError("x"), path="p", ambiguous=False)
    assert str(refused) == "Could not connect to Konnect"
    ssl = error_from_exception(requests.exceptions.SSLError("x"), path="p", ambiguous=False)
    assert type(ssl) is KonnectError
    assert not ssl.retryable


def test_circuit_open_is_what_the_job_runner_waits_on() -> None:
    error = KonnectCircuitOpen(retry_after=30)
    assert error.circuit_open
    assert error.retryable
    assert error.retry_after == 30
    assert isinstance(error, KonnectTransientError)


def test_repr_is_short_and_has_no_body() -> None:
    error = error_from_response(status=404, body=error_body("NOT_FOUND", "gone"), path="p")
    assert repr(error) == (
        "KonnectNotFound(status=404, code='NOT_FOUND', path='p',"
        " message='Konnect could not find it: gone')"
    )
