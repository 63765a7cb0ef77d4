"""The audit page: filters and a spreadsheet-safe CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from konnect_admin.audit import audit_record
from konnect_admin.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(admin_user: Any, merch_user: Any) -> None:
    AuditEvent.objects.all().delete()
    audit_record(
        user=merch_user,
        action="product.create",
        object_type="product",
        object_id="SKU-1",
        object_repr="Linen shirt",
        summary="Create Linen shirt",
    )
    old = audit_record(
        user=admin_user,
        action="user.update",
        object_repr='=HYPERLINK("http://x")',
        summary="@SUM(A1)",
    )
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=10))


def test_filter_by_user_and_action(admin_client: Client, events: None, merch_user: Any) -> None:
    page = admin_client.get("/audit/", {"user": merch_user.pk}).content.decode()
    assert "Linen shirt" in page
    assert "HYPERLINK" not in page
    page = admin_client.get("/audit/", {"action": "user.update"}).content.decode()
    assert "HYPERLINK" in page
    assert "Linen shirt" not in page


def test_filter_by_date(admin_client: Client, events: None) -> None:
    today = timezone.localdate().isoformat()
    page = admin_client.get("/audit/", {"date_from": today, "date_to": today}).content.decode()
    assert "Linen shirt" in page
    assert "HYPERLINK" not in page


def test_htmx_filter_returns_only_the_results(admin_client: Client, events: None) -> None:
    response = admin_client.get(
        "/audit/", {"action": "product.create"}, headers={"HX-Request": "true"}
    )
    assert b"<html" not in response.content
    assert b'id="audit-results"' in response.content
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_csv_export_neutralises_formulas(admin_client: Client, events: None) -> None:
    response = admin_client.get("/audit/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["time", "user", "action"]
    objects = {row[6] for row in rows[1:]}
    summaries = {row[7] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in objects
    assert "'@SUM(A1)" in summaries


def test_export_honours_the_filters(admin_client: Client, events: None) -> None:
    response = admin_client.get("/audit/export.csv", {"action": "product.create"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Linen shirt" in text
    assert "HYPERLINK" not in text
