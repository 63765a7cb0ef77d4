"""The circuit breaker: opens after N transient failures, refuses calls while open (nothing
reaches Konnect), lets one probe through when half-open, and shows the banner."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from django.test import Client

from konnect_admin.konnect import (
    KonnectCircuitOpen,
    KonnectClient,
    KonnectUnavailable,
    KonnectValidationError,
    breaker_is_open,
)
from konnect_admin.konnect.breaker import CircuitBreaker
from tests.konnect import bodies
from tests.konnect.conftest import FakeClock, add_token, url

DEPARTMENTS = "v3/catalog/departments"


@pytest.fixture
def client(make_client: Any) -> KonnectClient:
    client: KonnectClient = make_client(max_retries=0)
    return client


def _fail(client: KonnectClient, times: int) -> None:
    for _ in range(times):
        with pytest.raises(KonnectUnavailable):
            client.departments()


def _open(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    for _ in range(5):
        api.get(url(DEPARTMENTS), status=503)
    _fail(client, 5)


def test_it_opens_after_the_configured_number_of_failures(
    client: KonnectClient, api: responses.RequestsMock, clock: FakeClock
) -> None:
    add_token(api)
    for _ in range(4):
        api.get(url(DEPARTMENTS), status=503)
    _fail(client, 4)
    assert not breaker_is_open(clock)
    api.get(url(DEPARTMENTS), status=503)
    _fail(client, 1)
    assert breaker_is_open(clock)


def test_while_open_no_call_reaches_konnect(
    client: KonnectClient, api: responses.RequestsMock, clock: FakeClock
) -> None:
    _open(client, api)
    calls = len(api.calls)
    clock.now += 20
    with pytest.raises(KonnectCircuitOpen) as caught:
        client.departments()
    with pytest.raises(KonnectCircuitOpen):
        client.shipments_confirm([{"orderId": "1"}])
    assert len(api.calls) == calls
    assert caught.value.circuit_open
    assert caught.value.retryable
    assert caught.value.retry_after == 40


def test_4xx_answers_do_not_count(
    client: KonnectClient, api: responses.RequestsMock, clock: FakeClock
) -> None:
    add_token(api)
    for _ in range(4):
        api.get(url(DEPARTMENTS), status=503)
    api.get(url(DEPARTMENTS), status=400)
    api.get(url(DEPARTMENTS), status=503)
    _fail(client, 4)
    with pytest.raises(KonnectValidationError):
        client.departments()
    _fail(client, 1)
    assert not breaker_is_open(clock)  # the 400 proved Konnect up and reset the count


def test_a_successful_probe_closes_it(
    client: KonnectClient, api: responses.RequestsMock, clock: FakeClock
) -> None:
    _open(client, api)
    clock.now += 61
    assert not breaker_is_open(clock)  # half-open: the banner goes, one probe may go through
    api.get(url(DEPARTMENTS), json=bodies.page([bodies.DEPARTMENT]))
    api.get(url(DEPARTMENTS), json=bodies.page([bodies.DEPARTMENT]))
    assert client.departments().total == 1
    assert client.departments().total == 1  # closed: calls flow again


def test_a_failed_probe_opens_it_again(
    client: KonnectClient, api: responses.RequestsMock, clock: FakeClock
) -> None:
    _open(client, api)
    clock.now += 61
    api.get(url(DEPARTMENTS), status=503)
    _fail(client, 1)
    assert breaker_is_open(clock)
    with pytest.raises(KonnectCircuitOpen) as caught:
        client.departments()
    assert caught.value.retry_after == 60


def test_only_one_probe_at_a_time(
    client: KonnectClient, api: responses.RequestsMock, clock: FakeClock
) -> None:
    _open(client, api)
    clock.now += 61
    prober, other = CircuitBreaker(clock=clock), CircuitBreaker(clock=clock)
    prober.before_call()  # takes the probe slot
    with pytest.raises(KonnectCircuitOpen):
        other.before_call()
    prober.record_success()
    other.before_call()


def test_the_banner_shows_while_the_breaker_is_open(
    admin_client: Client, make_client: Any, api: responses.RequestsMock
) -> None:
    assert b"Konnect is unreachable" not in admin_client.get("/").content
    client = make_client(max_retries=0, breaker=CircuitBreaker())  # real clock for the page
    add_token(api)
    for _ in range(5):
        api.get(url(DEPARTMENTS), status=503)
    _fail(client, 5)
    page = admin_client.get("/").content
    assert b'id="konnect-banner"' in page
    assert b"Konnect is unreachable" in page
