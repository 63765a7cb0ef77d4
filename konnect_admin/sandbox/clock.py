"""The sandbox's notion of "now", in one place so tests can move time forward.

Every sandbox module calls `clock.now()` (never `timezone.now()` directly); a test
monkeypatches `konnect_admin.sandbox.clock.now` to jump past a trace delay or a token TTL
instead of sleeping.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
