"""Browse pages: fast (bounded queries), searchable, the tree expands level by level."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Category, SyncState
from konnect_admin.models import Job

pytestmark = pytest.mark.django_db

PAGES = [
    "/catalog/data/",
    "/catalog/data/departments/",
    "/catalog/data/categories/",
    "/catalog/data/categories/?q=shirt",
    "/catalog/data/brands/",
    "/catalog/data/hs-codes/?q=61",
    "/catalog/data/tax-rules/?status=ACTIVE",
    "/catalog/data/templates/",
    "/catalog/products/",
    "/catalog/products/?q=tee",
    "/catalog/products/new/",
]


@pytest.mark.parametrize("url", PAGES)
def test_browse_pages_run_in_at_most_ten_queries(
    catalog_synced: Category, merch_client: Client, url: str
) -> None:
    merch_client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = merch_client.get(url)
    assert response.status_code == 200
    assert len(queries) <= 10, [q["sql"][:120] for q in queries]


def test_htmx_search_returns_only_the_results(
    catalog_synced: Category, merch_client: Client
) -> None:
    response = merch_client.get(
        "/catalog/data/hs-codes/", {"q": "shirt"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="browse-results"' in page
    assert "61091000" not in page or "shirt" in page.lower()
    assert "HX-Request" in response["Vary"]


def test_category_tree_expands_one_level_at_a_time(
    catalog_synced: Category, merch_client: Client
) -> None:
    page = merch_client.get("/catalog/data/categories/").content.decode()
    clothing = Category.objects.get(level=1, name="Clothing")
    assert "Clothing" in page
    assert "T-Shirts" not in page  # L3 nodes load only when their parent opens
    level2 = merch_client.get(f"/catalog/data/categories/{clothing.pk}/children/").content.decode()
    assert "Topwear" in level2
    topwear = Category.objects.get(level=2, name="Topwear")
    level3 = merch_client.get(f"/catalog/data/categories/{topwear.pk}/children/").content.decode()
    assert "T-Shirts" in level3


def test_pages_say_when_data_was_synced_and_warn_when_stale(
    catalog_synced: Category, merch_client: Client
) -> None:
    page = merch_client.get("/catalog/data/brands/").content.decode()
    assert "Last synced" in page
    assert "may be out of date" not in page
    SyncState.objects.filter(entity="brands").update(
        last_synced_at=timezone.now() - timedelta(days=3)
    )
    assert "may be out of date" in merch_client.get("/catalog/data/brands/").content.decode()


def test_sync_now_starts_a_job_and_shows_its_progress(
    catalog_synced: Category, merch_client: Client
) -> None:
    response = merch_client.post(
        "/catalog/data/sync/", {"entity": "brands"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 202
    assert b"<progress" in response.content
    job = Job.objects.filter(kind="reference_sync").latest("pk")
    assert job.params == {"entities": ["brands"]}


def test_product_list_shows_konnect_listing_count_beside_the_local_count(
    catalog_synced: Category, merch_client: Client, drain_jobs: Any
) -> None:
    merch_client.post("/catalog/products/refresh/")
    drain_jobs()
    state = SyncState.objects.get(entity="products")
    page = merch_client.get("/catalog/products/").content.decode()
    assert state.remote_count and state.remote_count > 100
    assert "In step with Konnect" in page
    SyncState.objects.filter(entity="products").update(remote_count=state.remote_count + 5)
    assert "The counts differ" in merch_client.get("/catalog/products/").content.decode()
