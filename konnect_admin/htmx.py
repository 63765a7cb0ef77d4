"""HTMX helpers shared by all views."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def page_or_partial(request: HttpRequest, template: str, partial: str) -> str:
    """The full page for normal loads and history restores, the named partial for htmx swaps."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request and not htmx.boosted:
        return f"{template}#{partial}"
    return template
