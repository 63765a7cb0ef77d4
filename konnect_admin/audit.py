"""Recording audit events: who did what, to which object, and how it turned out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from konnect_admin.models import AuditEvent, Job
from konnect_admin.redaction import redact


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    user: Any,
    action: str,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    summary: str = "",
    before: Any = None,
    after: Any = None,
    outcome: str = AuditEvent.Outcome.SUCCEEDED,
    job: Job | None = None,
    source: str = "ui",
    request: HttpRequest | None = None,
) -> AuditEvent:
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        actor=user.get_username() if authenticated else "system",
        action=action,
        source=source,
        object_type=object_type,
        object_id=str(object_id)[:200],
        object_repr=str(object_repr)[:300],
        summary=summary[:500],
        before=redact(AuditEvent.summarise(before)),
        after=redact(AuditEvent.summarise(after)),
        outcome=outcome,
        job=job,
        ip=client_ip(request),
    )
