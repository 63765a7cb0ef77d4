"""Writes of the cross-cutting models: users with their role and locations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest

from konnect_admin.access import ROLES, role_of
from konnect_admin.audit import audit_record
from konnect_admin.models import Location, StaffProfile


def _snapshot(user: Any) -> dict[str, Any]:
    profile = StaffProfile.objects.filter(user=user).first()
    return {
        "username": user.username,
        "email": user.email,
        "role": role_of(user),
        "active": user.is_active,
        "locations": sorted(loc.code for loc in profile.locations.all()) if profile else [],
    }


@transaction.atomic
def user_save(
    *,
    actor: Any,
    user: Any | None,
    username: str,
    role: str,
    locations: list[Location],
    is_active: bool = True,
    password: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    request: HttpRequest | None = None,
) -> Any:
    """Create or update a user with exactly one role group and their bound locations."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role}")
    User = get_user_model()
    before = _snapshot(user) if user is not None else None
    if user is None:
        user = User(username=username)
    user.username = username
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.is_active = is_active
    if password:
        user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    profile.locations.set(locations)
    audit_record(
        user=actor,
        action="user.create" if before is None else "user.update",
        object_type="user",
        object_id=str(user.pk),
        object_repr=user.username,
        before=before,
        # "changed" is an audit note, never the password itself
        after={**_snapshot(user), **({"password": "changed"} if password else {})},  # nosec B105
        request=request,
    )
    return user
