"""Reference sync through the sandbox: complete, idempotent, paged at the maximum page size."""

from __future__ import annotations

import math
from typing import Any

import pytest

from catalog.models import (
    AttributeDefinition,
    Brand,
    Category,
    Department,
    HsCode,
    SyncState,
    TaxRule,
    Template,
)
from catalog.services import reference_sync_start
from catalog.sync import category_attributes_sync
from konnect_admin.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def count_calls(monkeypatch: Any) -> dict[str, int]:
    """Counts list calls per catalog path as they leave the client."""
    from konnect_admin.sandbox import inprocess

    calls: dict[str, int] = {}
    original = inprocess.SandboxAdapter.send

    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        path = request.path_url.split("?")[0].removeprefix("/sandbox/")
        calls[path] = calls.get(path, 0) + 1
        return original(self, request, **kwargs)

    monkeypatch.setattr(inprocess.SandboxAdapter, "send", send)
    return calls


def test_sync_brings_every_entity_in_ceil_n_over_200_calls(
    konnect_sandbox: None, drain_jobs: Any, admin_user: Any, count_calls: dict[str, int]
) -> None:
    job = reference_sync_start(user=admin_user)
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    expected = {
        "v3/catalog/departments": Department,
        "v3/catalog/category": Category,
        "v3/catalog/company-brand": Brand,
        "v3/catalog/product/template": Template,
        "v3/catalog/taxes/hscodes": HsCode,
        "v3/catalog/taxes/rules": TaxRule,
    }
    for path, model in expected.items():
        n = model.objects.count()
        assert n > 0, path
        assert count_calls[path] == math.ceil(n / 200), (path, n, count_calls[path])
    assert Category.objects.count() == 607
    assert Category.objects.filter(level=3).count() == 472
    shirts = Category.objects.get(name="T-Shirts")
    assert shirts.parent.level == 2 and shirts.parent.parent.level == 1
    assert set(shirts.departments.values_list("uid", flat=True)) == {1, 2, 3, 11}
    assert SyncState.objects.get(entity="categories").last_count == 607


def test_sync_twice_changes_nothing_and_removes_what_konnect_dropped(
    konnect_sandbox: None, drain_jobs: Any, admin_user: Any
) -> None:
    reference_sync_start(user=admin_user)
    drain_jobs()
    Brand.objects.create(uid=999999, name="Gone", slug="gone")
    first = (Department.objects.count(), Category.objects.count(), Brand.objects.count())
    reference_sync_start(user=admin_user)
    drain_jobs()
    assert (Department.objects.count(), Category.objects.count(), Brand.objects.count()) == (
        first[0],
        first[1],
        first[2] - 1,
    )
    assert not Brand.objects.filter(uid=999999).exists()


def test_attributes_are_fetched_per_category(
    konnect_sandbox: None, drain_jobs: Any, admin_user: Any
) -> None:
    reference_sync_start(user=admin_user)
    drain_jobs()
    shirts = Category.objects.get(name="T-Shirts")
    count = category_attributes_sync(category=shirts)
    assert count == AttributeDefinition.objects.filter(category=shirts).count() > 10
    gender = shirts.attribute_definitions.get(slug="gender")
    assert gender.type == "enum" and gender.required and "Men" in gender.values
