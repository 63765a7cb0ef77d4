"""A circuit breaker whose state lives in Django's cache, so web and worker processes share it.

Closed: calls go through; consecutive transient failures (timeouts, connection errors, 5xx)
are counted and any other answer resets the count. After KONNECT_BREAKER_FAILURES of them the
breaker opens for KONNECT_BREAKER_OPEN_SECONDS: no call reaches Konnect, callers get
KonnectCircuitOpen (the Job runner waits without spending an attempt). Then it is half-open:
exactly one caller (a cache.add lock) sends a probe; success closes it, failure re-opens it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from konnect_admin.konnect.errors import KonnectCircuitOpen

logger = logging.getLogger("konnect")

FAILURES_KEY = "konnect:breaker:failures"
OPEN_UNTIL_KEY = "konnect:breaker:open_until"
PROBE_KEY = "konnect:breaker:probe"
FAILURE_MEMORY_SECONDS = 3600  # consecutive failures further apart than this start over
PROBE_WAIT_SECONDS = 5.0  # what other callers are told to wait while a probe is out


class CircuitBreaker:
    def __init__(
        self,
        *,
        failures: int | None = None,
        open_seconds: float | None = None,
        probe_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.threshold = failures if failures is not None else settings.KONNECT_BREAKER_FAILURES
        self.open_seconds = (
            open_seconds if open_seconds is not None else settings.KONNECT_BREAKER_OPEN_SECONDS
        )
        self.probe_seconds = probe_seconds  # a crashed prober frees the slot after this long
        self.clock = clock

    def before_call(self) -> None:
        """Raise KonnectCircuitOpen unless this call may go to Konnect."""
        open_until = cache.get(OPEN_UNTIL_KEY)
        if open_until is None:
            return
        remaining = float(open_until) - self.clock()
        if remaining > 0:
            raise KonnectCircuitOpen(retry_after=max(1, math.ceil(remaining)))
        if not cache.add(PROBE_KEY, 1, timeout=math.ceil(self.probe_seconds)):
            raise KonnectCircuitOpen(retry_after=PROBE_WAIT_SECONDS)
        logger.info("konnect circuit half-open: sending one probe")

    def record_success(self) -> None:
        state = cache.get_many([FAILURES_KEY, OPEN_UNTIL_KEY])
        if state:
            cache.delete_many([FAILURES_KEY, OPEN_UNTIL_KEY, PROBE_KEY])
            if OPEN_UNTIL_KEY in state:
                logger.info("konnect circuit closed: Konnect answers again")

    def record_failure(self) -> None:
        cache.add(FAILURES_KEY, 0, timeout=FAILURE_MEMORY_SECONDS)
        try:
            failures = cache.incr(FAILURES_KEY)
        except ValueError:  # expired between add and incr
            cache.set(FAILURES_KEY, 1, timeout=FAILURE_MEMORY_SECONDS)
            failures = 1
        half_open = cache.get(OPEN_UNTIL_KEY) is not None
        if half_open or failures >= self.threshold:
            self._open(failures)

    def release(self) -> None:
        """End a probe whose outcome says nothing about Konnect's health (e.g. an SSL error)."""
        cache.delete(PROBE_KEY)

    def _open(self, failures: int) -> None:
        until = self.clock() + self.open_seconds
        cache.set(
            OPEN_UNTIL_KEY, until, timeout=math.ceil(self.open_seconds) + FAILURE_MEMORY_SECONDS
        )
        cache.delete(PROBE_KEY)
        logger.warning(
            "konnect circuit opened after %d consecutive failures; pausing calls for %d s",
            failures,
            self.open_seconds,
        )


def breaker_is_open(clock: Callable[[], float] = time.time) -> bool:
    """True while calls are paused (not while half-open); for the "unreachable" banner."""
    try:
        open_until = cache.get(OPEN_UNTIL_KEY)
    except Exception:  # a cache outage must not break every page
        logger.warning("konnect circuit state unreadable", exc_info=True)
        return False
    return open_until is not None and float(open_until) > clock()
