"""Fixtures for the sandbox tests: plain `requests` through the in-process transport.

The seed is committed once per test module (outside the per-test transaction, which rolls
back whatever a test changes); a module after a transactional test (live_server), whose
flush emptied the tables, seeds again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from konnect_admin.sandbox import clock, faults
from konnect_admin.sandbox.auth import location_password, location_username
from konnect_admin.sandbox.inprocess import SANDBOX_BASE_URL, sandbox_session
from konnect_admin.sandbox.seed import is_seeded, seed

LOCATIONS = ("BHW-WH-01", "BLR-ST-01", "GGN-DS-01")


@pytest.fixture(scope="module", autouse=True)
def sandbox_seed(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        if not is_seeded():
            seed()


@pytest.fixture(autouse=True)
def _sandbox_defaults(settings: Any) -> None:
    settings.SANDBOX_TRACE_DELAY_SECONDS = 3.0
    settings.SANDBOX_DP_ASSIGN_SECONDS = 2.0
    faults.reseed(1234)


class Api:
    """Base URL + token in one place; every call is an ordinary requests call."""

    def __init__(self, session: requests.Session, token: str | None = None) -> None:
        self.session = session
        self.token = token

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token is not None:
            headers.setdefault("x-access-token", self.token)
        return self.session.request(method, SANDBOX_BASE_URL + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def sandbox_http(db: Any) -> Iterator[requests.Session]:
    """A requests.Session on the in-process sandbox; server errors re-raised in the test."""
    session = sandbox_session(raise_server_errors=True)
    yield session
    session.close()


def _token(session: requests.Session, username: str, password: str) -> str:
    response = session.get(
        SANDBOX_BASE_URL + "aggregator/v1/token",
        params={"username": username, "password": password},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def company_token(sandbox_http: requests.Session) -> str:
    return _token(
        sandbox_http, settings.SANDBOX_COMPANY_USERNAME, settings.SANDBOX_COMPANY_PASSWORD
    )


@pytest.fixture
def api(sandbox_http: requests.Session, company_token: str) -> Api:
    """The sandbox with a company token."""
    return Api(sandbox_http, company_token)


@pytest.fixture
def location_api(sandbox_http: requests.Session) -> Callable[[str], Api]:
    """location_api("BLR-ST-01"): the sandbox with that location's token."""

    def make(code: str) -> Api:
        return Api(
            sandbox_http, _token(sandbox_http, location_username(code), location_password(code))
        )

    return make


@pytest.fixture
def anonymous(sandbox_http: requests.Session) -> Api:
    return Api(sandbox_http)


class Clock:
    """Moves the sandbox's clock forward without sleeping."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta(0)
        monkeypatch.setattr(clock, "now", self.now)

    def now(self) -> datetime:
        return timezone.now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)
