"""Shared fixtures: role users and clients, eager Celery, a private cache per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from konnect_admin import access
from konnect_admin.models import Location
from konnect_admin.services import user_save

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{tmp_path.name}",
        }
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from konnect_admin.celery import app

    app.conf.task_always_eager = True
    yield
    cache.clear()


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    def make(
        username: str, role: str, *, locations: tuple[str, ...] = (), active: bool = True
    ) -> Any:
        locs = [Location.objects.get_or_create(code=c, defaults={"name": c})[0] for c in locations]
        return user_save(
            actor=None,
            user=None,
            username=username,
            role=role,
            locations=locs,
            is_active=active,
            password=PASSWORD,
        )

    return make


@pytest.fixture
def admin_user(make_user: Callable[..., Any]) -> Any:
    return make_user("asha", access.ADMIN)


@pytest.fixture
def merch_user(make_user: Callable[..., Any]) -> Any:
    return make_user("meera", access.MERCHANDISER)


@pytest.fixture
def warehouse_user(make_user: Callable[..., Any]) -> Any:
    return make_user("wasim", access.WAREHOUSE, locations=("BHW-WH-01",))


def _client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin_user: Any) -> Client:  # overrides pytest-django's superuser client
    return _client_for(admin_user)


@pytest.fixture
def merch_client(merch_user: Any) -> Client:
    return _client_for(merch_user)


@pytest.fixture
def warehouse_client(warehouse_user: Any) -> Client:
    return _client_for(warehouse_user)


@pytest.fixture
def role_clients(admin_user: Any, merch_user: Any, warehouse_user: Any) -> dict[str, Client]:
    return {
        access.ADMIN: _client_for(admin_user),
        access.MERCHANDISER: _client_for(merch_user),
        access.WAREHOUSE: _client_for(warehouse_user),
    }


@pytest.fixture
def no_role_user(db: Any) -> Any:
    return get_user_model().objects.create_user("norole", password=PASSWORD)


# --- Konnect through the in-process sandbox ----------------------------------------------------


@pytest.fixture(scope="module")
def sandbox_seeded(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The sandbox's deterministic seed, committed once per module (tests roll back on top)."""
    from konnect_admin.sandbox.seed import is_seeded, seed

    with django_db_blocker.unblock():
        if not is_seeded():
            seed()


@pytest.fixture
def konnect_sandbox(sandbox_seeded: None, db: Any, settings: Any, monkeypatch: Any) -> None:
    """Every `get_client()` in app code talks to the sandbox in-process: same database, full
    middleware, real requests.Response objects, no sockets. Catalog traces finish at once and
    couriers are assigned at once, so tests never sleep."""
    from konnect_admin.konnect import base
    from konnect_admin.sandbox import faults
    from konnect_admin.sandbox.inprocess import SANDBOX_BASE_URL, sandbox_session

    settings.KONNECT_BASE_URL = SANDBOX_BASE_URL
    settings.SANDBOX_TRACE_DELAY_SECONDS = 0
    settings.SANDBOX_DP_ASSIGN_SECONDS = 0
    faults.reseed(1234)
    monkeypatch.setattr(base, "build_session", lambda: sandbox_session(SANDBOX_BASE_URL))


@pytest.fixture
def drain_jobs() -> Callable[..., list[Any]]:
    """Run every unfinished Job to a terminal state, skipping their waits (eager mode)."""
    from django.utils import timezone

    from konnect_admin.jobs.runner import job_run
    from konnect_admin.models import Job

    def drain(max_rounds: int = 200) -> list[Any]:
        for _ in range(max_rounds):
            open_jobs = list(
                Job.objects.exclude(status__in=Job.TERMINAL).values_list("pk", flat=True)
            )
            if not open_jobs:
                break
            Job.objects.filter(pk__in=open_jobs).update(
                next_run_at=timezone.now(), lease_expires_at=None
            )
            Job.objects.filter(pk__in=open_jobs, status=Job.Status.RUNNING).update(
                status=Job.Status.WAITING
            )
            for pk in open_jobs:
                job_run(job_id=pk)
        else:
            raise AssertionError("jobs did not finish")
        return list(Job.objects.order_by("pk"))

    return drain
