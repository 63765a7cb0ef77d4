"""Home per role, keyboard shortcuts, and the warehouse pages at tablet width, in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from catalog.sync import SYNCERS
from konnect_admin.demo import locations_seed
from konnect_admin.jobs.runner import job_run
from konnect_admin.konnect import get_client
from konnect_admin.sandbox.seed import is_seeded, seed
from orders.models import Shipment
from orders.sync import shipment_sync_start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(page: Any) -> None:  # `page` first: it points the client at the live server's sandbox
    if not is_seeded():
        seed()
    locations_seed()
    client = get_client()
    for syncer in SYNCERS.values():
        syncer(client)
    job = shipment_sync_start(user=None, source="system")
    for _ in range(50):
        job.refresh_from_db()
        if job.is_terminal:
            break
        job.next_run_at = None
        job.status = job.Status.PENDING
        job.save(update_fields=["next_run_at", "status"])
        job_run(job_id=job.pk)
    assert Shipment.objects.exists()


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width


@pytest.mark.parametrize("role", ["Admin", "Merchandiser", "Warehouse"])
def test_home_per_role(
    role: str,
    data: None,
    make_user: Callable[..., Any],
    login: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    make_user("staff", role, locations=("BHW-WH-01",) if role == "Warehouse" else ())
    page = login("staff")
    sees_shipments = role in ("Admin", "Warehouse")
    sees_catalog = role in ("Admin", "Merchandiser")
    expect(page.get_by_text("SLA breached")).to_have_count(1 if sees_shipments else 0)
    expect(page.get_by_text("Catalog data out of date")).to_have_count(1 if sees_catalog else 0)
    expect(page.get_by_text("Jobs running")).to_be_visible()
    if sees_shipments:
        chart = page.locator("img.chart").first
        expect(chart).to_be_visible()
        assert (
            page.evaluate("img => img.naturalWidth", chart.element_handle()) > 0
        )  # the SVG loaded
        page.get_by_role("link", name="To confirm").first.click()
        assert "lane=CREATED" in page.url
        page.go_back()
    screenshot(page, f"home-{role.lower()}")
    page.set_viewport_size({"width": 800, "height": 1100})
    _no_horizontal_scroll(page)
    screenshot(page, f"home-{role.lower()}-tablet")
    assert page.console_errors == []


def test_keyboard_shortcuts(
    data: None,
    make_user: Callable[..., Any],
    login: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    make_user("asha", "Admin")
    page = login("asha")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    screenshot(page, "shortcuts-dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("g")
    page.keyboard.press("p")
    page.wait_for_url("**/catalog/products/")
    page.keyboard.press("/")
    search = page.get_by_placeholder("Name, item code, slug or exact SKU")
    expect(search).to_be_focused()
    page.keyboard.type("tee")
    page.keyboard.press("Escape")  # clears the search first
    expect(search).to_have_value("")
    page.keyboard.press("Escape")  # then leaves the field
    page.keyboard.press("n")
    page.wait_for_url("**/catalog/products/new/")
    page.keyboard.press("g")
    page.keyboard.press("s")
    page.wait_for_url("**/orders/")


def test_warehouse_pages_work_at_tablet_width(
    data: None,
    make_user: Callable[..., Any],
    login: Callable[..., Any],
    screenshot: Callable[..., Any],
    page: Any,
) -> None:
    make_user("wasim", "Warehouse", locations=("BHW-WH-01",))
    page.set_viewport_size({"width": 800, "height": 1100})
    login("wasim")
    page.goto("/orders/")
    _no_horizontal_scroll(page)
    screenshot(page, "tablet-queue")
    shipment = Shipment.objects.filter(location_code="BHW-WH-01", lane="CREATED").first()
    assert shipment is not None
    page.goto(f"/orders/shipments/{shipment.shipment_id}/")
    _no_horizontal_scroll(page)
    screenshot(page, "tablet-detail")
    page.goto("/orders/scan/")
    _no_horizontal_scroll(page)
    screenshot(page, "tablet-scan")
    assert page.console_errors == []
