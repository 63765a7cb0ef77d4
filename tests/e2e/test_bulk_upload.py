"""The bulk upload loop in real Chromium against the sandbox over real HTTP: upload a file with
errors, read them in the preview, send the valid rows, watch the progress, download the result
file and the failed rows. Then the product page's stock editor and "Revert this job".

Jobs run on a worker thread started after each commit (the way a Celery worker picks them up),
so the page really polls a running job; the sandbox answers every call 300 ms late.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from catalog.models import ProductSize
from konnect_admin.models import Job
from konnect_admin.sandbox.models import FaultSettings, Stock
from konnect_admin.sandbox.seed import is_seeded, seed

pytestmark = pytest.mark.django_db(transaction=True)

Shot = Callable[[Any, str], Path]
LOCATIONS = ("BHW-WH-01", "BLR-ST-01", "GGN-DS-01")


def _wait_for_jobs(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while Job.objects.exclude(status__in=Job.TERMINAL).exists():
        assert time.monotonic() < deadline, "jobs did not finish"
        time.sleep(0.2)


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Wake-ups go to a thread that runs the Job (after its countdown), like a Celery worker."""
    from django.db import connection, transaction

    from konnect_admin.jobs import runner, services

    threads: list[threading.Thread] = []

    def enqueue(*, job: Job, countdown: float | None = None) -> None:
        job_id = job.pk

        def work() -> None:
            try:
                if countdown:
                    time.sleep(min(countdown, 2.0))
                runner.job_run(job_id=job_id)
            finally:
                connection.close()

        def start() -> None:
            thread = threading.Thread(target=work, daemon=True)
            threads.append(thread)
            thread.start()

        transaction.on_commit(start)

    monkeypatch.setattr(services, "job_enqueue", enqueue)
    monkeypatch.setattr(runner, "job_enqueue", enqueue)
    yield
    for thread in threads:
        thread.join(timeout=30)


@pytest.fixture
def catalog_cached(
    page: Any, settings: Any, worker: None, make_user: Callable[..., Any]
) -> list[str]:
    """Sandbox seeded, our locations, the product cache read over HTTP; returns the SKUs."""
    from catalog.services import product_sync_start
    from konnect_admin.demo import locations_seed

    if not is_seeded():
        seed()
    locations_seed()
    make_user("asha", "Admin")
    make_user("meera", "Merchandiser")
    product_sync_start(user=None, source="test")
    _wait_for_jobs()
    FaultSettings.objects.update_or_create(pk=1, defaults={"latency_ms": 300})
    return sorted(ProductSize.objects.values_list("sku", flat=True))


def _file(skus: list[str]) -> tuple[bytes, int, int]:
    """Stock for 327 SKUs at three locations, plus five rows a merchandiser gets wrong."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["SKU", "Location", "Quantity"])
    pairs = [(sku, loc) for sku in skus[3:] for loc in LOCATIONS]
    for n, (sku, loc) in enumerate(pairs):
        writer.writerow([sku, loc, 200 + n % 50])
    bad = [
        ["NO-SUCH-SKU", "BHW-WH-01", "4"],
        [skus[0], "PUNE-01", "4"],
        [skus[1], "BHW-WH-01", "-3"],
        [skus[2], "BLR-ST-01", "twelve"],
        ['=HYPERLINK("http://evil.example")', "BHW-WH-01", "1"],
    ]
    writer.writerows(bad)
    return out.getvalue().encode(), len(pairs), len(bad)


def _download(page: Any, name: str) -> list[list[str]]:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    path = info.value.path()
    return list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))


def test_upload_with_errors_preview_send_valid_rows_and_download_results(
    catalog_cached: list[str], login: Callable[..., Any], screenshot: Shot
) -> None:
    content, good, bad = _file(catalog_cached)
    page = login("asha")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("nav.mainnav").get_by_role("link", name="Bulk upload").click()
    expect(page.get_by_role("heading", name="Bulk upload", exact=True)).to_be_visible()
    page.get_by_role("radio", name="Inventory").check()
    page.get_by_label("CSV or Excel file").set_input_files(
        {"name": "stock-monday.csv", "mimeType": "text/csv", "buffer": content}
    )
    screenshot(page, "upload-list")
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", name="Preview: nothing has been sent yet")).to_be_visible(
        timeout=30_000
    )
    counts = page.locator(".counts-row")
    expect(counts).to_contain_text(f"{good + bad}")
    expect(counts).to_contain_text(f"{good}")
    expect(page.locator(".counts-svg")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"Only rows with errors")).click()
    rows = page.locator("#upload-rows tbody tr")
    expect(rows).to_have_count(bad)
    expect(page.locator("#upload-rows")).to_contain_text("is not in the catalog")
    expect(page.locator("#upload-rows")).to_contain_text("“PUNE-01” is not one of our locations")
    expect(page.locator("#upload-rows")).to_contain_text("stock cannot be negative")
    expect(page.locator("#upload-rows")).to_contain_text("“twelve” is not a number")
    expect(page.locator("#upload-rows")).to_contain_text("would treat it as a formula")
    screenshot(page, "upload-preview-errors")

    page.get_by_role("button", name=f"Send the {good} valid rows to Konnect").click()
    sending = page.locator("#sending-title + .job-progress")
    expect(sending).to_be_visible()
    expect(sending.locator("progress")).to_be_visible()
    screenshot(page, "upload-sending")
    expect(page.locator(".outcome-line")).to_contain_text(f"{good} done", timeout=60_000)
    screenshot(page, "upload-sent")
    _wait_for_jobs()

    result = _download(page, "Download the file with results")
    assert result[0] == ["SKU", "Location", "Quantity", "Upload status", "Upload message"]
    assert [r[3] for r in result[1:]].count("Done") == good
    assert [r[3] for r in result[1:]].count("Not sent") == bad
    assert result[-1][0].startswith("'=HYPERLINK")  # neutralised in the file handed out
    failed = _download(page, "Download failed rows only")
    assert len(failed) == bad + 1 and {r[3] for r in failed[1:]} == {"Not sent"}
    assert Stock.objects.get(size__sku=catalog_cached[3], location_code="BHW-WH-01").quantity == 200
    assert page.console_errors == []


def test_product_page_stock_edit_and_revert(
    catalog_cached: list[str], login: Callable[..., Any], screenshot: Shot
) -> None:
    size = ProductSize.objects.select_related("product").get(sku=catalog_cached[5])
    page = login("meera")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/catalog/products/{size.product.pk}/")
    section = page.locator("#stock-section")
    expect(section.get_by_role("heading", name="Prices and stock by location")).to_be_visible()
    section.get_by_role("button", name="Read from Konnect").click()
    expect(section.locator(".small.muted").first).to_contain_text(
        "Read from Konnect", timeout=30_000
    )
    stock = section.get_by_label(f"Stock of {size.sku} at BLR-ST-01")
    expect(stock).not_to_have_value("")
    before = Stock.objects.get(size__sku=size.sku, location_code="BLR-ST-01").quantity
    stock.fill("-4")
    section.get_by_role("button", name="Save changes").click()
    expect(section).to_contain_text("stock cannot be negative")
    screenshot(page, "product-stock-error")
    section.get_by_label(f"Stock of {size.sku} at BLR-ST-01").fill("321")
    section.get_by_label(f"MRP of {size.sku} at BLR-ST-01").fill("2999")
    section.get_by_label(f"Selling price of {size.sku} at BLR-ST-01").fill("2499")
    section.get_by_role("button", name="Save changes").click()
    # The save starts two Jobs (stock, prices); wait for them, not the earlier read's "Completed".
    for change in ("Stock of", "Prices of"):
        expect(section.locator(".stock-jobs li", has_text=change)).to_contain_text(
            "Completed", timeout=30_000
        )
    expect(section.get_by_label(f"Stock of {size.sku} at BLR-ST-01")).to_have_value("321")
    screenshot(page, "product-stock-saved")
    _wait_for_jobs()
    assert Stock.objects.get(size__sku=size.sku, location_code="BLR-ST-01").quantity == 321

    section.locator(".stock-jobs a", has_text="Stock of").click()
    page.get_by_role("link", name="Revert this job").click()
    expect(page.get_by_role("heading", name=re.compile("Revert job"))).to_be_visible()
    screenshot(page, "stock-revert-confirm")
    page.get_by_role("button", name=re.compile("Put back 1 value")).click()
    expect(page.locator(".job-progress .pill").first).to_have_text("Completed", timeout=30_000)
    screenshot(page, "stock-reverted")
    _wait_for_jobs()
    assert Stock.objects.get(size__sku=size.sku, location_code="BLR-ST-01").quantity == before
    assert page.console_errors == []
