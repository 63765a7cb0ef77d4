"""Layout, navigation by role, htmx served locally, friendly error pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import path

from konnect_admin import urls as project_urls

pytestmark = pytest.mark.django_db


def test_navigation_shows_only_what_the_role_can_use(role_clients: dict[str, Client]) -> None:
    pages = {role: c.get("/").content.decode() for role, c in role_clients.items()}
    assert 'href="/audit/"' in pages["Admin"]
    assert 'href="/users/"' in pages["Admin"]
    for role in ("Merchandiser", "Warehouse"):
        assert 'href="/audit/"' not in pages[role]
        assert 'href="/users/"' not in pages[role]
        assert 'href="/jobs/"' in pages[role]


def test_htmx_is_served_locally_with_csp(merch_client: Client) -> None:
    response = merch_client.get("/")
    page = response.content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js"' in page
    assert "https://" not in page
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "object-src 'none'" in csp


def test_htmx_requests_carry_the_csrf_token(merch_client: Client) -> None:
    page = merch_client.get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_404_is_friendly(merch_client: Client) -> None:
    response = merch_client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def _boom(request: Any) -> Any:
    raise RuntimeError("secret internals password=hunter2")


boom_urls = [path("boom/", _boom), *project_urls.urlpatterns]


@pytest.mark.urls("tests.test_pages")
def test_500_shows_no_stack_trace(merch_user: Any, settings: Any) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(merch_user)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Traceback" not in response.content
    assert b"hunter2" not in response.content


urlpatterns = boom_urls
handler500 = project_urls.handler500


def test_messages_reach_htmx_responses_as_toasts(admin_client: Client) -> None:
    from konnect_admin.models import Job

    job = Job.objects.create(kind="housekeeping", title="t", status=Job.Status.SUCCEEDED)
    response = admin_client.post(
        f"/jobs/{job.pk}/cancel/", headers={"HX-Request": "true"}, follow=False
    )
    assert response.status_code == 302
    follow = admin_client.get("/jobs/", headers={"HX-Request": "true"})  # a partial
    assert b'hx-swap-oob="beforeend"' in follow.content
    assert b"cannot be cancelled" in follow.content
