"""Fault injection for Konnect API paths (never the control endpoints).

One roll of a seedable RNG per request decides the fault, using the rates as consecutive
bands (error, then 429, then reset, then timeout), so the rates are exclusive and add up:

- outage: every call 503 `UNAVAILABLE`, nothing applied;
- error: `error_status` with the error body, answered *before* applying anything;
- rate limit: 429 `RATE_LIMITED` with `Retry-After`, nothing applied;
- reset: the connection is closed without an answer; `reset_apply_rate` of them happen after
  the write was applied, the rest before (the client cannot tell which);
- timeout: the write is applied, then the answer waits `timeout_seconds`, so a client with a
  shorter read timeout sees an ambiguous failure.

Latency (`latency_ms`) is added to every call. In-process (the test transport of
inprocess.py), resets and timeouts are not acted out: they are marked in the WSGI environ and
the transport raises requests.ConnectionError / requests.ReadTimeout, so no test sleeps.
"""

from __future__ import annotations

import logging
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

from konnect_admin.sandbox.models import FaultSettings
from konnect_admin.sandbox.wire import error_response

logger = logging.getLogger(__name__)

INPROCESS_KEY = "sandbox.inprocess"
OUTCOME_KEY = "sandbox.fault"  # set to "reset" or "timeout" for the in-process transport

_rng = random.Random()  # noqa: S311 simulation, not security  # nosec B311
_rng_lock = threading.Lock()


def reseed(seed: int | None) -> None:
    """Make the following rolls reproducible (per process; tests run in one)."""
    with _rng_lock:
        _rng.seed(seed)


def _roll() -> float:
    with _rng_lock:
        return _rng.random()


@dataclass(frozen=True)
class Plan:
    before: str = ""  # outage | error | rate_limit | reset: answered without applying
    after: str = ""  # reset | timeout: applied, then acted out
    knobs: FaultSettings | None = None


NO_FAULT = Plan()


def plan_for(knobs: FaultSettings) -> Plan:
    if knobs.outage:
        return Plan(before="outage", knobs=knobs)
    roll = _roll()
    edge = knobs.error_rate
    if roll < edge:
        return Plan(before="error", knobs=knobs)
    edge += knobs.rate_limit_rate
    if roll < edge:
        return Plan(before="rate_limit", knobs=knobs)
    edge += knobs.reset_rate
    if roll < edge:
        if _roll() < knobs.reset_apply_rate:
            return Plan(after="reset", knobs=knobs)
        return Plan(before="reset", knobs=knobs)
    edge += knobs.timeout_rate
    if roll < edge:
        return Plan(after="timeout", knobs=knobs)
    return Plan(knobs=knobs)


def start(request: HttpRequest) -> tuple[Plan, HttpResponse | None]:
    """Before the view: add latency, pick the fault, answer now if it is a before-apply one."""
    knobs = FaultSettings.load()
    if knobs.latency_ms:
        time.sleep(knobs.latency_ms / 1000)
    plan = plan_for(knobs)
    if plan.before or plan.after:
        logger.info("sandbox fault: %s on %s", plan.before or plan.after, request.path)
    early = _answer_before(request, plan, knobs)
    if early is not None:
        early._has_been_logged = True  # type: ignore[attr-defined]  # injected: not an error
    return plan, early


def _answer_before(request: HttpRequest, plan: Plan, knobs: FaultSettings) -> HttpResponse | None:
    if plan.before == "outage":
        return error_response(503, "UNAVAILABLE", "Konnect is unavailable (injected outage).")
    if plan.before == "error":
        status = knobs.error_status
        code = "INTERNAL" if status == 500 else "UNAVAILABLE"
        return error_response(status, code, f"Injected server error {status}.")
    if plan.before == "rate_limit":
        return error_response(
            429,
            "RATE_LIMITED",
            "Too many requests (injected).",
            headers={"Retry-After": str(knobs.retry_after)},
        )
    if plan.before == "reset":
        return reset_connection(request)
    return None


def finish(request: HttpRequest, plan: Plan, response: HttpResponse) -> HttpResponse:
    """After the view applied the request: act out a timeout or a reset."""
    if plan.after == "reset":
        dropped = reset_connection(request)
        dropped._has_been_logged = True  # type: ignore[attr-defined]  # injected: not an error
        return dropped
    if plan.after == "timeout" and plan.knobs is not None:
        if request.META.get(INPROCESS_KEY):
            request.META[OUTCOME_KEY] = "timeout"
        else:
            time.sleep(plan.knobs.timeout_seconds)
    return response


def reset_connection(request: HttpRequest) -> HttpResponse:
    """Drop the client's connection without an answer.

    gunicorn hands the socket over in environ["gunicorn.socket"]; Django's runserver and the
    test live server only through the wsgi.input file object, which we unwrap. SO_LINGER 0
    plus shutdown makes the peer see the connection end with no response at all; the server
    then fails to write the (dummy) response below and logs a broken pipe. Where no socket can
    be found the answer is an empty 502 (WSGI forbids setting `Connection: close`).
    """
    if request.META.get(INPROCESS_KEY):
        request.META[OUTCOME_KEY] = "reset"
        return HttpResponse(status=502)
    sock = _client_socket(request.META)
    if sock is None:
        logger.warning("sandbox reset fault: no client socket found, answering an empty 502")
        return HttpResponse(status=502)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client went away first: the effect is the same
    return HttpResponse(status=502)  # never reaches the client


def _client_socket(environ: dict[str, Any]) -> socket.socket | None:
    candidate = environ.get("gunicorn.socket")
    if isinstance(candidate, socket.socket):
        return candidate
    obj: Any = environ.get("wsgi.input")
    for _ in range(6):  # LimitedStream -> BufferedReader -> SocketIO -> socket
        if obj is None or isinstance(obj, socket.socket):
            return obj
        reader = getattr(obj, "_read", None)  # Django's LimitedStream keeps a bound read()
        obj = next(
            (getattr(obj, name) for name in ("stream", "raw", "_sock") if hasattr(obj, name)),
            getattr(reader, "__self__", None),
        )
    return None
