"""Fixtures for the Konnect client tests: settings pointing at a fake host, a client whose
sleeps are recorded instead of slept, and `responses` registries to script Konnect."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from responses import matchers, registries

from konnect_admin.konnect import KonnectClient
from konnect_admin.konnect.breaker import CircuitBreaker
from konnect_admin.konnect.credentials import company_credentials

BASE = "https://konnect.test/"
COMPANY_USER = "company-user"
CANARY_PASSWORD = "canary-PASSWORD-3f9a1c"
CANARY_TOKEN = "canary-TOKEN-7e2d5b0a9c8f4e6d1b3a5c7e9f0a2b4c"
SEED = 42


@pytest.fixture(autouse=True)
def konnect_settings(settings: Any) -> None:
    settings.KONNECT_BASE_URL = BASE
    settings.KONNECT_SANDBOX = True
    settings.PRODUCTION = False
    settings.KONNECT_USERNAME = COMPANY_USER
    settings.KONNECT_PASSWORD = CANARY_PASSWORD
    settings.KONNECT_LOCATION_CREDENTIALS = {}
    settings.KONNECT_CREDENTIALS_KEY = ""
    settings.KONNECT_CONNECT_TIMEOUT = 4.0
    settings.KONNECT_READ_TIMEOUT = 20.0
    settings.KONNECT_MAX_RETRIES = 3
    settings.KONNECT_BACKOFF_BASE = 0.5
    settings.KONNECT_BACKOFF_CAP = 30.0
    settings.KONNECT_TOKEN_TTL = 3000
    settings.KONNECT_BREAKER_FAILURES = 5
    settings.KONNECT_BREAKER_OPEN_SECONDS = 60


class Sleeps(list[float]):
    """An injected sleeper: records what the client asked to sleep, sleeps nothing."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(sleeps: Sleeps, clock: FakeClock) -> Callable[..., KonnectClient]:
    def make(**options: Any) -> KonnectClient:
        options.setdefault("credentials", company_credentials())
        options.setdefault("sleep", sleeps)
        options.setdefault("rng", random.Random(SEED))
        options.setdefault("breaker", CircuitBreaker(clock=clock))
        return KonnectClient(**options)

    return make


@pytest.fixture
def client(make_client: Callable[..., KonnectClient]) -> KonnectClient:
    return make_client()


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    """Konnect scripted in order: each registered answer is used once, in sequence."""
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        yield mock


@pytest.fixture
def loose_api() -> Iterator[responses.RequestsMock]:
    """Konnect scripted by URL, where the order of calls does not matter."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def url(path: str) -> str:
    return BASE + path


def add_token(
    mock: responses.RequestsMock,
    token: str = CANARY_TOKEN,
    *,
    username: str = COMPANY_USER,
    password: str = CANARY_PASSWORD,
) -> None:
    mock.get(
        url("aggregator/v1/token"),
        json={"access_token": token, "status": "success"},
        match=[matchers.query_param_matcher({"username": username, "password": password})],
    )


def error_body(code: str, message: str, errors: list[dict[str, str]] | None = None) -> Any:
    return {"status": "error", "message": message, "code": code, "errors": errors or []}


def sent_json(call: Any) -> Any:
    import json

    return json.loads(call.request.body)


def expected_backoff(attempts: int, *, base: float = 0.5, cap: float = 30.0) -> list[float]:
    """The full-jitter schedule the client must produce with the seeded RNG."""
    rng = random.Random(SEED)
    return [rng.uniform(0, min(cap, base * 2**attempt)) for attempt in range(attempts)]
