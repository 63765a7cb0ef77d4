"""Login auditing: every successful and failed sign-in is logged with address and browser."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from konnect_admin.audit import audit_record
from konnect_admin.models import AuditEvent

logger = logging.getLogger("konnect_admin.auth")


def _agent(request: HttpRequest | None) -> str:
    return (request.META.get("HTTP_USER_AGENT", "") if request else "")[:200]


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    logger.info(
        "login ok user=%s ip=%s agent=%s",
        user.get_username(),
        request.META.get("REMOTE_ADDR"),
        _agent(request),
    )
    audit_record(
        user=user,
        action="auth.login",
        object_type="user",
        object_id=str(user.pk),
        object_repr=user.get_username(),
        request=request,
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(
            user=user,
            action="auth.logout",
            object_type="user",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            request=request,
        )


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    logger.warning(
        "login failed user=%s ip=%s agent=%s",
        username,
        request.META.get("REMOTE_ADDR") if request else None,
        _agent(request),
    )
    audit_record(
        user=None,
        action="auth.login_failed",
        object_type="user",
        object_repr=username,
        outcome=AuditEvent.Outcome.DENIED,
        request=request,
    )
