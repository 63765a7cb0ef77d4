"""Writes of the Settings page (each audited, never with the secret) and the connection test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from konnect_admin.audit import audit_record
from konnect_admin.konnect import KonnectError, get_client
from konnect_admin.konnect.auth import drop_token, token_cache_key
from konnect_admin.konnect.credentials import CredentialKeyError, encrypt
from konnect_admin.models import Location, LocationCredential
from konnect_admin.redaction import register_secret

TEST_TIMEOUT = (3.0, 5.0)  # connect, read: an admin is waiting for the answer


@transaction.atomic
def location_credential_save(
    *,
    location: Location,
    username: str,
    password: str,
    actor: Any,
    request: HttpRequest | None = None,
) -> LocationCredential:
    """Store or replace a location's credentials; an empty password keeps the stored one.

    Raises CredentialKeyError when no key is available to encrypt with.
    """
    register_secret(password)  # from now on it is masked in any log line or error text
    stored = LocationCredential.objects.select_for_update().filter(location=location).first()
    if stored is None and not password:
        raise ValueError("a password is needed the first time")
    before = {"username": stored.username} if stored else None
    if stored is None:
        stored = LocationCredential(location=location)
    old_username = stored.username
    stored.username = username
    if password:
        stored.password_encrypted = encrypt(password)
    stored.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    stored.save()
    _forget_tokens(old_username, username)
    audit_record(
        user=actor,
        action="settings.location_credentials." + ("store" if before is None else "replace"),
        object_type="location",
        object_id=location.code,
        object_repr=str(location),
        summary=f"Konnect credentials of {location.code} "
        + ("stored" if before is None else "replaced"),
        before=before,
        after={"username": username, "password": "changed" if password else "unchanged"},
        request=request,
    )
    return stored


@transaction.atomic
def location_credential_remove(
    *, location: Location, actor: Any, request: HttpRequest | None = None
) -> bool:
    stored = LocationCredential.objects.filter(location=location).first()
    if stored is None:
        return False
    stored.delete()
    _forget_tokens(stored.username)
    audit_record(
        user=actor,
        action="settings.location_credentials.remove",
        object_type="location",
        object_id=location.code,
        object_repr=str(location),
        summary=f"Konnect credentials of {location.code} removed",
        before={"username": stored.username},
        after=None,
        request=request,
    )
    return True


def _forget_tokens(*usernames: str) -> None:
    """A token fetched with the old password must not outlive the change."""
    from django.conf import settings

    base_url = str(settings.KONNECT_BASE_URL)
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    for username in {u for u in usernames if u}:
        drop_token(token_cache_key(base_url, username))


@dataclass(frozen=True)
class ConnectionTestResult:
    ok: bool
    message: str
    username: str = ""


def connection_test(*, location_code: str | None) -> ConnectionTestResult:
    """Sign in to Konnect with one credential, once, with a short timeout and no retries.

    It bypasses the circuit breaker: an admin asking "does it work now?" deserves an answer.
    """
    try:
        client = get_client(location_code, timeout=TEST_TIMEOUT, max_retries=0, use_breaker=False)
    except CredentialKeyError as exc:
        return ConnectionTestResult(ok=False, message=str(exc))
    username = client.credentials.username
    try:
        with client:
            client.token(refresh=True)
    except KonnectError as exc:
        return ConnectionTestResult(ok=False, message=str(exc), username=username)
    return ConnectionTestResult(ok=True, message="Connected", username=username)
