"""Each role signs in through the real login page and sees exactly its navigation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

EXPECTED = {
    "Admin": {"Home", "Jobs", "Audit log", "Users"},
    "Merchandiser": {"Home", "Jobs"},
    "Warehouse": {"Home", "Jobs"},
}
ADMIN_ONLY = {"Audit log", "Users", "Settings", "Bulk upload"}


@pytest.mark.parametrize("role", ["Admin", "Merchandiser", "Warehouse"])
def test_navigation_by_role(
    role: str,
    make_user: Callable[..., Any],
    login: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    make_user(f"user-{role.lower()}", role)
    page = login(f"user-{role.lower()}")
    links = set(page.locator("nav.mainnav a").all_inner_texts())
    assert EXPECTED[role] <= links
    if role != "Admin":
        assert not (links & ADMIN_ONLY)
    assert page.locator(".badge.role").inner_text() == role
    screenshot(page, f"nav-{role.lower()}")
    page.set_viewport_size({"width": 800, "height": 1000})
    screenshot(page, f"nav-{role.lower()}-tablet")
    assert page.console_errors == []


def test_a_role_is_refused_a_page_it_cannot_use(
    make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    make_user("meera", "Merchandiser")
    page = login("meera")
    response = page.goto("/audit/")
    assert response.status == 403
    assert page.get_by_role("heading", name="You don't have access to this page").is_visible()


def test_wrong_password_then_sign_out(
    make_user: Callable[..., Any], page: Any, login: Callable[..., Any]
) -> None:
    make_user("asha", "Admin")
    page.goto("/login/")
    page.get_by_label("Username").fill("asha")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("Please enter a correct username")
    login("asha")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")
