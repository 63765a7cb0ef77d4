"""Stored location credentials: encrypted at rest, rotatable keys, refused without a key."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from konnect_admin.konnect.credentials import (
    CredentialKeyError,
    can_store,
    credential_source,
    decrypt,
    encrypt,
    location_credentials,
)
from konnect_admin.models import AuditEvent, Location, LocationCredential

pytestmark = pytest.mark.django_db

SECRET = "location-secret-Zq81"
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def _store(code: str = "BLR-ST-01", password: str = SECRET) -> LocationCredential:
    location = Location.objects.create(code=code, name="Indiranagar")
    return LocationCredential.objects.create(
        location=location, username=f"loc-{code.lower()}", password_encrypted=encrypt(password)
    )


def test_round_trip_and_the_ciphertext_hides_the_password(settings: Any) -> None:
    settings.KONNECT_CREDENTIALS_KEY = KEY_A
    row = _store()
    row.refresh_from_db()
    assert SECRET not in row.password_encrypted
    assert SECRET.encode() not in row.password_encrypted.encode()
    assert decrypt(row.password_encrypted) == SECRET
    creds = location_credentials("BLR-ST-01")
    assert creds is not None
    assert creds.password == SECRET
    assert creds.source == "stored"
    assert credential_source("BLR-ST-01") == "stored"
    assert credential_source("NOPE") == "none"


def test_keys_rotate(settings: Any) -> None:
    settings.KONNECT_CREDENTIALS_KEY = KEY_A
    row = _store()
    old_ciphertext = row.password_encrypted
    settings.KONNECT_CREDENTIALS_KEY = f"{KEY_B},{KEY_A}"  # new key first, old one still decrypts
    assert decrypt(old_ciphertext) == SECRET
    out = StringIO()
    call_command("rotate_konnect_credentials", stdout=out)
    assert "Re-encrypted 1 stored" in out.getvalue()
    row.refresh_from_db()
    assert row.password_encrypted != old_ciphertext
    settings.KONNECT_CREDENTIALS_KEY = KEY_B  # the old key can go now
    settings.KONNECT_SANDBOX = False  # and no embedded fallback key either
    assert decrypt(row.password_encrypted) == SECRET
    assert AuditEvent.objects.filter(action="settings.location_credentials.rotate").exists()


def test_a_missing_key_is_a_clear_error(settings: Any) -> None:
    settings.KONNECT_CREDENTIALS_KEY = KEY_A
    row = _store()
    settings.KONNECT_CREDENTIALS_KEY = KEY_B
    settings.KONNECT_SANDBOX = False
    with pytest.raises(CredentialKeyError, match="keep the old key"):
        decrypt(row.password_encrypted)
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("rotate_konnect_credentials", stdout=StringIO())


def test_sandbox_mode_derives_a_key_from_secret_key(settings: Any) -> None:
    settings.KONNECT_CREDENTIALS_KEY = ""
    settings.KONNECT_SANDBOX = True
    settings.PRODUCTION = False
    assert can_store()
    token = encrypt(SECRET)
    assert SECRET not in token
    assert decrypt(token) == SECRET
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(CredentialKeyError):
        decrypt(token)  # derived from SECRET_KEY: useless without it


@pytest.mark.parametrize(("sandbox", "production"), [(True, True), (False, False)])
def test_without_a_key_outside_the_sandbox_storing_is_refused(
    settings: Any, sandbox: bool, production: bool
) -> None:
    settings.KONNECT_CREDENTIALS_KEY = ""
    settings.KONNECT_SANDBOX = sandbox
    settings.PRODUCTION = production
    assert not can_store()
    with pytest.raises(CredentialKeyError, match="Set KONNECT_CREDENTIALS_KEY"):
        encrypt(SECRET)


def test_a_malformed_key_is_named(settings: Any) -> None:
    settings.KONNECT_CREDENTIALS_KEY = f"{KEY_A},not-a-fernet-key"
    with pytest.raises(CredentialKeyError, match="key 2 is not a Fernet key"):
        encrypt(SECRET)


def test_environment_credentials_are_read_from_settings(settings: Any) -> None:
    settings.KONNECT_LOCATION_CREDENTIALS = {
        "GGN-DS-01": {"username": "loc-ggn-ds-01", "password": "env-pass-99"},
        "BROKEN": {"username": "only-a-user"},
    }
    creds = location_credentials("GGN-DS-01")
    assert creds is not None
    assert creds.source == "environment"
    assert location_credentials("BROKEN") is None
    assert "env-pass-99" not in repr(creds)
