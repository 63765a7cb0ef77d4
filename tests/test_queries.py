"""Shared pages stay within the query budget whatever the number of rows (no N+1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from konnect_admin.audit import audit_record
from konnect_admin.models import Job

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/", "/jobs/", "/audit/", "/users/"])
def test_pages_cost_the_same_with_5_and_50_rows(
    admin_client: Client, admin_user: Any, make_user: Any, url: str
) -> None:
    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_user(f"user{i}", "Warehouse", locations=("BHW-WH-01",))
            Job.objects.create(kind="housekeeping", title=f"job {i}", created_by=admin_user)
            audit_record(user=admin_user, action="test.row", object_repr=str(i))

    add(5, 0)
    few = _queries(admin_client, url)
    add(45, 5)
    many = _queries(admin_client, url)
    assert many == few
    assert many <= 10
