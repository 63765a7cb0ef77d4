"""The core every endpoint method uses: the token dance and the mapping of answers to errors."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import requests
from django.conf import settings

from konnect_admin.konnect.auth import (
    TOKEN_PATH,
    Credentials,
    cached_token,
    drop_token,
    store_token,
    token_cache_key,
    token_from_body,
)
from konnect_admin.konnect.breaker import CircuitBreaker
from konnect_admin.konnect.errors import (
    KonnectAuthError,
    KonnectNotConfigured,
    KonnectUnavailable,
    error_from_response,
)
from konnect_admin.konnect.http import Reply, RetryPolicy, Sleeper, Transport, build_session
from konnect_admin.konnect.parsing import unexpected

QueryValue = str | int | bool | Sequence[str] | Sequence[int] | None


def query(**params: QueryValue) -> dict[str, str]:
    """Query parameters as Konnect expects them: None left out, booleans lower-case,
    lists comma-separated."""
    found: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            found[key] = "true" if value else "false"
        elif isinstance(value, str | int):
            found[key] = str(value)
        else:
            found[key] = ",".join(str(v) for v in value)
    return found


def records_list(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Plain dict copies, so the caller's records are never changed and the body is JSON."""
    return [dict(record) for record in records]


class ClientBase:
    def __init__(
        self,
        *,
        credentials: Credentials,
        base_url: str | None = None,
        location_code: str | None = None,
        timeout: tuple[float, float] | None = None,
        max_retries: int | None = None,
        backoff_base: float | None = None,
        backoff_cap: float | None = None,
        token_ttl: int | None = None,
        breaker: CircuitBreaker | None = None,
        use_breaker: bool = True,
        sleep: Sleeper = time.sleep,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
    ) -> None:
        url = base_url if base_url is not None else str(settings.KONNECT_BASE_URL)
        self.base_url = url if url.endswith("/") else url + "/"
        self.credentials = credentials
        self.location_code = location_code
        self._token_ttl = int(token_ttl if token_ttl is not None else settings.KONNECT_TOKEN_TTL)
        self._token_key = token_cache_key(self.base_url, credentials.username)
        self._session = session if session is not None else build_session()
        self._transport = Transport(
            base_url=self.base_url,
            session=self._session,
            timeout=timeout
            or (float(settings.KONNECT_CONNECT_TIMEOUT), float(settings.KONNECT_READ_TIMEOUT)),
            policy=RetryPolicy(
                max_retries=max_retries
                if max_retries is not None
                else int(settings.KONNECT_MAX_RETRIES),
                backoff_base=backoff_base
                if backoff_base is not None
                else float(settings.KONNECT_BACKOFF_BASE),
                backoff_cap=backoff_cap
                if backoff_cap is not None
                else float(settings.KONNECT_BACKOFF_CAP),
            ),
            breaker=(breaker or CircuitBreaker()) if use_breaker else None,
            sleep=sleep,
            rng=rng or random.Random(),  # noqa: S311 jitter, not cryptography  # nosec B311
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r},"
            f" username={self.credentials.username!r})"
        )

    def close(self) -> None:
        self._session.close()

    # --- token ---------------------------------------------------------------------------------

    def token(self, *, refresh: bool = False) -> str:
        """An access token: the cached one, or (with `refresh`, or none cached) a new one."""
        if not refresh:
            token = cached_token(self._token_key)
            if token:
                return token
        token = self._fetch_token()
        store_token(self._token_key, token, self._token_ttl)
        return token

    def _fetch_token(self) -> str:
        if not self.credentials.complete:
            raise KonnectNotConfigured(
                "Konnect credentials are not configured (username and password are needed)",
                path=TOKEN_PATH,
            )
        reply = self._transport.send(
            "GET",
            TOKEN_PATH,
            idempotent=True,
            params={"username": self.credentials.username, "password": self.credentials.password},
        )
        if reply.status == 401:
            raise KonnectAuthError(
                "Konnect refused the username or password", status=401, path=TOKEN_PATH
            )
        if not reply.ok:
            raise error_from_response(
                status=reply.status, body=reply.body, path=TOKEN_PATH, retry_after=reply.retry_after
            )
        return token_from_body(reply.body)

    # --- calls ---------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send with the token; on a 401 drop it, sign in again and repeat once (a 401 means
        the request was refused, so repeating a write is safe)."""
        token = self.token()
        reply = self._send(method, path, token, idempotent, params, body, headers)
        if reply.status == 401:
            drop_token(self._token_key, token)
            token = self.token(refresh=True)
            reply = self._send(method, path, token, idempotent, params, body, headers)
        if not reply.ok:
            raise error_from_response(
                status=reply.status,
                body=reply.body,
                path=path,
                retry_after=reply.retry_after,
                ambiguous=not idempotent and reply.status >= 500,
            )
        return reply

    def _send(
        self,
        method: str,
        path: str,
        token: str,
        idempotent: bool,
        params: Mapping[str, str] | None,
        body: Any,
        headers: Mapping[str, str] | None,
    ) -> Reply:
        all_headers = {"x-access-token": token, **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        return self._transport.send(
            method,
            path,
            idempotent=idempotent,
            params=params,
            json_body=body,
            headers=all_headers,
        )

    def _json(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        reply = self._call(
            method, path, idempotent=idempotent, params=params, body=body, headers=headers
        )
        if reply.body is None:
            if not idempotent:  # accepted, but we cannot tell what happened to it
                raise KonnectUnavailable(
                    "Konnect's answer could not be read - the change may or may not have"
                    " been applied",
                    ambiguous=True,
                    status=reply.status,
                    path=path,
                )
            raise unexpected(path, "not JSON")
        return reply.body

    def _pdf(self, path: str, body: Any) -> bytes:
        reply = self._call("POST", path, idempotent=True, body=body)
        if "pdf" not in reply.content_type and not reply.content.startswith(b"%PDF"):
            raise unexpected(path, "expected a PDF")
        return reply.content


def order_date(value: date | datetime | str | None) -> str | None:
    """orderDateFrom/To: a date as YYYY-MM-DD, a datetime as YYYY-MM-DDTHH:MM:SS in IST (the
    time zone Konnect's filters use; an aware datetime is converted first)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        from zoneinfo import ZoneInfo

        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo("Asia/Kolkata"))
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value.isoformat()
