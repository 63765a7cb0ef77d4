"""A canary password and token never appear in logs, errors or the client's repr."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import pytest
import requests
import responses

from konnect_admin.konnect import KonnectClient, KonnectError
from konnect_admin.konnect.credentials import company_credentials
from tests.konnect import bodies
from tests.konnect.conftest import (
    BASE,
    CANARY_PASSWORD,
    CANARY_TOKEN,
    add_token,
    error_body,
    url,
)

CANARIES = (CANARY_PASSWORD, CANARY_TOKEN)


def _assert_clean(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text


def _error_texts(error: BaseException) -> list[str]:
    return [str(error), repr(error), "".join(traceback.format_exception(error))]


@pytest.fixture(autouse=True)
def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # urllib3 and requests included


def test_the_clients_repr_shows_only_base_url_and_username(client: KonnectClient) -> None:
    assert repr(client) == f"KonnectClient(base_url='{BASE}', username='company-user')"
    assert CANARY_PASSWORD not in repr(company_credentials())


def test_successful_calls_log_method_path_status_without_secrets(
    client: KonnectClient, api: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    add_token(api)
    api.post(url("v3/catalog/product"), json=bodies.WRITE_ACCEPTED)
    client.products_create(template="topwear", products=[bodies.PRODUCT])
    lines = [r.getMessage() for r in caplog.records if r.name == "konnect"]
    assert lines[0].startswith("konnect GET aggregator/v1/token 200 in ")
    assert lines[1].startswith("konnect POST v3/catalog/product 200 in ")
    assert lines[1].endswith("trace_id=1356dfa6-7d45-4ff9-8397-f43b9d92dc52")
    assert caplog.records[-1].konnect["status"] == 200  # structured fields for log shippers
    _assert_clean(caplog.text)


def test_ims_log_lines_carry_the_ack_id(
    client: KonnectClient, api: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    add_token(api)
    api.put(url("ims/v3/price"), json=bodies.IMS_OK)
    client.price_update([{"sku": "A"}])
    assert "ack_id=679c771cc8f3483beac7862d" in caplog.text


@pytest.mark.parametrize(
    "failure",
    [
        requests.ReadTimeout(f"{BASE}aggregator/v1/token?username=u&password={CANARY_PASSWORD}"),
        requests.ConnectionError(f"HTTPSConnectionPool: url: /token?password={CANARY_PASSWORD}"),
    ],
)
def test_token_endpoint_failures_leak_nothing(
    make_client: Any,
    api: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
    failure: Exception,
) -> None:
    client = make_client(max_retries=0)
    api.get(url("aggregator/v1/token"), body=failure)
    with pytest.raises(KonnectError) as caught:
        client.departments()
    _assert_clean(caplog.text, *_error_texts(caught.value))


def test_error_bodies_that_echo_a_secret_are_scrubbed(
    client: KonnectClient, api: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    add_token(api)
    api.get(
        url("v3/catalog/departments"),
        status=400,
        json=error_body(
            "VALIDATION_FAILED",
            f"bad request with token {CANARY_TOKEN}",
            [{"field": "x", "code": "y", "message": f"password {CANARY_PASSWORD} is odd"}],
        ),
    )
    with pytest.raises(KonnectError) as caught:
        client.departments()
    _assert_clean(caplog.text, *_error_texts(caught.value), str(caught.value.errors))


def test_a_401_refresh_logs_no_token(
    client: KonnectClient, api: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    add_token(api, "old-token-canary-111111111111111111111111")
    api.get(url("v3/catalog/departments"), status=401)
    add_token(api)
    api.get(url("v3/catalog/departments"), status=401)
    with pytest.raises(KonnectError) as caught:
        client.departments()
    _assert_clean(caplog.text, *_error_texts(caught.value))
    assert "old-token-canary" not in caplog.text
