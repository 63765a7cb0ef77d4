"""Shipment queue benchmark: the queue page at 1,000 and at 100,000 cached shipments.

Run through `make bench` (python -m tests.benchmarks shipments), which points Django at a
throwaway database first. The same database grows from 1,000 to 100,000 shipments (with their
bags); at each size the queue's first page and a deep keyset page are fetched through Django's
test client as a warehouse user (one location) and as an admin (every location), counting SQL
queries and timing the median of repeated requests. Beside them, in the same run and on the
same table, Django admin's changelist with a plain ModelAdmin (registered on a throwaway
AdminSite in this process only) is timed on its first and a deep page.

Budgets (DESIGN.md section 6, issue 6): at most 10 queries per queue page, and the time at
100,000 at most 1.2x the time at 1,000.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import types
from datetime import timedelta
from decimal import Decimal
from typing import Any

REPEAT = 25
WARMUP = 3
QUERY_BUDGET = 10
RATIO_BUDGET = 1.2
SIZES = (1_000, 100_000)
BATCH = 5_000
# Shares of the seed (docs/sandbox.md): bucket -> (Fynd state, weight)
BUCKETS = (
    ("CREATED", "placed", 16),
    ("CONFIRMED", "bag_confirmed", 11),
    ("PROCESSING", "dp_assigned", 12),
    ("COMPLETED", "bag_packed", 8),
    ("TRANSIT", "bag_picked", 9),
    ("DELIVERED", "delivery_done", 26),
    ("CANCELLED", "cancelled_customer", 12),
    ("RETURN_DELIVERED", "rto_bag_delivered", 6),
)
LOCATIONS = (("BHW-WH-01", 5), ("BLR-ST-01", 3), ("GGN-DS-01", 2))
CHANNELS = ("FYND", "ECOMM", "MYNTRA_IN", "AMAZON_MLF", "FLIPKARTASSURED", "TATACLIQ_IN", "JIOMART")
CITIES = (("Mumbai", "400001"), ("Pune", "411001"), ("Bengaluru", "560001"), ("Delhi", "110001"))


def _add_shipments(start: int, count: int, rng: random.Random) -> None:
    from django.utils import timezone

    from orders import workflow
    from orders.models import Shipment, ShipmentItem

    now = timezone.now()
    states = [b for b in BUCKETS for _ in range(b[2])]
    places = [code for code, w in LOCATIONS for _ in range(w)]
    for offset in range(0, count, BATCH):
        rows = []
        for n in range(start + offset, start + min(count, offset + BATCH)):
            bucket, state, _ = rng.choice(states)
            ordered = now - timedelta(days=rng.uniform(0, 30), seconds=n % 997)
            city, pin = rng.choice(CITIES)
            rows.append(
                Shipment(
                    shipment_id=f"17{n:018d}",
                    forward_id=f"17{n:018d}",
                    order_id=f"FY{n:018X}",
                    location_code=rng.choice(places),
                    channel=rng.choice(CHANNELS),
                    bucket=bucket,
                    lane=workflow.lane_of(bucket),
                    state=state,
                    is_self_ship=rng.random() < 0.14,
                    order_date=ordered,
                    due_at=ordered + timedelta(hours=48),
                    sla_at=ordered + timedelta(hours=48),
                    customer_name=f"Customer {n}",
                    customer_city=city,
                    customer_pincode=pin,
                    item_count=1 + n % 3,
                    total=Decimal(499 + (n % 50) * 40),
                    awb_number=f"{700000000000 + n}" if bucket in ("TRANSIT", "DELIVERED") else "",
                    courier_name="Delhivery" if bucket in ("TRANSIT", "DELIVERED") else "",
                    raw={},
                    synced_at=now,
                )
            )
        Shipment.objects.bulk_create(rows, batch_size=1000)
        pks = dict(
            Shipment.objects.filter(shipment_id__in=[r.shipment_id for r in rows]).values_list(
                "shipment_id", "pk"
            )
        )
        items = [
            ShipmentItem(
                shipment_id=pks[r.shipment_id],
                order_item_id=f"{r.shipment_id[-12:]}{k}",
                position=k,
                sku=f"SKU-{(int(r.shipment_id) + k) % 330:04d}-M",
                name="Bench tee",
                size="M",
                quantity=1,
                mrp=Decimal(999),
                esp=Decimal(799),
                state=r.state,
            )
            for r in rows
            for k in range(r.item_count)
        ]
        ShipmentItem.objects.bulk_create(items, batch_size=2000)


def _users() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from konnect_admin.access import ADMIN, WAREHOUSE, roles_sync
    from konnect_admin.demo import locations_seed
    from konnect_admin.models import Location
    from konnect_admin.services import user_save

    roles_sync()
    locations_seed()
    warehouse = user_save(
        actor=None,
        user=None,
        username="bench-warehouse",
        role=WAREHOUSE,
        locations=list(Location.objects.filter(code="BHW-WH-01")),
        password="bench-password-123",
    )
    admin = user_save(
        actor=None,
        user=None,
        username="bench-admin",
        role=ADMIN,
        locations=[],
        password="bench-password-123",
    )
    staff = get_user_model().objects.create_superuser("bench-staff", password="bench-pass-123")
    return {"warehouse": warehouse, "admin": admin, "staff": staff}


def _admin_site() -> str:
    """A throwaway AdminSite with a plain ModelAdmin for Shipment, on its own URLconf."""
    from django.conf import settings
    from django.contrib import admin
    from django.urls import clear_url_caches, path

    import konnect_admin.urls as project_urls
    from orders.models import Shipment

    site = admin.AdminSite(name="benchadmin")

    class ShipmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
        list_display = (
            "shipment_id",
            "order_id",
            "channel",
            "state",
            "customer_name",
            "total",
            "order_date",
            "due_at",
        )
        list_filter = ("lane", "location_code", "is_self_ship")
        search_fields = ("shipment_id", "order_id")
        ordering = ("due_at", "id")
        list_per_page = 50

    site.register(Shipment, ShipmentAdmin)
    module = types.ModuleType("tests.benchmarks._bench_urls")
    module.urlpatterns = [*project_urls.urlpatterns, path("bench-admin/", site.urls)]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    return "/bench-admin/orders/shipment/"


def _deep_cursor(*, lane: str, location: str | None, depth: float) -> tuple[str, int]:
    from orders import workflow
    from orders.models import Shipment
    from orders.selectors import encode_cursor

    spec = workflow.LANE_BY_KEY[lane]
    key = "due_at" if spec.order == "due" else "order_date"
    qs = Shipment.objects.filter(lane=lane)
    if location:
        qs = qs.filter(location_code=location)
    total = qs.count()
    order = (key, "id") if spec.order == "due" else (f"-{key}", "-id")
    # deep, but with a full page after it at every size
    row = qs.order_by(*order).values(key, "id")[max(0, min(int(total * depth), total - 51))]
    return encode_cursor(row[key], row["id"]), total


def _measure(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        client.get(url)
    times = []
    queries = 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return {"queries": queries, "median_ms": round(statistics.median(times) * 1000, 2)}


def _plan(user: Any, params: dict[str, str]) -> list[str]:
    """EXPLAIN QUERY PLAN of the page's row query (the keyset seek must use an index)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.forms import QueueFilterForm
    from orders.selectors import location_choices, shipment_queue

    form = QueueFilterForm(params, locations=location_choices(user))
    with CaptureQueriesContext(connection) as captured:
        shipment_queue(user=user, filters=form.filters(), after=params.get("after", ""))
    sql = next(q["sql"] for q in captured if "ORDER BY" in q["sql"] and "LIMIT 51" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [str(row[-1]) for row in cursor.fetchall()]


def run() -> dict[str, Any]:
    from django.test import Client

    from orders.models import Shipment

    users = _users()
    admin_url = _admin_site()
    clients = {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        clients[name] = client
    rng = random.Random(26049)
    results: dict[int, dict[str, dict[str, Any]]] = {}
    plans: dict[str, list[str]] = {}
    for size in SIZES:
        have = Shipment.objects.count()
        started = time.perf_counter()
        _add_shipments(have, size - have, rng)
        build = time.perf_counter() - started
        print(f"{size:,} shipments in the cache (added in {build:.1f} s)", flush=True)
        rows: dict[str, dict[str, Any]] = {}
        for who, location in (("warehouse", "BHW-WH-01"), ("admin", None)):
            deep, lane_size = _deep_cursor(lane="DELIVERED", location=location, depth=0.9)
            pages = {
                "first page": {},
                f"deep page (90% of {lane_size:,})": {"lane": "DELIVERED", "after": deep},
            }
            for label, params in pages.items():
                query = "&".join(f"{k}={v}" for k, v in params.items())
                url = "/orders/" + (f"?{query}" if query else "")
                key = f"queue, {who}, {label.split(' (')[0]}"
                rows[key] = {"url": url, **_measure(clients[who], url)}
                if size == SIZES[-1]:
                    plans[key] = _plan(users[who], params)
        total = Shipment.objects.count()
        rows["django admin changelist, first page"] = {
            "url": admin_url,
            **_measure(clients["staff"], admin_url),
        }
        deep_page = int(total * 0.9) // 50
        rows["django admin changelist, deep page"] = {
            "url": f"{admin_url}?p={deep_page}",
            **_measure(clients["staff"], f"{admin_url}?p={deep_page}"),
        }
        results[size] = rows

    small, large = results[SIZES[0]], results[SIZES[-1]]
    table = []
    for key in large:
        ratio = large[key]["median_ms"] / max(small[key]["median_ms"], 0.001)
        table.append(
            {
                "page": key,
                "queries_1k": small[key]["queries"],
                "queries_100k": large[key]["queries"],
                "ms_1k": small[key]["median_ms"],
                "ms_100k": large[key]["median_ms"],
                "ratio": round(ratio, 2),
            }
        )
    queue_rows = [r for r in table if r["page"].startswith("queue")]
    ok = all(r["queries_100k"] <= QUERY_BUDGET and r["ratio"] <= RATIO_BUDGET for r in queue_rows)

    print(
        f"\nShipment queue vs Django admin, median of {REPEAT} requests"
        f" (budget: <= {QUERY_BUDGET} queries, <= {RATIO_BUDGET}x at 100k vs 1k)"
    )
    header = f"{'page':<44} {'queries':>9} {'1k ms':>8} {'100k ms':>9} {'100k/1k':>8}"
    print(header)
    print("-" * len(header))
    for r in table:
        queries = f"{r['queries_1k']}/{r['queries_100k']}"
        print(
            f"{r['page']:<44} {queries:>9} {r['ms_1k']:>8.2f} {r['ms_100k']:>9.2f}"
            f" {r['ratio']:>7.2f}x"
        )
    print("\nRow query plans at 100,000 (SQLite EXPLAIN QUERY PLAN):")
    for key, plan in plans.items():
        print(f"  {key}: {' | '.join(plan)}")
    print(f"\nwithin budget: {'yes' if ok else 'NO'}")
    return {
        "ok": ok,
        "sizes": list(SIZES),
        "repeat": REPEAT,
        "budget": {"queries": QUERY_BUDGET, "ratio": RATIO_BUDGET},
        "table": table,
        "plans": plans,
        "raw": {str(k): v for k, v in results.items()},
    }
