"""Typed errors for every way a Konnect call can fail, built in one place.

Callers catch classes, never status codes. The Job runner reads two class attributes:
`retryable` (transient: back off and try again) and `circuit_open` (Konnect is considered down:
wait without spending an attempt). Messages are meant for a merchandiser's screen and are
scrubbed of every registered secret; nothing here ever holds a header, a URL with its query
string, a token or a password.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import requests

from konnect_admin.redaction import scrub

MAX_ERRORS_IN_MESSAGE = 5


class KonnectError(Exception):
    """Any failure talking to Konnect."""

    retryable: ClassVar[bool] = False
    circuit_open: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str = "",
        errors: Sequence[Mapping[str, Any]] = (),
        path: str = "",
    ) -> None:
        self.message = scrub(message)
        self.status = status
        self.code = code
        self.errors: list[dict[str, str]] = [_clean_error(e) for e in errors]
        self.path = path
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r},"
            f" path={self.path!r}, message={self.message!r})"
        )


class KonnectTransientError(KonnectError):
    """Worth trying again later: Konnect was unreachable, overloaded or slow."""

    retryable = True
    retry_after: float | None = None


class KonnectUnavailable(KonnectTransientError):
    """Timeout, connection error or 5xx.

    `ambiguous` is True when a write may have been applied even though no answer came back (a
    timeout or reset after the request was sent, or a 5xx to a write): read back before
    sending it again.
    """

    def __init__(self, message: str, *, ambiguous: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.ambiguous = ambiguous


class KonnectRateLimited(KonnectTransientError):
    """429: slow down for `retry_after` seconds (capped at 15 minutes)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class KonnectCircuitOpen(KonnectTransientError):
    """Konnect failed repeatedly, so calls are paused; nothing was sent."""

    circuit_open = True

    def __init__(self, retry_after: float) -> None:
        super().__init__(
            "Konnect is unreachable; calls are paused for a moment and will resume on their own",
            code="CIRCUIT_OPEN",
        )
        self.retry_after = retry_after


class KonnectAuthError(KonnectError):
    """401 that survived one token refresh, or credentials Konnect refused."""


class KonnectNotConfigured(KonnectAuthError):
    """No username or password is configured for the credential that was asked for."""


class KonnectForbidden(KonnectError):
    """403: the credential's scope does not cover the request (e.g. another location)."""


class KonnectNotFound(KonnectError):
    """404: unknown trace, category, shipment or route."""


class KonnectValidationError(KonnectError):
    """400: the whole request was refused; `errors` holds field/code/message entries."""


def _clean_error(error: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): scrub(str(v)) for k, v in error.items() if v is not None}


def _describe(errors: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for error in errors[:MAX_ERRORS_IN_MESSAGE]:
        field = error.get("field") or error.get("orderId") or error.get("sku") or ""
        text = str(error.get("message") or error.get("code") or "invalid")
        parts.append(f"{field}: {text}" if field else text)
    if len(errors) > MAX_ERRORS_IN_MESSAGE:
        parts.append(f"and {len(errors) - MAX_ERRORS_IN_MESSAGE} more")
    return "; ".join(parts)


def error_from_response(
    *,
    status: int,
    body: Any,
    path: str,
    retry_after: float | None = None,
    ambiguous: bool = False,
) -> KonnectError:
    """The one mapping from a non-2xx Konnect answer to a typed error.

    `body` is the parsed JSON (the contract's error body) or None; `ambiguous` is set by the
    transport for writes, where a 5xx does not prove the write was not applied.
    """
    data = body if isinstance(body, Mapping) else {}
    said = str(data.get("message") or "").strip()
    code = str(data.get("code") or "")
    raw_errors = data.get("errors")
    errors = (
        [e for e in raw_errors if isinstance(e, Mapping)] if isinstance(raw_errors, list) else []
    )
    common: dict[str, Any] = {"status": status, "code": code, "errors": errors, "path": path}
    detail = _describe(errors) or said

    if status == 401:
        return KonnectAuthError(
            "Konnect did not accept our credentials (signing in again did not help)", **common
        )
    if status == 403:
        return KonnectForbidden(
            f"Konnect refused access: {said or 'these credentials do not cover this request'}",
            **common,
        )
    if status == 404:
        return KonnectNotFound(f"Konnect could not find it: {said or path}", **common)
    if status == 429:
        wait = f"; try again in {round(retry_after)} s" if retry_after else ""
        return KonnectRateLimited(
            f"Konnect is limiting how fast we send requests{wait}",
            retry_after=retry_after,
            **common,
        )
    if status >= 500:
        return KonnectUnavailable(
            f"Konnect is unavailable right now (HTTP {status})"
            + (f": {said}" if said else "")
            + (" - the change may or may not have been applied" if ambiguous else ""),
            ambiguous=ambiguous,
            **common,
        )
    if status in (400, 409, 413, 422):
        return KonnectValidationError(
            f"Konnect refused the request: {detail or f'HTTP {status}'}", **common
        )
    return KonnectError(f"Konnect answered HTTP {status}" + (f": {said}" if said else ""), **common)


def error_from_exception(
    exc: requests.RequestException, *, path: str, ambiguous: bool, sent: bool = False
) -> KonnectError:
    """A typed error for a transport failure; only the exception's class name is kept, because
    requests puts the full URL (for the token endpoint: with the password) in its messages."""
    unknown = " - the change may or may not have been applied" if ambiguous else ""
    if isinstance(exc, requests.Timeout):
        return KonnectUnavailable(
            f"Konnect did not answer in time{unknown}", ambiguous=ambiguous, path=path
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return KonnectError(
            "Could not open a secure connection to Konnect (certificate problem?)", path=path
        )
    if isinstance(exc, requests.ConnectionError):
        what = (
            "The connection to Konnect broke before it answered"
            if sent
            else ("Could not connect to Konnect")
        )
        return KonnectUnavailable(f"{what}{unknown}", ambiguous=ambiguous, path=path)
    return KonnectUnavailable(
        f"The connection to Konnect failed ({type(exc).__name__}){unknown}",
        ambiguous=ambiguous,
        path=path,
    )
