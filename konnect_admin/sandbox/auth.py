"""Credentials and tokens (contract section 2).

The company pair comes from SANDBOX_COMPANY_USERNAME/PASSWORD; each seeded location has its
own pair, username `loc-<code lower-case>`, password SANDBOX_LOCATION_PASSWORD_PREFIX + code.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest

from konnect_admin.sandbox import ids
from konnect_admin.sandbox.models import Token
from konnect_admin.sandbox.reference import location_codes
from konnect_admin.sandbox.wire import ApiError


def location_username(code: str) -> str:
    return f"loc-{code.lower()}"


def location_password(code: str) -> str:
    return f"{settings.SANDBOX_LOCATION_PASSWORD_PREFIX}{code}"


def scope_for(username: str, password: str) -> str | None:
    """'' for the company pair, a location code for a location pair, None when wrong."""
    if _same(username, settings.SANDBOX_COMPANY_USERNAME) and _same(
        password, settings.SANDBOX_COMPANY_PASSWORD
    ):
        return ""
    for code in location_codes():
        if _same(username, location_username(code)) and _same(password, location_password(code)):
            return code
    return None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def token_issue(username: str, location_code: str, now: datetime) -> Token:
    Token.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()  # keep the table small
    return Token.objects.create(
        key=ids.token(),
        username=username,
        location_code=location_code,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SANDBOX_TOKEN_TTL),
    )


def token_check(request: HttpRequest, now: datetime) -> Token:
    key = request.headers.get("x-access-token", "")
    if not key:
        raise ApiError(401, "UNAUTHORIZED", "The x-access-token header is missing.")
    token = Token.objects.filter(key=key).first()
    if token is None:
        raise ApiError(401, "UNAUTHORIZED", "The access token is not valid.")
    if token.expires_at <= now:
        raise ApiError(401, "UNAUTHORIZED", "The access token has expired.")
    return token
