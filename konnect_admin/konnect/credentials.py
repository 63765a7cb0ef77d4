"""Where Konnect credentials come from, and how stored ones are encrypted.

Company credentials come from settings (KONNECT_USERNAME / KONNECT_PASSWORD). A location may
have its own pair, from the environment (KONNECT_LOCATION_CREDENTIALS, which wins) or stored
in the database by an admin (LocationCredential), encrypted with MultiFernet over
KONNECT_CREDENTIALS_KEY: comma-separated Fernet keys, the first encrypts, all decrypt, so a key
can be rotated by putting the new one first and running `manage.py rotate_konnect_credentials`.
Without a key, the embedded sandbox mode derives one from SECRET_KEY; anywhere else storing is
refused rather than done weakly.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

from konnect_admin.konnect.auth import Credentials
from konnect_admin.redaction import register_secret

if TYPE_CHECKING:
    from konnect_admin.models import LocationCredential

Source = Literal["environment", "stored", "none"]
KEY_SALT = "konnect_admin.konnect.credentials"


class CredentialKeyError(Exception):
    """Stored credentials cannot be encrypted or decrypted with the configured key(s)."""


def embedded_key_allowed() -> bool:
    return bool(settings.KONNECT_SANDBOX) and not settings.PRODUCTION


def _derived_key() -> bytes:
    digest = salted_hmac(KEY_SALT, "fernet-key", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest)


def _configured_keys() -> list[str]:
    return [k.strip() for k in str(settings.KONNECT_CREDENTIALS_KEY or "").split(",") if k.strip()]


def key_status() -> str:
    """One line for the settings page: which key protects stored credentials."""
    keys = _configured_keys()
    if keys:
        return f"KONNECT_CREDENTIALS_KEY ({len(keys)} key{'s' if len(keys) > 1 else ''})"
    if embedded_key_allowed():
        return "derived from SECRET_KEY (sandbox mode only)"
    return "not set: storing location credentials is disabled"


def can_store() -> bool:
    return bool(_configured_keys()) or embedded_key_allowed()


def cipher() -> MultiFernet:
    keys = _configured_keys()
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode()))
        except ValueError:
            raise CredentialKeyError(
                f"KONNECT_CREDENTIALS_KEY: key {position} is not a Fernet key (32 url-safe"
                " base64-encoded bytes; make one with cryptography.fernet.Fernet.generate_key())"
            ) from None
    if embedded_key_allowed():
        # last, so it only decrypts what was stored before a real key was set
        fernets.append(Fernet(_derived_key()))
    if not fernets:
        raise CredentialKeyError(
            "Set KONNECT_CREDENTIALS_KEY to store location credentials: without it they would"
            " not be encrypted with a key of their own"
        )
    return MultiFernet(fernets)


def encrypt(secret: str) -> str:
    return cipher().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        secret = cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CredentialKeyError(
            "Stored Konnect credentials cannot be decrypted with KONNECT_CREDENTIALS_KEY; keep the"
            " old key after the new one until `manage.py rotate_konnect_credentials` has run"
        ) from None
    register_secret(secret)
    return secret


def rotate(token: str) -> str:
    """The same secret encrypted with the primary key."""
    try:
        return cipher().rotate(token.encode()).decode()
    except InvalidToken:
        raise CredentialKeyError("a stored credential cannot be decrypted with any key") from None


def company_credentials() -> Credentials:
    return Credentials(
        username=str(settings.KONNECT_USERNAME or ""),
        password=str(settings.KONNECT_PASSWORD or ""),
        source="settings",
    )


def environment_credentials() -> dict[str, Credentials]:
    """KONNECT_LOCATION_CREDENTIALS: {"CODE": {"username": ..., "password": ...}}."""
    raw = settings.KONNECT_LOCATION_CREDENTIALS or {}
    found: dict[str, Credentials] = {}
    if not isinstance(raw, Mapping):
        return found
    for code, pair in raw.items():
        if isinstance(pair, Mapping) and pair.get("username") and pair.get("password"):
            found[str(code)] = Credentials(
                username=str(pair["username"]), password=str(pair["password"]), source="environment"
            )
    return found


def stored_credential(code: str) -> LocationCredential | None:
    from konnect_admin.models import LocationCredential

    return LocationCredential.objects.filter(location__code=code).first()


def location_credentials(code: str) -> Credentials | None:
    """The location's own credentials, or None (the company credentials then apply)."""
    env = environment_credentials().get(code)
    if env is not None:
        return env
    stored = stored_credential(code)
    if stored is None:
        return None
    return Credentials(
        username=stored.username, password=decrypt(stored.password_encrypted), source="stored"
    )


def credential_source(code: str) -> Source:
    if code in environment_credentials():
        return "environment"
    return "stored" if stored_credential(code) is not None else "none"


def rotate_stored_credentials() -> int:
    """Re-encrypt every stored credential with the primary key; returns how many."""
    from konnect_admin.models import LocationCredential

    count = 0
    with transaction.atomic():  # all or nothing: a key that cannot decrypt one row changes none
        for row in LocationCredential.objects.select_for_update().order_by("pk"):
            row.password_encrypted = rotate(row.password_encrypted)
            row.save(update_fields=["password_encrypted"])  # keeps "stored when / by whom"
            count += 1
    return count
