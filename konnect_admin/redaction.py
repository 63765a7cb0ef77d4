"""The one place that knows what a secret looks like.

Two defences, because a secret can leak by key ("password": ...) or by value (a token pasted
into an error message): `redact()` masks values under secret-looking keys in structures, and
`scrub()` replaces every secret value this process has seen (registered by the Konnect client
when it loads credentials or acquires a token) plus secret-looking `key=value` pairs in text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

MASK = "***"
SECRET_KEY_RE = re.compile(
    r"token|secret|passw|authori[sz]ation|api[-_]?key|cookie|signature|credential", re.IGNORECASE
)
# key=value, key: value and "key": "value" forms in free text (query strings, headers, JSON).
_INLINE_RE = re.compile(
    r"""(?P<key>["']?[\w-]*(?:token|secret|passw\w*|api[-_]?key|authorization)["']?)"""
    r"""(?P<sep>\s*[:=]\s*["']?)(?P<value>[^\s&"',;}]+)""",
    re.IGNORECASE,
)

_known: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value so `scrub()` can remove it from any text later."""
    if value and len(value) >= 4:
        with _lock:
            _known.add(value)


def redact(value: Any) -> Any:
    """A copy of `value` with every entry under a secret-looking key masked."""
    if isinstance(value, Mapping):
        return {k: MASK if SECRET_KEY_RE.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return scrub(value)
    return value


def scrub(text: str) -> str:
    """`text` with known secret values and secret-looking key=value pairs masked."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return _INLINE_RE.sub(lambda m: f"{m.group('key')}{m.group('sep')}{MASK}", text)
