"""Reads of the cross-cutting models: jobs visible to a user, the audit log, users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from konnect_admin import access
from konnect_admin.jobs import registry
from konnect_admin.models import AuditEvent, Job, JobItem, Location, StaffProfile


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


@dataclass(frozen=True)
class UserLocations:
    bound: list[tuple[str, str]]  # the user's own locations (code, name)
    active: list[tuple[str, str]]  # every active location


def user_locations(user: Any) -> UserLocations:
    """The user's locations and every active one, in ONE query, cached on the user object
    for the request (the jobs list, the shipment scope and the location filter all ask)."""
    cached: Any = getattr(user, "_konnect_locations", None)
    if cached is not None:
        return cast(UserLocations, cached)
    pk = getattr(user, "pk", None)
    rows = (
        Location.objects.annotate(
            bound=Exists(
                StaffProfile.locations.through.objects.filter(
                    location_id=OuterRef("pk"), staffprofile__user_id=pk or 0
                )
            )
        )
        .filter(Q(is_active=True) | Q(bound=True))
        .order_by("code")
        .values_list("code", "name", "is_active", "bound")
    )
    found = UserLocations(
        bound=[(code, name) for code, name, _active, bound in rows if bound and pk],
        active=[(code, name) for code, name, active, _bound in rows if active],
    )
    user._konnect_locations = found
    return found


def location_codes_for(user: Any) -> list[str] | None:
    """The location codes a user is bound to, or None when they may see every location."""
    return [code for code, _name in user_locations(user).bound] or None
