"""Admins manage users, their role and their locations."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from konnect_admin.access import role_of
from konnect_admin.models import AuditEvent, Location

pytestmark = pytest.mark.django_db


def test_admin_creates_a_warehouse_user_bound_to_a_location(admin_client: Client) -> None:
    loc, _ = Location.objects.get_or_create(code="BLR-ST-01", defaults={"name": "Indiranagar"})
    response = admin_client.post(
        "/users/new/",
        {
            "username": "ravi",
            "role": "Warehouse",
            "locations": [loc.pk],
            "is_active": "on",
            "password": "a-long-enough-password",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="ravi")
    assert role_of(user) == "Warehouse"
    assert [loc.code for loc in user.profile.locations.all()] == ["BLR-ST-01"]
    event = AuditEvent.objects.get(action="user.create", object_repr="ravi")
    assert event.after["locations"] == ["BLR-ST-01"]
    assert "a-long-enough-password" not in str(event.after)


def test_bad_input_is_reported_at_the_field(admin_client: Client) -> None:
    response = admin_client.post(
        "/users/new/", {"username": "x", "role": "Warehouse", "password": "short"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="field-username"' in page
    assert "3-150 letters" in page
    assert "too short" in page
    assert not get_user_model().objects.filter(username="x").exists()


def test_admin_cannot_deactivate_themselves(admin_client: Client, admin_user: Any) -> None:
    response = admin_client.post(
        f"/users/{admin_user.pk}/", {"username": admin_user.username, "role": "Admin"}
    )
    assert response.status_code == 422
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_changing_the_role_moves_the_user_between_groups(
    admin_client: Client, merch_user: Any
) -> None:
    admin_client.post(
        f"/users/{merch_user.pk}/", {"username": "meera", "role": "Warehouse", "is_active": "on"}
    )
    merch_user.refresh_from_db()
    assert [g.name for g in merch_user.groups.all()] == ["Warehouse"]
