"""Timeouts, retries with full-jitter backoff, Retry-After, and writes that are never retried."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
import urllib3.exceptions

from konnect_admin.konnect import (
    KonnectClient,
    KonnectError,
    KonnectRateLimited,
    KonnectUnavailable,
    KonnectValidationError,
)
from konnect_admin.konnect.breaker import CircuitBreaker
from konnect_admin.konnect.http import RETRY_AFTER_CAP, build_session, parse_retry_after
from tests.konnect import bodies
from tests.konnect.conftest import Sleeps, add_token, error_body, expected_backoff, url

DEPARTMENTS = "v3/catalog/departments"


def _ok_departments(api: responses.RequestsMock) -> None:
    api.get(url(DEPARTMENTS), json=bodies.page([bodies.DEPARTMENT]))


def test_every_call_has_explicit_connect_and_read_timeouts(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    _ok_departments(api)
    client.departments()
    assert [c.request.req_kwargs["timeout"] for c in api.calls] == [(4.0, 20.0), (4.0, 20.0)]


def test_a_503_then_200_is_retried_after_a_jittered_pause(
    client: KonnectClient, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_token(api)
    api.get(url(DEPARTMENTS), status=503, json=error_body("UNAVAILABLE", "down"))
    _ok_departments(api)
    assert client.departments().items == [bodies.DEPARTMENT]
    assert sleeps == expected_backoff(1)


def test_timeouts_and_connection_errors_are_retried_on_reads(
    client: KonnectClient, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_token(api)
    api.get(url(DEPARTMENTS), body=requests.ReadTimeout("slow"))
    api.get(url(DEPARTMENTS), body=requests.ConnectionError("reset"))
    api.get(url(DEPARTMENTS), body=requests.ConnectTimeout("no route"))
    _ok_departments(api)
    assert client.departments().total == 1
    assert sleeps == expected_backoff(3)
    assert all(0 <= s <= 0.5 * 2**i for i, s in enumerate(sleeps))


def test_reads_give_up_after_max_retries(
    client: KonnectClient, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_token(api)
    for _ in range(4):  # 1 + KONNECT_MAX_RETRIES
        api.get(url(DEPARTMENTS), status=502)
    with pytest.raises(KonnectUnavailable, match=r"unavailable right now \(HTTP 502\)") as caught:
        client.departments()
    assert caught.value.retryable
    assert caught.value.status == 502
    assert not caught.value.ambiguous  # a read changes nothing
    assert len(sleeps) == 3


def test_the_backoff_is_capped(
    make_client: Any, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    # a breaker that tolerates the run, so only the backoff is under test
    client = make_client(
        max_retries=6, backoff_base=2.0, backoff_cap=5.0, breaker=CircuitBreaker(failures=100)
    )
    add_token(api)
    for _ in range(6):
        api.get(url(DEPARTMENTS), status=500)
    _ok_departments(api)
    client.departments()
    assert sleeps == expected_backoff(6, base=2.0, cap=5.0)
    assert max(sleeps) <= 5.0


def test_429_honours_retry_after_seconds(
    client: KonnectClient, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_token(api)
    api.get(
        url(DEPARTMENTS),
        status=429,
        headers={"Retry-After": "7"},
        json=error_body("RATE_LIMITED", "slow down"),
    )
    _ok_departments(api)
    client.departments()
    assert sleeps == [7.0]


def test_429_honours_a_retry_after_date(
    client: KonnectClient, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    when = datetime.now(UTC) + timedelta(seconds=12)
    add_token(api)
    api.get(
        url(DEPARTMENTS), status=429, headers={"Retry-After": format_datetime(when, usegmt=True)}
    )
    _ok_departments(api)
    client.departments()
    assert len(sleeps) == 1
    assert 9 <= sleeps[0] <= 12


def test_429_without_retry_after_backs_off(
    client: KonnectClient, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_token(api)
    api.get(url(DEPARTMENTS), status=429)
    _ok_departments(api)
    client.departments()
    assert sleeps == expected_backoff(1)


def test_a_long_retry_after_is_capped_and_left_to_the_job(
    client: KonnectClient, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_token(api)
    api.get(url(DEPARTMENTS), status=429, headers={"Retry-After": "7200"})
    with pytest.raises(KonnectRateLimited) as caught:
        client.departments()
    assert caught.value.retry_after == RETRY_AFTER_CAP == 900
    assert caught.value.retryable
    assert sleeps == []  # a worker must not sleep for minutes: the Job waits instead
    assert len(api.calls) == 2


def test_parse_retry_after() -> None:
    assert parse_retry_after("30") == 30
    assert parse_retry_after("100000") == 900
    assert parse_retry_after("-5") == 0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_read_only_posts_are_retried(
    client: KonnectClient, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_token(api)
    api.post(url("oms/v3/shipment/courierDetails"), status=503)
    api.post(url("oms/v3/shipment/courierDetails"), json=bodies.COURIER_DETAILS)
    api.post(url("oms/v3/shipment/labels"), body=requests.ReadTimeout("slow"))
    api.post(url("oms/v3/shipment/labels"), body=bodies.PDF, content_type="application/pdf")
    api.post(url("oms/v3/shipment/track"), status=500)
    api.post(url("oms/v3/shipment/track"), json=bodies.TRACKING)
    assert client.courier_details(["1"]) == bodies.COURIER_DETAILS
    assert client.shipping_labels(["1"]) == bodies.PDF
    assert client.track(shipment_id="1")["journey"] == "forward"
    assert len(sleeps) == 3


WRITES = [
    ("POST", "v3/catalog/product", lambda c: c.products_create(template="t", products=[{"a": 1}])),
    ("PUT", "v3/catalog/product", lambda c: c.products_update(template="t", products=[{"a": 1}])),
    (
        "DELETE",
        "v3/catalog/product",
        lambda c: c.products_delete(template="t", products=[{"a": 1}]),
    ),
    ("PUT", "ims/v3/price", lambda c: c.price_update([{"sku": "A"}])),
    ("PUT", "ims/v3/inventory", lambda c: c.inventory_update([{"sku": "A"}])),
    ("POST", "oms/v3/shipment/confirm", lambda c: c.shipments_confirm([{"orderId": "1"}])),
    ("POST", "oms/v3/shipment/pack", lambda c: c.shipments_pack(["1"])),
    ("PUT", "oms/v3/shipment/awb", lambda c: c.awb_update([{"orderId": "1"}])),
]


@pytest.mark.parametrize(("method", "path", "call"), WRITES)
def test_writes_are_never_retried_and_a_5xx_is_ambiguous(
    client: KonnectClient,
    api: responses.RequestsMock,
    sleeps: Sleeps,
    method: str,
    path: str,
    call: Any,
) -> None:
    add_token(api)
    api.add(method, url(path), status=503, json=error_body("UNAVAILABLE", "try later"))
    with pytest.raises(KonnectUnavailable) as caught:
        call(client)
    assert caught.value.ambiguous
    assert "may or may not have been applied" in str(caught.value)
    assert len(api.calls) == 2
    assert sleeps == []


def test_a_write_timeout_after_sending_is_ambiguous(
    client: KonnectClient, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_token(api)
    api.put(url("ims/v3/inventory"), body=requests.ReadTimeout("no answer"))
    with pytest.raises(KonnectUnavailable) as caught:
        client.inventory_update([{"sku": "A", "location_id": "L", "quantity": 1}])
    assert caught.value.ambiguous
    assert caught.value.retryable
    assert sleeps == []
    assert len(api.calls) == 2


def test_a_write_connection_reset_is_ambiguous(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    reset = requests.ConnectionError(urllib3.exceptions.ProtocolError("Connection aborted."))
    api.post(url("oms/v3/shipment/confirm"), body=reset)
    with pytest.raises(KonnectUnavailable) as caught:
        client.shipments_confirm([{"orderId": "1"}])
    assert caught.value.ambiguous


def test_a_write_that_never_connected_is_not_ambiguous(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    refused = requests.ConnectionError(
        urllib3.exceptions.MaxRetryError(
            None,  # type: ignore[arg-type]
            "/oms/v3/shipment/confirm",
            urllib3.exceptions.NewConnectionError(None, "Connection refused"),  # type: ignore[arg-type]
        )
    )
    api.post(url("oms/v3/shipment/confirm"), body=refused)
    api.post(url("oms/v3/shipment/pack"), body=requests.ConnectTimeout("no route"))
    with pytest.raises(KonnectUnavailable) as refused_error:
        client.shipments_confirm([{"orderId": "1"}])
    with pytest.raises(KonnectUnavailable) as timeout_error:
        client.shipments_pack(["1"])
    assert not refused_error.value.ambiguous
    assert not timeout_error.value.ambiguous


def test_a_400_is_not_retried(
    client: KonnectClient, api: responses.RequestsMock, sleeps: Sleeps
) -> None:
    add_token(api)
    api.get(
        url(DEPARTMENTS),
        status=400,
        json=error_body(
            "VALIDATION_FAILED",
            "Invalid query",
            [{"field": "page_size", "code": "range", "message": "must be between 1 and 200"}],
        ),
    )
    with pytest.raises(KonnectValidationError, match="page_size: must be between 1 and 200"):
        client.departments()
    assert sleeps == []


def test_the_session_ignores_netrc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_api: responses.RequestsMock
) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine konnect.test login someone password leaked-netrc-secret\n")
    os.chmod(netrc, 0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    loose_api.get(url("ping"), json={})
    build_session().get(url("ping"), timeout=(1, 1))
    assert "Authorization" not in loose_api.calls[0].request.headers
    assert (
        requests.Session()
        .prepare_request(requests.Request("GET", url("x")))
        .headers.get("Authorization")
    ), "control: a plain session would have used the .netrc entry"


def test_one_session_per_client(make_client: Any) -> None:
    first, second = make_client(), make_client()
    assert first._session is not second._session
    assert first._transport.session is first._session


def test_an_unreadable_answer_to_a_write_is_ambiguous(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    api.post(url("oms/v3/shipment/confirm"), body="<html>gateway page</html>", status=200)
    with pytest.raises(KonnectUnavailable) as caught:
        client.shipments_confirm([{"orderId": "1"}])
    assert caught.value.ambiguous


def test_redirects_are_not_followed(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.get(url(DEPARTMENTS), status=302, headers={"Location": "https://elsewhere.test/steal"})
    with pytest.raises(KonnectError, match="HTTP 302"):
        client.departments()
    assert len(api.calls) == 2  # the token never travelled to elsewhere.test
