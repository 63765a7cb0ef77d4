"""Tokens: cached across clients, refreshed once on a 401; which credentials a client uses."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from django.core.cache import cache
from responses import matchers

from konnect_admin.konnect import (
    KonnectAuthError,
    KonnectClient,
    KonnectNotConfigured,
    get_client,
)
from konnect_admin.konnect.auth import token_cache_key
from konnect_admin.konnect.credentials import encrypt
from konnect_admin.models import Location, LocationCredential
from tests.konnect import bodies
from tests.konnect.conftest import BASE, COMPANY_USER, add_token, error_body, url

DEPARTMENTS = "v3/catalog/departments"
FRESH = "fresh-token-0000000000000000000000000000"


def _departments(api: responses.RequestsMock, token: str, **answer: Any) -> None:
    answer = answer or {"json": bodies.page([bodies.DEPARTMENT])}
    api.get(url(DEPARTMENTS), match=[matchers.header_matcher({"x-access-token": token})], **answer)


def test_the_token_is_cached_and_shared_between_clients(
    make_client: Any, api: responses.RequestsMock
) -> None:
    add_token(api, "shared-token-000000000000000000000000000")
    _departments(api, "shared-token-000000000000000000000000000")
    _departments(api, "shared-token-000000000000000000000000000")
    make_client().departments()
    make_client().departments()  # a new client (another process) reuses the cached token
    assert [c.request.path_url.split("?")[0] for c in api.calls] == [
        "/aggregator/v1/token",
        f"/{DEPARTMENTS}",
        f"/{DEPARTMENTS}",
    ]


def test_the_cache_key_does_not_contain_the_username() -> None:
    key = token_cache_key(BASE, COMPANY_USER)
    assert COMPANY_USER not in key
    assert key != token_cache_key(BASE, "someone-else")


def test_a_401_drops_the_token_signs_in_again_and_repeats_once(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api, "expired-token-0000000000000000000000000")
    _departments(
        api,
        "expired-token-0000000000000000000000000",
        status=401,
        json=error_body("UNAUTHORIZED", "token expired"),
    )
    add_token(api, FRESH)
    _departments(api, FRESH)
    assert client.departments().items == [bodies.DEPARTMENT]
    assert cache.get(token_cache_key(BASE, COMPANY_USER)) == FRESH


def test_a_write_is_repeated_after_a_401_because_it_was_refused(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api, "expired-token-0000000000000000000000000")
    api.put(url("ims/v3/inventory"), status=401, json=error_body("UNAUTHORIZED", "expired"))
    add_token(api, FRESH)
    api.put(url("ims/v3/inventory"), json=bodies.IMS_OK)
    assert client.inventory_update([{"sku": "A"}]).success_count == 2


def test_a_second_401_is_an_auth_error(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api, "expired-token-0000000000000000000000000")
    _departments(api, "expired-token-0000000000000000000000000", status=401)
    add_token(api, FRESH)
    _departments(api, FRESH, status=401, json=error_body("UNAUTHORIZED", "token revoked"))
    with pytest.raises(KonnectAuthError, match="did not accept our credentials") as caught:
        client.departments()
    assert caught.value.status == 401
    assert not caught.value.retryable
    assert len(api.calls) == 4  # exactly one refresh, one repeat


def test_wrong_credentials_on_the_token_endpoint(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    api.get(url("aggregator/v1/token"), status=401, json=error_body("UNAUTHORIZED", "bad"))
    with pytest.raises(KonnectAuthError, match="refused the username or password"):
        client.departments()
    assert len(api.calls) == 1


def test_missing_credentials_fail_without_calling_konnect(
    settings: Any, api: responses.RequestsMock
) -> None:
    settings.KONNECT_PASSWORD = ""
    with pytest.raises(KonnectNotConfigured, match="not configured"):
        get_client().departments()


def test_token_refresh_fetches_a_new_one(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api, "first-token-00000000000000000000000000")
    add_token(api, "second-token-0000000000000000000000000")
    assert client.token() == "first-token-00000000000000000000000000"
    assert client.token() == "first-token-00000000000000000000000000"
    assert client.token(refresh=True) == "second-token-0000000000000000000000000"


@pytest.mark.django_db
def test_location_credentials_from_the_environment(
    settings: Any, api: responses.RequestsMock
) -> None:
    settings.KONNECT_LOCATION_CREDENTIALS = {
        "BHW-WH-01": {"username": "loc-bhw-wh-01", "password": "env-location-pass"}
    }
    add_token(
        api,
        "location-token-000000000000000000000000",
        username="loc-bhw-wh-01",
        password="env-location-pass",
    )
    api.get(url("oms/v3/shipment"), json=[])
    client = get_client("BHW-WH-01")
    assert client.credentials.source == "environment"
    assert client.shipments(order_status="CREATED") == []
    assert "locationCode=BHW-WH-01" in api.calls[1].request.url


@pytest.mark.django_db
def test_stored_location_credentials(api: responses.RequestsMock) -> None:
    location = Location.objects.create(code="BLR-ST-01", name="Indiranagar")
    LocationCredential.objects.create(
        location=location, username="loc-blr-st-01", password_encrypted=encrypt("stored-pass-123")
    )
    add_token(
        api,
        "stored-token-0000000000000000000000000",
        username="loc-blr-st-01",
        password="stored-pass-123",
    )
    assert get_client("BLR-ST-01").token() == "stored-token-0000000000000000000000000"


@pytest.mark.django_db
def test_the_environment_wins_over_stored_credentials(settings: Any) -> None:
    location = Location.objects.create(code="BLR-ST-01", name="Indiranagar")
    LocationCredential.objects.create(
        location=location, username="stored-user", password_encrypted=encrypt("stored-pass-123")
    )
    settings.KONNECT_LOCATION_CREDENTIALS = {
        "BLR-ST-01": {"username": "env-user", "password": "env-pass-1234"}
    }
    assert get_client("BLR-ST-01").credentials.username == "env-user"


@pytest.mark.django_db
def test_a_location_without_credentials_uses_the_company_ones() -> None:
    client = get_client("GGN-DS-01")
    assert client.credentials.username == COMPANY_USER
    assert client.location_code == "GGN-DS-01"
    assert get_client().location_code is None
