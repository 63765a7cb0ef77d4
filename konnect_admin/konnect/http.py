"""The one way a request reaches Konnect: session, timeouts, retries, breaker and logging.

Retries live here and nowhere else below the Job layer (no urllib3 Retry): only calls that are
safe to repeat (`idempotent=True`: every GET and the read-only POSTs) are retried, on timeouts,
connection errors, 429 and 5xx, with exponential backoff and full jitter. A write is sent once;
if it is not clear whether it arrived (timeout or reset after sending, 5xx) the error says
`ambiguous=True` and the Job layer reads back before sending again.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3.exceptions

from konnect_admin.konnect.breaker import CircuitBreaker
from konnect_admin.konnect.errors import KonnectError, error_from_exception

logger = logging.getLogger("konnect")

RETRY_AFTER_CAP = 900.0  # never wait more than 15 minutes on a Retry-After
Sleeper = Callable[[float], None]


@dataclass(frozen=True)
class Reply:
    """A finished HTTP exchange: status, the JSON body (None if not JSON) and the raw bytes."""

    status: int
    body: Any
    content: bytes
    content_type: str
    retry_after: float | None
    path: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    backoff_base: float
    backoff_cap: float

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform(0, min(cap, base * 2**attempt)), attempt counted from 0."""
        return rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempt))


class _NoAuth(requests.auth.AuthBase):
    """An explicit no-op auth: stops requests from reading ~/.netrc (proxies still apply)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


def build_session() -> requests.Session:
    """The only place a session for Konnect is made."""
    session = requests.Session()
    session.auth = _NoAuth()
    session.headers.update({"User-Agent": "konnect-admin/1", "Accept": "application/json"})
    return session


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped at 15 min."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


def _sent_before_failing(exc: requests.RequestException) -> bool:
    """Whether the request may have reached Konnect before `exc` (only a failure to connect
    proves it did not)."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        return not isinstance(reason, urllib3.exceptions.NewConnectionError)
    return True


def _ids(body: Any) -> dict[str, str]:
    """Konnect's own request ids (and error code), for the log line."""
    if not isinstance(body, Mapping):
        return {}
    meta = body.get("meta")
    found = {
        "ack_id": meta.get("ack_id") if isinstance(meta, Mapping) else None,
        "trace_id": body.get("trace_id"),
        "code": body.get("code") if body.get("status") == "error" else None,
    }
    return {k: str(v) for k, v in found.items() if v}


class Transport:
    def __init__(
        self,
        *,
        base_url: str,
        session: requests.Session,
        timeout: tuple[float, float],
        policy: RetryPolicy,
        breaker: CircuitBreaker | None,
        sleep: Sleeper,
        rng: random.Random,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.session = session
        self.timeout = timeout
        self.policy = policy
        self.breaker = breaker
        self.sleep = sleep
        self.rng = rng

    def send(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send once (writes) or up to 1 + max_retries times (idempotent calls).

        Returns the final reply, whatever its status; raises KonnectError for transport failures
        and KonnectCircuitOpen while the breaker is open. `path` is relative to the base URL.
        """
        attempts = 1 + (self.policy.max_retries if idempotent else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            if self.breaker:
                self.breaker.before_call()
            try:
                reply = self._exchange(method, path, params, json_body, headers, attempt)
            except requests.RequestException as exc:
                sent = _sent_before_failing(exc)
                error = error_from_exception(
                    exc, path=path, ambiguous=sent and not idempotent, sent=sent
                )
                self._note_failure(error)
                if not error.retryable or last:
                    raise error from None  # the cause's text holds the full URL
                self.sleep(self.policy.backoff(attempt, self.rng))
                continue
            self._note_reply(reply.status)
            if last or not (reply.status == 429 or reply.status >= 500):
                return reply
            delay = self._delay(reply, attempt)
            if delay is None:
                return reply  # Konnect asks for a long pause: the Job layer waits, not this process
            self.sleep(delay)
        raise KonnectError("unreachable: the retry loop ended without an answer", path=path)

    def _delay(self, reply: Reply, attempt: int) -> float | None:
        if reply.status == 429 and reply.retry_after is not None:
            # Sleeping in-process is fine for short pauses; longer ones surface to the caller.
            return reply.retry_after if reply.retry_after <= self.policy.backoff_cap else None
        return self.policy.backoff(attempt, self.rng)

    def _note_failure(self, error: KonnectError) -> None:
        if self.breaker is None:
            return
        if error.retryable:  # timeout or connection error: Konnect may be down
            self.breaker.record_failure()
        else:  # e.g. a certificate problem: says nothing about Konnect's health
            self.breaker.release()

    def _note_reply(self, status: int) -> None:
        if self.breaker is None:
            return
        if status >= 500:
            self.breaker.record_failure()
        else:
            self.breaker.record_success()  # any answer below 500 proves Konnect is up

    def _exchange(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        json_body: Any,
        headers: Mapping[str, str] | None,
        attempt: int,
    ) -> Reply:
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.base_url + path.lstrip("/"),
                params=params,
                json=json_body,
                headers=dict(headers or {}),
                timeout=self.timeout,
                # requests would re-send our custom x-access-token header to wherever a
                # redirect points; Konnect does not redirect, so a 3xx is an error instead
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            duration_ms = round((time.monotonic() - started) * 1000)
            logger.warning(
                "konnect %s %s failed: %s after %d ms (attempt %d)",
                method,
                path,
                type(exc).__name__,
                duration_ms,
                attempt + 1,
                extra={
                    "konnect": {
                        "method": method,
                        "path": path,
                        "error": type(exc).__name__,
                        "duration_ms": duration_ms,
                        "attempt": attempt + 1,
                    }
                },
            )
            raise
        content_type = response.headers.get("Content-Type", "")
        body: Any = None
        if "json" in content_type or (response.content[:1] in (b"{", b"[")):
            try:
                body = response.json()
            except (ValueError, json.JSONDecodeError):
                body = None
        reply = Reply(
            status=response.status_code,
            body=body,
            content=response.content,
            content_type=content_type,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            path=path,
        )
        ids = _ids(body)
        duration_ms = round((time.monotonic() - started) * 1000)
        logger.log(
            logging.INFO if reply.status < 400 else logging.WARNING,
            "konnect %s %s %d in %d ms (attempt %d)%s",
            method,
            path,
            reply.status,
            duration_ms,
            attempt + 1,
            "".join(f" {k}={v}" for k, v in ids.items()),
            extra={
                "konnect": {
                    "method": method,
                    "path": path,
                    "status": reply.status,
                    "duration_ms": duration_ms,
                    "attempt": attempt + 1,
                    **ids,
                }
            },
        )
        return reply
