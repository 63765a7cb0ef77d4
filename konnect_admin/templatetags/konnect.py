from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

from konnect_admin.formatting import format_inr, format_when
from konnect_admin.jobs import registry

register = template.Library()


@register.filter
def inr(value: Any) -> str:
    return format_inr(value)


@register.filter
def inr_whole(value: Any) -> str:
    return format_inr(value, paise=False)


@register.filter
def when(value: datetime | None) -> str:
    return format_when(value)


@register.filter
def when_seconds(value: datetime | None) -> str:
    return format_when(value, seconds=True)


@register.filter
def iso(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat() if value else ""


@register.filter
def job_kind_label(kind: str) -> str:
    return registry.label(kind)


@register.simple_tag(takes_context=True)
def querystring_replace(context: template.Context, **kwargs: Any) -> str:
    """Like {% querystring %} but usable in tags that already sit inside attribute values."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
