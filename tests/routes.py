"""Every URL of the project, with dummy arguments: shared by the access and security tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

DUMMY_BY_CONVERTER = {
    "int": "987654",
    "str": "nothing-here",
    "slug": "nothing-here",
    "path": "nothing/here",
    "uuid": "00000000-0000-0000-0000-000000000000",
}
NON_PAGE_NAMESPACES = {"sandbox"}  # the emulated Konnect API authenticates by token


@dataclass
class Route:
    url: str
    name: str
    namespace: str
    callback: Any


def _fill(pattern: Any) -> str:
    text = str(pattern)
    if getattr(pattern, "converters", None):
        text = re.sub(
            r"<(?:(\w+):)?\w+>", lambda m: DUMMY_BY_CONVERTER.get(m.group(1) or "str", "x"), text
        )
    return text.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")


def _walk(
    entries: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from _walk(
                entry.url_patterns, prefix + _fill(entry.pattern), entry.namespace or namespace
            )
        else:
            yield Route(
                "/" + prefix + _fill(entry.pattern), entry.name or "", namespace, entry.callback
            )


def all_routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if "(" not in r.url]


def page_routes() -> list[Route]:
    """Routes of the dashboard itself: everything but the public ones and the sandbox API."""
    return [
        r
        for r in all_routes()
        if r.namespace not in NON_PAGE_NAMESPACES and not getattr(r.callback, "is_public", False)
    ]
