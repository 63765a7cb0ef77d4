from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from konnect_admin.access import role_of
from konnect_admin.konnect.breaker import breaker_is_open
from konnect_admin.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": nav_for(user, request.path), "user_role": role_of(user)}


def konnect_status(request: HttpRequest) -> dict[str, Any]:
    """`konnect_unreachable` while the circuit breaker pauses calls (the banner in base.html)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"konnect_unreachable": breaker_is_open()}
