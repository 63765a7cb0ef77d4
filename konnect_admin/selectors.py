"""Reads of the cross-cutting models: jobs visible to a user, the audit log, users."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from konnect_admin import access
from konnect_admin.jobs import registry
from konnect_admin.models import AuditEvent, Job, JobItem, Location


def job_kinds_visible_to(user: Any) -> list[str]:
    return [
        k.kind
        for k in registry.all_kinds()
        if k.permission is None or access.has_all(user, [k.permission])
    ]


def job_list(
    *, user: Any, kind: str = "", status: str = "", created_by: int | None = None
) -> QuerySet[Job]:
    """Jobs the user may see: every job of a kind their role covers and, for a user bound to
    locations, only jobs whose records all belong to those locations (shipment actions carry
    the shipment's location on each record)."""
    qs = Job.objects.filter(kind__in=job_kinds_visible_to(user)).select_related("created_by")
    codes = location_codes_for(user)
    if codes is not None:
        elsewhere = JobItem.objects.filter(
            job=OuterRef("pk"), payload__location__isnull=False
        ).exclude(payload__location__in=codes)
        qs = qs.exclude(Exists(elsewhere))
    if kind:
        qs = qs.filter(kind=kind)
    if status == "active":
        qs = qs.exclude(status__in=Job.TERMINAL)
    elif status:
        qs = qs.filter(status=status)
    if created_by:
        qs = qs.filter(created_by_id=created_by)
    return qs.order_by("-created_at", "-id")


def job_get(*, user: Any, job_id: int) -> Job | None:
    return job_list(user=user).filter(pk=job_id).first()


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_list(
    *,
    user_id: int | None = None,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("user", "job")
    if user_id:
        qs = qs.filter(user_id=user_id)
    if action:
        qs = qs.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to) + timedelta(days=1))
    return qs.order_by("-at", "-id")


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by().values_list("action", flat=True).distinct()[:500])


def user_list() -> QuerySet[Any]:
    User = get_user_model()
    return (
        User.objects.order_by("username")
        .prefetch_related(
            "groups", Prefetch("profile__locations", queryset=Location.objects.order_by("code"))
        )
        .select_related("profile")
    )


def location_codes_for(user: Any) -> list[str] | None:
    """The location codes a user is bound to, or None when they may see every location."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return None
    codes = [loc.code for loc in profile.locations.all()]
    return codes or None
