"""Catalog benchmark: list calls of the reference sync, and the browse pages' query counts/times.

Run through `make bench` (python -m tests.benchmarks), which points Django at a throwaway
database first. The sync runs against the sandbox in-process, counting every list call as it
leaves the client; the pages are rendered through Django's test client as a merchandiser.
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

PAGES = [
    "/catalog/data/",
    "/catalog/data/departments/",
    "/catalog/data/categories/",
    "/catalog/data/categories/?q=shirt",
    "/catalog/data/brands/",
    "/catalog/data/hs-codes/?q=61",
    "/catalog/data/tax-rules/",
    "/catalog/data/templates/",
    "/catalog/products/",
    "/catalog/products/?q=tee",
    "/catalog/products/new/",
]
PATHS = {
    "departments": "v3/catalog/departments",
    "categories": "v3/catalog/category",
    "brands": "v3/catalog/company-brand",
    "templates": "v3/catalog/product/template",
    "hs_codes": "v3/catalog/taxes/hscodes",
    "tax_rules": "v3/catalog/taxes/rules",
}


def _sync_with_call_count() -> tuple[dict[str, int], float]:
    from django.conf import settings

    from catalog.sync import SYNCERS
    from konnect_admin.konnect import base
    from konnect_admin.sandbox import inprocess
    from konnect_admin.sandbox.inprocess import SANDBOX_BASE_URL, sandbox_session

    calls: dict[str, int] = {}
    original = inprocess.SandboxAdapter.send

    def counting_send(self: Any, request: Any, **kwargs: Any) -> Any:
        path = request.path_url.split("?")[0].removeprefix("/sandbox/")
        calls[path] = calls.get(path, 0) + 1
        return original(self, request, **kwargs)

    settings.KONNECT_BASE_URL = SANDBOX_BASE_URL
    base.build_session = lambda: sandbox_session(SANDBOX_BASE_URL)
    inprocess.SandboxAdapter.send = counting_send  # type: ignore[method-assign,assignment]
    try:
        from konnect_admin.konnect import get_client

        client = get_client()
        started = time.perf_counter()
        for syncer in SYNCERS.values():
            syncer(client)
        elapsed = time.perf_counter() - started
    finally:
        inprocess.SandboxAdapter.send = original  # type: ignore[method-assign]
    return calls, elapsed


def _seed_products(n: int) -> None:
    from decimal import Decimal

    from catalog.models import Category, Product, ProductSize

    shirts = Category.objects.get(name="T-Shirts")
    Product.objects.bulk_create(
        [
            Product(
                item_code=f"BENCH-{i:06d}",
                name=f"Bench tee {i}",
                slug=f"bench-tee-{i}",
                brand="Indigo Ghat",
                category_name="T-Shirts",
                category=shirts,
                template="topwear",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    ids = Product.objects.filter(item_code__startswith="BENCH-").values_list("pk", "item_code")
    ProductSize.objects.bulk_create(
        [
            ProductSize(
                product_id=pk,
                sku=f"{code}-{s}",
                size=s,
                price=Decimal("999"),
                price_effective=Decimal("799"),
            )
            for pk, code in ids
            for s in ("M", "L")
        ],
        batch_size=4000,
    )


def _measure_pages(client: Any) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = []
    for url in PAGES:
        client.get(url)
        times = []
        for _ in range(7):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        rows.append(
            {
                "url": url,
                "queries": len(queries),
                "median_ms": round(statistics.median(times) * 1000, 1),
            }
        )
    return rows


def run() -> dict[str, Any]:
    from django.test import Client

    from catalog.models import Brand, Category, Department, HsCode, Product, TaxRule, Template
    from catalog.sync import category_attributes_sync
    from konnect_admin.access import MERCHANDISER
    from konnect_admin.sandbox.seed import is_seeded, seed
    from konnect_admin.services import user_save

    if not is_seeded():
        seed()
    calls, sync_seconds = _sync_with_call_count()
    models = {
        "departments": Department,
        "categories": Category,
        "brands": Brand,
        "templates": Template,
        "hs_codes": HsCode,
        "tax_rules": TaxRule,
    }
    sync_rows = []
    for entity, model in models.items():
        n = model.objects.count()
        sync_rows.append(
            {
                "entity": entity,
                "records": n,
                "list_calls": calls.get(PATHS[entity], 0),
                "expected": math.ceil(n / 200),
            }
        )
    category_attributes_sync(category=Category.objects.get(name="T-Shirts"))

    user = user_save(
        actor=None,
        user=None,
        username="bench-merch",
        role=MERCHANDISER,
        locations=[],
        password="bench-password-123",
    )
    client = Client()
    client.force_login(user)
    if Product.objects.count() < 10_000:
        _seed_products(10_000)
    pages = _measure_pages(client)

    print("\nReference sync (sandbox, in-process)")
    print(f"{'entity':<12} {'records':>8} {'list calls':>11} {'ceil(n/200)':>12}")
    for row in sync_rows:
        print(
            f"{row['entity']:<12} {row['records']:>8} {row['list_calls']:>11} {row['expected']:>12}"
        )
    print(f"whole sync: {sync_seconds:.2f} s")
    print(
        f"\nCatalog pages with {Product.objects.count():,} products cached (budget: <= 10 queries)"
    )
    print(f"{'page':<40} {'queries':>8} {'median ms':>10}")
    for row in pages:
        print(f"{row['url']:<40} {row['queries']:>8} {row['median_ms']:>10}")
    return {
        "sync": sync_rows,
        "sync_seconds": round(sync_seconds, 3),
        "sync_calls_match": all(r["list_calls"] == r["expected"] for r in sync_rows),
        "pages": pages,
        "pages_within_budget": all(r["queries"] <= 10 for r in pages),
    }
