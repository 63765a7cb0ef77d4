"""Roles and the access checks every view declares.

Roles are Django groups holding capability permissions (defined on `Access`). Each view states
what it needs with `@requires(...)` (or `@public` for the login page and the sandbox); the
decorator records that on the view, so a test can walk the URL resolver and prove every route
refuses anonymous users and the wrong roles, including routes added later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

APP = "konnect_admin"

VIEW_CATALOG = f"{APP}.view_catalog"
MANAGE_CATALOG = f"{APP}.manage_catalog"
MANAGE_PRICES_INVENTORY = f"{APP}.manage_prices_inventory"
VIEW_SHIPMENTS = f"{APP}.view_shipments"
MANAGE_SHIPMENTS = f"{APP}.manage_shipments"
MANAGE_RETURNS = f"{APP}.manage_returns"
BULK_UPLOAD = f"{APP}.bulk_upload"
MANAGE_SETTINGS = f"{APP}.manage_settings"
MANAGE_USERS = f"{APP}.manage_users"
VIEW_AUDIT = f"{APP}.view_audit"

ALL_PERMISSIONS = (
    VIEW_CATALOG,
    MANAGE_CATALOG,
    MANAGE_PRICES_INVENTORY,
    VIEW_SHIPMENTS,
    MANAGE_SHIPMENTS,
    MANAGE_RETURNS,
    BULK_UPLOAD,
    MANAGE_SETTINGS,
    MANAGE_USERS,
    VIEW_AUDIT,
)

MERCHANDISER = "Merchandiser"
WAREHOUSE = "Warehouse"
ADMIN = "Admin"

ROLES: dict[str, tuple[str, ...]] = {
    MERCHANDISER: (VIEW_CATALOG, MANAGE_CATALOG, MANAGE_PRICES_INVENTORY),
    WAREHOUSE: (VIEW_SHIPMENTS, MANAGE_SHIPMENTS, MANAGE_RETURNS),
    ADMIN: ALL_PERMISSIONS,
}

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def requires(*perms: str) -> Callable[[V], V]:
    """Require a logged-in user holding every one of `perms` (none: any logged-in user)."""
    unknown = set(perms) - set(ALL_PERMISSIONS)
    if unknown:
        raise ValueError(f"unknown permissions {sorted(unknown)}")

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_all(request.user, perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_permissions = tuple(perms)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def public(view: V) -> V:
    """Open to anonymous users (login page, health check, the sandbox API)."""
    view.is_public = True  # type: ignore[attr-defined]
    return login_not_required(view)


def has_all(user: AbstractBaseUser | AnonymousUser, perms: Iterable[str]) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return all(user.has_perm(p) for p in perms)  # type: ignore[attr-defined]


def role_of(user: Any) -> str:
    """The display role of a user: the most powerful group they belong to."""
    if getattr(user, "is_superuser", False):
        return ADMIN
    prefetched = getattr(user, "_prefetched_objects_cache", {}).get("groups")
    if prefetched is not None:  # lists prefetch groups: no query per user
        names = {g.name for g in prefetched}
        return next((r for r in (ADMIN, WAREHOUSE, MERCHANDISER) if r in names), "No role")
    # From the permissions Django already loaded for this request: no extra query.
    held = user.get_all_permissions()
    for role in (ADMIN, WAREHOUSE, MERCHANDISER):
        if set(ROLES[role]) <= held:
            return role
    return "No role"


def roles_sync() -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    by_codename = {p.codename: p for p in Permission.objects.filter(content_type__app_label=APP)}
    for role, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [
            by_codename[p.split(".", 1)[1]] for p in perms if p.split(".", 1)[1] in by_codename
        ]
        group.permissions.set(wanted)
