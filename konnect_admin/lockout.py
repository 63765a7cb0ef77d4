"""Login brute-force lockout: LOGIN_LOCKOUT_FAILURES failures per (username, address).

Counting per pair means an attacker at one address cannot lock a user out everywhere, and a
colleague on the same office address keeps working. State lives in the shared cache.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(username: str, ip: str | None) -> str:
    raw = f"{username.strip().lower()}|{ip or '-'}".encode()
    return "login-fail:" + hashlib.sha256(raw).hexdigest()


def is_locked(username: str, ip: str | None) -> bool:
    failures = int(cache.get(_key(username, ip), 0))
    return failures >= int(settings.LOGIN_LOCKOUT_FAILURES)


def record_failure(username: str, ip: str | None) -> int:
    key = _key(username, ip)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
        count = 1
    else:
        cache.touch(key, settings.LOGIN_LOCKOUT_SECONDS)
    return int(count)


def clear(username: str, ip: str | None) -> None:
    cache.delete(_key(username, ip))
