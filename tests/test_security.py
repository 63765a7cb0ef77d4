"""CSRF on every state-changing route, no state change on GET, and the canary secret test."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.views.debug import SafeExceptionReporterFilter

from konnect_admin.models import AuditEvent, Job
from tests.routes import page_routes

pytestmark = pytest.mark.django_db


def test_every_post_without_a_csrf_token_is_refused(admin_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    checked = 0
    for route in page_routes():
        response = client.post(route.url, {"anything": "1"})
        assert response.status_code in (403, 405), (route.url, response.status_code)
        if response.status_code == 403:
            assert b"This form has expired" in response.content, route.url
            checked += 1
    assert checked >= 10


def test_htmx_posts_carry_the_token_in_a_header(admin_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    page = client.get("/").content.decode()
    token = page.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]
    response = client.post("/logout/", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 302


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed}


def test_no_route_changes_state_on_get(role_clients: dict[str, Client]) -> None:
    for client in role_clients.values():
        client.get("/")  # sessions exist before the snapshot
    before = _row_counts()
    for route in page_routes():
        for client in role_clients.values():
            client.get(route.url)
            client.get(route.url, headers={"HX-Request": "true"})
    assert _row_counts() == before


CANARY_PASSWORD = "CANARY-pw-4f9d2c7a61"


def test_canary_credentials_and_tokens_never_leak(
    konnect_sandbox: None,
    settings: Any,
    admin_client: Client,
    drain_jobs: Any,
    caplog: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A canary Konnect password and the tokens it earns appear in no page, log line, broker
    message, error report, Job or AuditEvent, through a sync, a failing write and a bad login."""
    from celery.app.task import Task

    from catalog.services import reference_sync_start
    from konnect_admin.konnect import get_client

    settings.KONNECT_PASSWORD = CANARY_PASSWORD
    settings.SANDBOX_COMPANY_PASSWORD = CANARY_PASSWORD
    sent: list[str] = []
    original = Task.apply_async

    def recording_apply_async(
        self: Task[Any, Any], args: Any = None, kwargs: Any = None, **options: Any
    ) -> Any:
        sent.append(json.dumps({"task": self.name, "args": args, "kwargs": kwargs}, default=str))
        return original(self, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", recording_apply_async)
    caplog.set_level(logging.DEBUG)

    token = get_client().token()
    with django_capture_on_commit_callbacks(execute=True):
        reference_sync_start(user=None)  # enqueued through Celery: the message is recorded
    drain_jobs()
    admin_client.post("/settings/test/company/")  # the test-connection button, if present
    Client().post("/login/", {"username": "asha", "password": CANARY_PASSWORD})
    pages = [
        admin_client.get(url).content.decode() for url in ("/", "/jobs/", "/audit/", "/settings/")
    ]
    settings_dump = str(SafeExceptionReporterFilter().get_safe_settings())

    stored = json.dumps(
        [list(Job.objects.values()), list(AuditEvent.objects.values())], default=str
    )
    haystacks = {
        "logs": caplog.text,
        "broker": "\n".join(sent),
        "pages": "\n".join(pages),
        "error report": settings_dump,
        "jobs and audit": stored,
    }
    assert token and len(token) > 10
    for where, text in haystacks.items():
        assert CANARY_PASSWORD not in text, where
        assert token not in text, where
    assert sent, "the flow enqueued tasks, so the broker check means something"
