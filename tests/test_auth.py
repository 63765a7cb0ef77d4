"""Sign-in, lockout, logout and session lifetime."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from konnect_admin.middleware import SESSION_STARTED_KEY
from konnect_admin.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_public_and_home_is_not(client: Client) -> None:
    assert client.get("/login/").status_code == 200
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_a_user_signs_in_and_the_event_is_audited(client: Client, merch_user: Any) -> None:
    response = _login(client, "meera", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", user=merch_user, ip="10.0.0.1").exists()


def test_wrong_password_shows_an_error_and_is_audited(client: Client, merch_user: Any) -> None:
    response = _login(client, "meera", "nope")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert AuditEvent.objects.filter(action="auth.login_failed", object_repr="meera").exists()


def test_five_failures_lock_the_user_at_that_address_only(merch_user: Any, admin_user: Any) -> None:
    attacker = Client()
    for _ in range(5):
        _login(attacker, "meera", "guess")
    response = _login(attacker, "meera", PASSWORD)
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in attacker.session
    # the same user from another address, and another user from the same address, still work
    assert _login(Client(), "meera", PASSWORD, ip="10.0.0.2").status_code == 302
    assert _login(Client(), "asha", PASSWORD, ip="10.0.0.1").status_code == 302


def test_logout_needs_post(merch_client: Client) -> None:
    assert merch_client.get("/logout/").status_code == 405
    response = merch_client.post("/logout/")
    assert response.status_code == 302
    assert merch_client.get("/").status_code == 302


def test_deactivated_users_lose_their_session(merch_client: Client, merch_user: Any) -> None:
    assert merch_client.get("/").status_code == 200
    merch_user.is_active = False
    merch_user.save()
    assert merch_client.get("/").status_code == 302


def test_sessions_end_after_the_absolute_lifetime(merch_client: Client, settings: Any) -> None:
    assert merch_client.get("/").status_code == 200
    session = merch_client.session
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    assert merch_client.get("/").status_code == 302


def test_idle_timeout_is_thirty_minutes_and_sliding(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
