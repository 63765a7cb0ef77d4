"""Credentials and the shared token cache.

Tokens live in Django's cache (shared by web and worker processes) under a key derived from a
hash of the base URL and username, so no username or token appears in a cache key. Every
password and token is registered with the redaction module the moment this process sees it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache

from konnect_admin.konnect.errors import KonnectError
from konnect_admin.redaction import register_secret

TOKEN_PATH = "aggregator/v1/token"  # noqa: S105 a path, not a secret  # nosec B105


@dataclass(frozen=True)
class Credentials:
    """A Konnect username/password pair (company-wide or one location's)."""

    username: str
    password: str = field(repr=False)
    source: str = "settings"  # settings | environment | stored

    def __post_init__(self) -> None:
        register_secret(self.password)

    @property
    def complete(self) -> bool:
        return bool(self.username and self.password)


def token_cache_key(base_url: str, username: str) -> str:
    digest = hashlib.sha256(f"{base_url}\0{username}".encode()).hexdigest()[:32]
    return f"konnect:token:{digest}"


def cached_token(key: str) -> str | None:
    token = cache.get(key)
    if not isinstance(token, str) or not token:
        return None
    register_secret(token)  # another process may have fetched it
    return token


def store_token(key: str, token: str, ttl: int) -> None:
    register_secret(token)
    cache.set(key, token, timeout=ttl)


def drop_token(key: str, token: str | None = None) -> None:
    """Forget the cached token; with `token`, only if it is still that one (another process
    may already have stored a fresh one)."""
    if token is None or cache.get(key) == token:
        cache.delete(key)


def token_from_body(body: Any) -> str:
    """The access token of the token endpoint's answer (`{"access_token": ..., "status"}`)."""
    if isinstance(body, Mapping):
        token = body.get("access_token") or body.get("token")
        if isinstance(token, str) and token:
            register_secret(token)
            return token
    raise KonnectError("Konnect's sign-in answer had no access token", path=TOKEN_PATH)
