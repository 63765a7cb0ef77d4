"""Every URL refuses anonymous users and the wrong roles.

The test walks the URL resolver, so a URL added later is covered automatically: a view that
does not declare its access with @requires(...) or @public fails `test_every_view_declares_access`.
"""

from __future__ import annotations

from typing import Any

import pytest

from konnect_admin import access
from tests.routes import Route, all_routes, page_routes

pytestmark = pytest.mark.django_db


def _routes() -> list[Route]:
    return all_routes()


def _page_routes() -> list[Route]:
    return page_routes()


def test_the_walk_sees_the_main_routes() -> None:
    urls = {r.url for r in _page_routes()}
    assert {"/", "/jobs/", "/audit/", "/users/"} <= urls


def test_every_view_declares_access() -> None:
    undeclared = [
        r.url
        for r in _routes()
        if not hasattr(r.callback, "required_permissions")
        and not getattr(r.callback, "is_public", False)
    ]
    assert undeclared == [], "views without @requires(...) or @public"


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_sent_to_login_everywhere(client: Any, method: str) -> None:
    for route in _page_routes():
        response = getattr(client, method)(route.url)
        assert response.status_code == 302, route.url
        assert response["Location"].startswith("/login/"), route.url


def test_wrong_roles_are_refused_and_right_roles_admitted(
    role_clients: dict[str, Any], no_role_user: Any, client: Any
) -> None:
    client.force_login(no_role_user)
    clients = {**role_clients, "none": client}
    users = {role: c.session.get("_auth_user_id") for role, c in clients.items()}
    checked = 0
    for route in _page_routes():
        needed = route.callback.required_permissions
        for role, role_client in clients.items():
            granted = set(access.ROLES.get(role, ()))
            allowed = set(needed) <= granted
            for method in ("get", "post"):
                response = getattr(role_client, method)(route.url)
                if allowed:
                    assert response.status_code != 403, (role, method, route.url)
                    if route.name == "logout":  # it worked: sign back in for the next routes
                        from django.contrib.auth import get_user_model

                        role_client.force_login(get_user_model().objects.get(pk=users[role]))
                else:
                    assert response.status_code in (403, 405), (
                        role,
                        method,
                        route.url,
                        response.status_code,
                    )
                checked += 1
    assert checked > 40


def test_refusal_page_is_friendly(merch_client: Any) -> None:
    response = merch_client.get("/audit/")
    assert response.status_code == 403
    assert b"have access to this page" in response.content
    assert b"Traceback" not in response.content
