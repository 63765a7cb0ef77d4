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
