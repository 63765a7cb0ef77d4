"""The Admin Settings page: what it shows, storing and removing credentials, connection tests."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from cryptography.fernet import Fernet
from django.test import Client

from konnect_admin.konnect.credentials import decrypt
from konnect_admin.models import AuditEvent, Location, LocationCredential
from tests.konnect.conftest import CANARY_PASSWORD, CANARY_TOKEN, add_token, error_body, url

pytestmark = pytest.mark.django_db

STORED_PASSWORD = "stored-canary-Pw-4411"
ENV_PASSWORD = "env-canary-Pw-8822"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def locations(settings: Any) -> dict[str, Location]:
    settings.KONNECT_CREDENTIALS_KEY = Fernet.generate_key().decode()
    settings.KONNECT_LOCATION_CREDENTIALS = {
        "BHW-WH-01": {"username": "loc-bhw-wh-01", "password": ENV_PASSWORD}
    }
    return {
        code: Location.objects.create(code=code, name=name)
        for code, name in [
            ("BHW-WH-01", "Bhiwandi Fulfilment Centre"),
            ("BLR-ST-01", "Indiranagar Store"),
            ("GGN-DS-01", "Gurugram Dark Store"),
        ]
    }


def _save(client: Client, location: Location, username: str, password: str) -> Any:
    return client.post(
        f"/settings/locations/{location.code}/credentials/",
        {f"loc{location.pk}-username": username, f"loc{location.pk}-password": password},
    )


def test_admin_sees_the_connection_and_every_location(
    admin_client: Client, locations: dict[str, Location]
) -> None:
    _save(admin_client, locations["BLR-ST-01"], "loc-blr-st-01", STORED_PASSWORD)
    response = admin_client.get("/settings/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "https://konnect.test/" in page
    assert "company-user" in page
    assert "Configured" in page
    assert "Environment" in page
    assert "Stored encrypted" in page
    assert "uses the company credentials" in page  # GGN-DS-01
    assert "by asha" in page  # who stored BLR-ST-01's credentials
    for secret in (CANARY_PASSWORD, STORED_PASSWORD, ENV_PASSWORD, CANARY_TOKEN):
        assert secret not in page


def test_a_merchandiser_is_refused(merch_client: Client) -> None:
    assert merch_client.get("/settings/").status_code == 403
    assert merch_client.post("/settings/test-connection/", {"target": "company"}).status_code == 403


def test_storing_credentials_encrypts_and_audits(
    admin_client: Client, locations: dict[str, Location]
) -> None:
    response = _save(admin_client, locations["BLR-ST-01"], "loc-blr-st-01", STORED_PASSWORD)
    assert response.status_code == 302
    row = LocationCredential.objects.get(location__code="BLR-ST-01")
    assert STORED_PASSWORD not in row.password_encrypted
    assert decrypt(row.password_encrypted) == STORED_PASSWORD
    assert row.updated_by is not None
    assert row.updated_by.username == "asha"
    event = AuditEvent.objects.get(action="settings.location_credentials.store")
    assert event.object_id == "BLR-ST-01"
    assert event.after["username"] == "loc-blr-st-01"
    assert STORED_PASSWORD not in str(event.before) + str(event.after) + event.summary


def test_an_empty_password_keeps_the_stored_one(
    admin_client: Client, locations: dict[str, Location]
) -> None:
    _save(admin_client, locations["BLR-ST-01"], "loc-blr-st-01", STORED_PASSWORD)
    before = LocationCredential.objects.get().password_encrypted
    assert _save(admin_client, locations["BLR-ST-01"], "loc-blr-st-01", "").status_code == 302
    assert LocationCredential.objects.get().password_encrypted == before
    assert AuditEvent.objects.filter(action="settings.location_credentials.replace").count() == 1


def test_a_new_username_needs_a_password(
    admin_client: Client, locations: dict[str, Location]
) -> None:
    response = _save(admin_client, locations["GGN-DS-01"], "loc-ggn-ds-01", "")
    assert response.status_code == 422
    assert "Enter the password" in response.content.decode()
    assert not LocationCredential.objects.exists()


def test_the_password_is_never_rendered_back(
    admin_client: Client, locations: dict[str, Location]
) -> None:
    # an invalid form (username too long) is shown again: without the typed password
    response = _save(admin_client, locations["GGN-DS-01"], "x" * 201, STORED_PASSWORD)
    assert response.status_code == 422
    assert STORED_PASSWORD not in response.content.decode()


def test_storing_without_a_key_is_refused_in_production(
    admin_client: Client, locations: dict[str, Location], settings: Any
) -> None:
    settings.KONNECT_CREDENTIALS_KEY = ""
    settings.PRODUCTION = True
    location = locations["GGN-DS-01"]
    assert (
        "storing location credentials is disabled"
        in admin_client.get("/settings/").content.decode()
    )
    response = _save(admin_client, location, "loc-ggn-ds-01", STORED_PASSWORD)
    assert response.status_code == 422
    assert "Set KONNECT_CREDENTIALS_KEY" in response.content.decode()
    assert not LocationCredential.objects.exists()


def test_removing_stored_credentials(admin_client: Client, locations: dict[str, Location]) -> None:
    _save(admin_client, locations["BLR-ST-01"], "loc-blr-st-01", STORED_PASSWORD)
    response = admin_client.post("/settings/locations/BLR-ST-01/credentials/remove/")
    assert response.status_code == 302
    assert not LocationCredential.objects.exists()
    assert AuditEvent.objects.filter(action="settings.location_credentials.remove").exists()


def test_state_changes_are_post_only(admin_client: Client, locations: dict[str, Location]) -> None:
    assert admin_client.get("/settings/locations/BLR-ST-01/credentials/").status_code == 405
    assert admin_client.get("/settings/locations/BLR-ST-01/credentials/remove/").status_code == 405
    assert admin_client.get("/settings/test-connection/").status_code == 405


def test_test_connection_company_connected(
    admin_client: Client, loose_api: responses.RequestsMock
) -> None:
    add_token(loose_api)
    response = admin_client.post("/settings/test-connection/", {"target": "company"}, headers=HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Connected" in page
    assert "company-user" in page
    assert "<html" not in page  # a fragment for the result element
    assert loose_api.calls[0].request.req_kwargs["timeout"] == (3.0, 5.0)
    assert CANARY_TOKEN not in page
    assert CANARY_PASSWORD not in page


def test_test_connection_reports_refused_credentials(
    admin_client: Client, locations: dict[str, Location], loose_api: responses.RequestsMock
) -> None:
    loose_api.get(url("aggregator/v1/token"), status=401, json=error_body("UNAUTHORIZED", "no"))
    response = admin_client.post(
        "/settings/test-connection/", {"target": "BHW-WH-01"}, headers=HTMX
    )
    page = response.content.decode()
    assert "Not connected" in page
    assert "Konnect refused the username or password" in page
    assert "username=loc-bhw-wh-01" in loose_api.calls[0].request.url
    assert ENV_PASSWORD not in page


def test_test_connection_reports_an_unreachable_konnect_without_retrying(
    admin_client: Client, loose_api: responses.RequestsMock
) -> None:
    import requests

    loose_api.get(url("aggregator/v1/token"), body=requests.ConnectTimeout("down"))
    response = admin_client.post("/settings/test-connection/", {"target": "company"}, headers=HTMX)
    assert "Konnect did not answer in time" in response.content.decode()
    assert len(loose_api.calls) == 1


def test_test_connection_refuses_a_location_without_credentials(
    admin_client: Client, locations: dict[str, Location]
) -> None:
    response = admin_client.post(
        "/settings/test-connection/", {"target": "GGN-DS-01"}, headers=HTMX
    )
    assert response.status_code == 422


def test_test_connection_without_htmx_redirects_with_a_message(
    admin_client: Client, loose_api: responses.RequestsMock
) -> None:
    add_token(loose_api)
    response = admin_client.post("/settings/test-connection/", {"target": "company"}, follow=True)
    assert "Company credentials: connected as company-user." in response.content.decode()


def test_the_page_has_no_inline_script_or_style(
    admin_client: Client, locations: dict[str, Location]
) -> None:
    page = admin_client.get("/settings/").content.decode()
    main = page[page.index('<main id="main"') :]
    assert "<script" not in main
    assert "style=" not in main
    assert 'hx-post="/settings/test-connection/"' in main
