"""Bulk upload benchmark: how fast files are checked, and what sending costs against a Konnect
that answers every call 100 ms late.

Run through `make bench` (python -m tests.benchmarks uploads), which points Django at a
throwaway SQLite database under var/bench/ first.

1. Checking speed (parse + every rule, no network): 100,000 inventory rows and 100,000 price
   rows as CSV, 20,000 product rows (10,000 products of two sizes, 37 columns) as CSV, and
   20,000 inventory rows as XLSX (openpyxl read-only; its rate is what the library allows).
   Median of three runs each. Budget: 20,000 CSV rows per second (DESIGN.md section 6).
   Also the rate at which checked rows are stored (P10).
2. End to end, with real HTTP: a WSGI server thread in this process serves the sandbox on a
   free port, with the sandbox's latency knob at 100 ms on every call. 1,000 new products
   (4,000 rows: four sizes each) and then 10,000 inventory rows for those SKUs go from file
   bytes to finished Job (store, check, commit, send, follow traces, read back), counting every
   HTTP call by kind. The same work sent one record per call (the Job's batch size set to 1)
   is measured on a subset (100 products, 300 inventory rows) and extrapolated linearly to the
   full size: it is said so in the table. Catalog traces finish 1 s after submission here
   (SANDBOX_TRACE_DELAY_SECONDS=1), for both ways of sending.
"""

from __future__ import annotations

import csv
import io
import math
import socketserver
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

CSV_BUDGET = 20_000  # rows per second
LATENCY_MS = 100
PRODUCTS = 1_000
SIZES = ("S", "M", "L", "XL")
INVENTORY_ROWS = 10_000
ONE_BY_ONE_PRODUCTS = 100
ONE_BY_ONE_ROWS = 300
LOCATIONS = ("BHW-WH-01", "BLR-ST-01", "GGN-DS-01")


# --- helpers ----------------------------------------------------------------------------------


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


def _median_rate(rows: int, work: Callable[[], Any], runs: int = 3) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    return rows / median, median


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _serve() -> tuple[str, Callable[[], None]]:
    """The whole app (so the sandbox under /sandbox/) on a free local port, in a thread."""
    from django.core.handlers.wsgi import WSGIHandler

    server = make_server(
        "127.0.0.1", 0, WSGIHandler(), server_class=_ThreadingServer, handler_class=_Quiet
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server.shutdown


class Calls:
    """Every HTTP call the client makes, by method and Konnect path."""

    def __init__(self) -> None:
        import requests

        self.counts: Counter[str] = Counter()
        original = requests.Session.send

        def counting(session: Any, request: Any, **kwargs: Any) -> Any:
            path = request.path_url.split("?")[0].split("/sandbox/", 1)[-1]
            self.counts[f"{request.method} {path}"] += 1
            return original(session, request, **kwargs)

        requests.Session.send = counting  # type: ignore[method-assign,assignment]

    def take(self) -> dict[str, int]:
        counts = dict(self.counts)
        self.counts.clear()
        return counts


def _writes(calls: dict[str, int]) -> int:
    return sum(n for k, n in calls.items() if not k.startswith("GET"))


def _reads(calls: dict[str, int]) -> int:
    return sum(n for k, n in calls.items() if k.startswith("GET") and "token" not in k)


def _run_job(job_id: int) -> None:
    """Drive one Job to its end like a worker would, honouring its waits."""
    from django.utils import timezone

    from konnect_admin.jobs.runner import job_run
    from konnect_admin.models import Job

    while True:
        job = Job.objects.get(pk=job_id)
        if job.is_terminal:
            return
        if job.next_run_at and job.next_run_at > timezone.now():
            time.sleep(max(0.0, (job.next_run_at - timezone.now()).total_seconds()))
        job_run(job_id=job_id)


def _no_broker() -> None:
    """The bench drives Jobs itself: wake-up messages go nowhere."""
    from konnect_admin.jobs import runner, services

    def enqueue(*, job: Any, countdown: float | None = None) -> None:
        return None

    services.job_enqueue = enqueue
    runner.job_enqueue = enqueue


# --- 1. checking speed -------------------------------------------------------------------------


def _synthetic_ims_context(skus: int) -> Any:
    from catalog.uploads.validation import ImsContext

    codes = {f"SKU-{i:06d}": (Decimal("999"), Decimal("799")) for i in range(skus)}
    return ImsContext(
        skus=codes,
        locations={c: c for c in LOCATIONS},
        cache={(s, loc): (5, None, None) for s in list(codes)[: skus // 2] for loc in LOCATIONS},
    )


def _inventory_file(rows: int, skus: list[str], base: int = 100) -> bytes:
    pairs = [(s, loc) for s in skus for loc in LOCATIONS][:rows]
    return _csv(
        [["SKU", "Location", "Quantity"]]
        + [[s, loc, base + n % 97] for n, (s, loc) in enumerate(pairs)]
    )


def _products_file(category: Any, products: int, sizes: tuple[str, ...], prefix: str) -> bytes:
    from catalog.uploads.templates_files import template_rows

    spec, examples = template_rows("products", category)
    rows: list[list[Any]] = [[c.label for c in spec.columns]]
    example = examples[0]
    for n in range(products):
        code = f"{prefix}-{n:05d}"
        for size in sizes:
            row = {
                **example,
                "item_code": code,
                "name": f"Bench tee {n}",
                "slug": f"{prefix.lower()}-tee-{n}",
                "sku": f"{code}-{size}",
                "size": size,
            }
            rows.append([row.get(c.key, "") for c in spec.columns])
    return _csv(rows)


def _check_rates(category: Any) -> dict[str, Any]:
    from openpyxl import Workbook

    from catalog.selectors import attribute_definitions
    from catalog.uploads.parsing import open_sheet
    from catalog.uploads.product_rows import ProductChecker, product_context
    from catalog.uploads.specs import INVENTORY, PRICES, match_headers, products_spec
    from catalog.uploads.validation import check_inventory, check_prices

    ctx = _synthetic_ims_context(40_000)
    skus = list(ctx.skus)
    inventory = _inventory_file(100_000, skus)
    prices = _csv(
        [["SKU", "Location", "MRP", "Selling price"]]
        + [[skus[n // 3], LOCATIONS[n % 3], 999 + n % 7, "799.50"] for n in range(100_000)]
    )

    def check_csv(data: bytes, spec: Any, check: Any) -> Any:
        sheet = open_sheet(data, "f.csv", max_rows=200_000)
        return check(sheet, match_headers(sheet.headers, spec), ctx)

    results: dict[str, Any] = {}
    rate, seconds = _median_rate(100_000, lambda: check_csv(inventory, INVENTORY, check_inventory))
    results["csv_inventory_rows_per_s"] = round(rate)
    results["csv_inventory_100k_seconds"] = round(seconds, 3)
    rate, seconds = _median_rate(100_000, lambda: check_csv(prices, PRICES, check_prices))
    results["csv_prices_rows_per_s"] = round(rate)
    results["csv_prices_100k_seconds"] = round(seconds, 3)

    products = _products_file(category, 10_000, ("M", "L"), "SPEED")
    spec = products_spec(attribute_definitions(category=category), category_name=category.name)
    product_ctx = product_context(category=category)

    def check_products() -> Any:
        sheet = open_sheet(products, "p.csv", max_rows=200_000)
        return ProductChecker(spec, match_headers(sheet.headers, spec), product_ctx).check(sheet)

    rate, seconds = _median_rate(20_000, check_products)
    results["csv_products_rows_per_s"] = round(rate)
    results["csv_products_columns"] = len(spec.columns)
    checked = check_products()
    assert checked.counts()["invalid"] == 0, checked.rows[0].errors

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append(["SKU", "Location", "Quantity"])
    for n in range(20_000):
        sheet.append([skus[n // 3], LOCATIONS[n % 3], 100 + n % 97])
    out = io.BytesIO()
    book.save(out)
    xlsx = out.getvalue()

    def check_xlsx() -> Any:
        opened = open_sheet(xlsx, "f.xlsx", max_rows=200_000)
        return check_inventory(opened, match_headers(opened.headers, INVENTORY), ctx)

    rate, _ = _median_rate(20_000, check_xlsx)
    results["xlsx_inventory_rows_per_s"] = round(rate)
    results["csv_budget_rows_per_s"] = CSV_BUDGET
    results["csv_budget_met"] = (
        min(
            results["csv_inventory_rows_per_s"],
            results["csv_prices_rows_per_s"],
            results["csv_products_rows_per_s"],
        )
        >= CSV_BUDGET
    )
    return results


def _store_rate() -> dict[str, Any]:
    """Checked rows written to the database (bulk inserts of 2,000), rows per second."""
    from django.db import transaction

    from catalog.models import Upload
    from catalog.uploads.checking import _store
    from catalog.uploads.parsing import open_sheet
    from catalog.uploads.specs import INVENTORY, match_headers
    from catalog.uploads.validation import check_inventory

    ctx = _synthetic_ims_context(40_000)
    data = _inventory_file(100_000, list(ctx.skus))
    sheet = open_sheet(data, "f.csv", max_rows=200_000)
    result = check_inventory(sheet, match_headers(sheet.headers, INVENTORY), ctx)
    upload = Upload.objects.create(
        kind="inventory", filename="store.csv", file_format="csv", content=b""
    )
    started = time.perf_counter()
    with transaction.atomic():
        _store(upload, result)
    seconds = time.perf_counter() - started
    upload.delete()
    return {"store_rows_per_s": round(100_000 / seconds)}


def _upload_request(user: Any) -> dict[str, Any]:
    """The upload request itself (store the bytes, enqueue the check): P7 wants <= 500 ms for a
    10 MB file. Through Django's test client, with every middleware."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    ctx = _synthetic_ims_context(40_000)
    data = _inventory_file(100_000, list(ctx.skus))
    while len(data) < 10 * 1024 * 1024:
        data += data[data.index(b"\n") + 1 :]
    data = data[: 10 * 1024 * 1024]
    data = data[: data.rindex(b"\n") + 1]
    client = Client()
    client.force_login(user)
    times = []
    for _ in range(3):
        upload = SimpleUploadedFile("big.csv", data, "text/csv")
        started = time.perf_counter()
        response = client.post("/catalog/uploads/new/", {"kind": "inventory", "file": upload})
        times.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    ms = round(1000 * statistics.median(times))
    return {"upload_request_mb": round(len(data) / 1048576, 1), "upload_request_ms": ms}


# --- 2. end to end ------------------------------------------------------------------------------


def _end_to_end(
    kind: str,
    name: str,
    data: bytes,
    user: Any,
    category: Any = None,
    batch_size: int | None = None,
) -> dict[str, Any]:
    from catalog.models import Upload
    from catalog.uploads.checking import upload_commit, upload_receive

    started = time.perf_counter()
    upload = upload_receive(kind=kind, filename=name, data=data, user=user, category=category)
    assert upload.check_job is not None
    _run_job(upload.check_job.pk)
    upload = Upload.objects.get(pk=upload.pk)
    checked = time.perf_counter()
    assert upload.status == Upload.Status.CHECKED and upload.invalid_rows == 0, (
        upload.error,
        list(upload.rows.exclude(errors=[]).values_list("errors", flat=True)[:3]),
    )
    job = upload_commit(upload=upload, user=user, batch_size=batch_size)
    _run_job(job.pk)
    job.refresh_from_db()
    finished = time.perf_counter()
    return {
        "rows": upload.total_rows,
        "records": job.total,
        "status": job.status,
        "check_seconds": round(checked - started, 2),
        "send_seconds": round(finished - checked, 2),
        "total_seconds": round(finished - started, 2),
        "failed": job.failed,
        "batches": job.items.values("batch").distinct().count(),
    }


def _scenario(
    calls: Calls, label: str, full: int, measured: int, work: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    calls.take()
    result = work()
    result["calls"] = calls.take()
    result["writes"] = _writes(result["calls"])
    result["reads"] = _reads(result["calls"])
    factor = full / measured
    result["label"] = label
    result["measured_records"] = measured
    result["extrapolated"] = factor != 1
    result["full_total_seconds"] = round(result["total_seconds"] * factor, 1)
    result["full_writes"] = math.ceil(result["writes"] * factor)
    result["full_reads"] = math.ceil(result["reads"] * factor)
    return result


def _setup(base_url: str) -> tuple[Any, Any]:
    from django.conf import settings

    from catalog.models import Category
    from catalog.product_cache import product_sync_run
    from catalog.sync import SYNCERS, category_attributes_sync
    from konnect_admin.access import ADMIN, roles_sync
    from konnect_admin.demo import locations_seed
    from konnect_admin.jobs.services import job_create
    from konnect_admin.konnect import get_client
    from konnect_admin.sandbox.seed import seed
    from konnect_admin.services import user_save

    settings.KONNECT_BASE_URL = base_url + "sandbox/"
    settings.SANDBOX_TRACE_DELAY_SECONDS = 1.0
    seed()
    roles_sync()
    locations_seed()
    user = user_save(
        actor=None, user=None, username="bench-admin", role=ADMIN, locations=[],
        password="bench-password-123",
    )  # fmt: skip
    client = get_client()
    for syncer in SYNCERS.values():
        syncer(client)
    category = Category.objects.get(name="T-Shirts")
    category_attributes_sync(category=category, client=client)
    job = job_create(kind="product_sync", title="bench", created_by=None, start=False)
    while product_sync_run(job).outcome != "done":
        pass
    return user, category


def _table(result: dict[str, Any]) -> None:
    check = result["check"]
    print("\nChecking speed (parse + every rule, no network)")
    print(f"  {'file':<36}{'rows/s':>12}")
    for key, label in (
        ("csv_inventory_rows_per_s", "CSV inventory, 100,000 rows"),
        ("csv_prices_rows_per_s", "CSV prices, 100,000 rows"),
        (
            "csv_products_rows_per_s",
            f"CSV products, 20,000 rows x {check['csv_products_columns']} cols",
        ),
        ("xlsx_inventory_rows_per_s", "XLSX inventory, 20,000 rows"),
    ):
        print(f"  {label:<36}{check[key]:>12,}")
    print(
        f"  budget {CSV_BUDGET:,} CSV rows/s: {'met' if check['csv_budget_met'] else 'MISSED'};"
        f" checked rows stored at {result['store']['store_rows_per_s']:,} rows/s"
    )
    store = result["store"]
    print(
        f"  upload request for a {store['upload_request_mb']} MB CSV (store + queue the check):"
        f" {store['upload_request_ms']} ms (P7: at most 500 ms)"
    )
    print(
        f"\nEnd to end over HTTP, {LATENCY_MS} ms injected latency per call (file to finished Job)"
    )
    print(f"  {'work':<34}{'sent':<17}{'seconds':>9}{'writes':>8}{'reads':>7}")
    e2e = result["end_to_end"]
    for key, work, way in (
        (
            "products_batched",
            f"{PRODUCTS:,} products ({PRODUCTS * len(SIZES):,} rows)",
            "batches of 100",
        ),
        (
            "products_one_by_one",
            f"{PRODUCTS:,} products ({PRODUCTS * len(SIZES):,} rows)",
            "one per call *",
        ),
        ("inventory_batched", f"{INVENTORY_ROWS:,} inventory rows", "batches of 500"),
        ("inventory_one_by_one", f"{INVENTORY_ROWS:,} inventory rows", "one per call *"),
    ):
        row = e2e[key]
        reads = f"{row['full_reads']:,}" if not row["extrapolated"] else "-"
        seconds, writes = row["full_total_seconds"], row["full_writes"]
        print(f"  {work:<34}{way:<17}{seconds:>9,.1f}{writes:>8,}{reads:>7}")
    print(
        f"  * measured on {ONE_BY_ONE_PRODUCTS} products and {ONE_BY_ONE_ROWS} rows, extrapolated"
        " linearly (reads are not: see the JSON for the measured counts)"
    )
    ratios = result["ratios"]
    print(
        f"  one record per call takes {ratios['products']:,.1f}x as long for products and"
        f" {ratios['inventory']:,.1f}x for inventory"
    )


def run() -> dict[str, Any]:
    from catalog.models import Upload
    from konnect_admin.sandbox.models import Effect, FaultSettings

    _no_broker()
    base_url, stop = _serve()
    try:
        user, category = _setup(base_url)
        result: dict[str, Any] = {
            "check": _check_rates(category),
            "store": {**_store_rate(), **_upload_request(user)},
        }
        FaultSettings.objects.update_or_create(pk=1, defaults={"latency_ms": LATENCY_MS})
        calls = Calls()
        e2e: dict[str, Any] = {}
        products = _products_file(category, PRODUCTS, SIZES, "BENCH")
        e2e["products_batched"] = _scenario(
            calls, f"{PRODUCTS:,} products, batches of 100", PRODUCTS, PRODUCTS,
            lambda: _end_to_end("products", "products.csv", products, user, category),
        )  # fmt: skip
        few = _products_file(category, ONE_BY_ONE_PRODUCTS, SIZES, "SINGLE")
        e2e["products_one_by_one"] = _scenario(
            calls, f"{PRODUCTS:,} products, one per call", PRODUCTS, ONE_BY_ONE_PRODUCTS,
            lambda: _end_to_end("products", "few.csv", few, user, category, batch_size=1),
        )  # fmt: skip
        skus = [f"BENCH-{n:05d}-{s}" for n in range(PRODUCTS) for s in SIZES]
        Effect.objects.filter(operation="inventory").delete()
        inventory = _inventory_file(INVENTORY_ROWS, skus, base=500)
        e2e["inventory_batched"] = _scenario(
            calls, f"{INVENTORY_ROWS:,} inventory rows, batches of 500", INVENTORY_ROWS,
            INVENTORY_ROWS,
            lambda: _end_to_end("inventory", "stock.csv", inventory, user),
        )  # fmt: skip
        ledger = Effect.objects.filter(operation="inventory")
        e2e["inventory_batched"]["ledger"] = {
            "effects": ledger.count(),
            "requests": ledger.values("request_id").distinct().count(),
        }
        subset = _inventory_file(ONE_BY_ONE_ROWS, skus, base=9000)
        e2e["inventory_one_by_one"] = _scenario(
            calls, f"{INVENTORY_ROWS:,} inventory rows, one per call", INVENTORY_ROWS,
            ONE_BY_ONE_ROWS,
            lambda: _end_to_end("inventory", "one.csv", subset, user, batch_size=1),
        )  # fmt: skip
        FaultSettings.objects.update_or_create(pk=1, defaults={"latency_ms": 0})
        result["end_to_end"] = e2e
        result["ratios"] = {
            "products": round(
                e2e["products_one_by_one"]["full_total_seconds"]
                / e2e["products_batched"]["full_total_seconds"],
                1,
            ),
            "inventory": round(
                e2e["inventory_one_by_one"]["full_total_seconds"]
                / e2e["inventory_batched"]["full_total_seconds"],
                1,
            ),
        }
        result["method"] = (
            "real HTTP to the sandbox served by a WSGI thread in the benchmark process;"
            f" sandbox latency knob {LATENCY_MS} ms; catalog traces finish after 1 s;"
            f" one-per-call measured on {ONE_BY_ONE_PRODUCTS} products and {ONE_BY_ONE_ROWS}"
            " inventory rows and extrapolated linearly"
        )
        result["uploads"] = Upload.objects.count()
        result["ok"] = bool(
            result["check"]["csv_budget_met"]
            and result["store"]["upload_request_ms"] <= 500
            and e2e["inventory_batched"]["full_writes"] == math.ceil(INVENTORY_ROWS / 500)
            and e2e["products_batched"]["full_writes"] == math.ceil(PRODUCTS / 100)
            and e2e["inventory_batched"]["failed"] == 0
            and e2e["products_batched"]["failed"] == 0
        )
        _table(result)
        return result
    finally:
        stop()
