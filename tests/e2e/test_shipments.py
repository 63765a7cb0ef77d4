"""Warehouse staff's day in real Chromium: the queue, the detail page and the scan station,
against the sandbox over real HTTP (the live server's /sandbox/)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from konnect_admin.models import Job
from konnect_admin.sandbox.models import Shipment as Remote
from konnect_admin.sandbox.seed import is_seeded, seed
from orders import scan
from orders.models import Shipment

pytestmark = pytest.mark.django_db(transaction=True)

Shot = Callable[[Any, str], Any]


def _wait_for_jobs(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while Job.objects.exclude(status__in=Job.TERMINAL).exists():
        assert time.monotonic() < deadline, "jobs did not finish"
        time.sleep(0.2)


@pytest.fixture
def warehouse(
    page: Any, settings: Any, background_sweeper: None, make_user: Callable[..., Any]
) -> None:
    """The sandbox seeded, its shipments synced into the cache, two warehouse users."""
    from konnect_admin.demo import locations_seed
    from orders.sync import shipment_sync_start

    if not is_seeded():
        seed()
    settings.SANDBOX_DP_ASSIGN_SECONDS = 0  # Fynd assigns a courier as soon as it is invoiced
    settings.SANDBOX_TRACE_DELAY_SECONDS = 1
    locations_seed()
    make_user("wasim", "Warehouse", locations=("BHW-WH-01",))
    make_user("sunita", "Warehouse", locations=("BLR-ST-01",))
    job = shipment_sync_start(user=None, source="test")
    _wait_for_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message


def _done(page: Any) -> None:
    """The newest action's progress shows it finished, and the pages reloaded after it."""
    expect(page.locator(".queue-jobs .job-progress .pill").first).to_have_text(
        re.compile("Completed"), timeout=30_000
    )
    _wait_for_jobs()


def _with_bags(state: str, location: str, at_least: int, **extra: Any) -> Remote:
    return next(
        s
        for s in Remote.objects.filter(
            state=state, location_code=location, is_return=False, **extra
        ).prefetch_related("items")
        if len([i for i in s.items.all() if i.state == state]) >= at_least
    )


def test_confirm_three_in_bulk_then_cancel_one_item_of_another(
    warehouse: None, login: Callable[..., Any], screenshot: Shot
) -> None:
    page = login("wasim")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("nav.mainnav").get_by_role("link", name="Shipments").click()
    expect(page.get_by_role("heading", name="Shipments")).to_be_visible()
    expect(page.locator(".lane.is-current")).to_contain_text("To confirm")
    rows = list(
        Shipment.objects.filter(location_code="BHW-WH-01", lane="CREATED")
        .order_by("due_at", "id")
        .values_list("shipment_id", flat=True)[:3]
    )
    for sid in rows:
        page.get_by_label(f"Select shipment {sid}").check()
    screenshot(page, "shipments-queue-selected")
    page.locator(".bulk-bar").get_by_role("button", name="Confirm", exact=True).click()
    _done(page)
    for sid in rows:
        expect(page.get_by_label(f"Select shipment {sid}")).to_have_count(0)  # left the lane
        assert Remote.objects.get(shipment_id=sid).state == "bag_confirmed"
    page.locator(".lane", has_text="To invoice").click()
    for sid in rows:
        expect(page.get_by_role("link", name=sid)).to_be_visible()
    screenshot(page, "shipments-queue-confirmed")
    page.set_viewport_size({"width": 800, "height": 1000})
    screenshot(page, "shipments-queue-tablet")
    page.set_viewport_size({"width": 1280, "height": 860})

    other = _with_bags("placed", "BHW-WH-01", 2)
    bag = next(i for i in other.items.all() if i.state == "placed")
    page.goto(f"/orders/shipments/{other.shipment_id}/")
    page.get_by_text("Cancel…").click()
    page.get_by_label("Reason").select_option(label="Out of stock")
    page.locator(f'input[name="items"][value="{bag.item_id}"]').check()
    screenshot(page, "shipment-cancel-item")
    page.get_by_role("button", name="Cancel chosen items").click()
    expect(page.locator(".queue-jobs .pill").first).to_have_text("Completed", timeout=30_000)
    _wait_for_jobs()
    bag.refresh_from_db()
    assert (bag.state, bag.reason_code) == ("cancelled_seller", "6")
    assert Remote.objects.get(shipment_id=other.shipment_id).state == "placed"
    row = page.locator("#items-title + .table-wrap tr", has_text=bag.sku)
    expect(row).to_contain_text("Cancelled by us")
    expect(row).to_contain_text("Out of stock")
    expect(page.locator(".timeline")).to_contain_text(f"Cancelled items {bag.item_id}")
    screenshot(page, "shipment-item-cancelled")
    assert page.console_errors == []


def test_invoice_pack_dispatch_to_transit_and_a_forced_dispatch_is_refused(
    warehouse: None, login: Callable[..., Any], screenshot: Shot
) -> None:
    page = login("wasim")
    sid = (
        Remote.objects.filter(
            state="bag_confirmed", location_code="BHW-WH-01", is_self_ship=False, is_return=False
        )
        .values_list("shipment_id", flat=True)
        .first()
    )
    page.goto(f"/orders/shipments/{sid}/")
    actions = page.locator(".action-panel")
    expect(actions.get_by_role("button", name="Dispatch")).to_have_count(0)  # not offered
    # ... and forced with a crafted POST (the page's own CSRF token), it is refused in words
    page.evaluate(
        """(sid) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/orders/actions/";
            for (const [name, value] of [["csrfmiddlewaretoken", token], ["action", "dispatch"],
                                         ["shipment_ids", sid]]) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        sid,
    )
    expect(page.get_by_role("heading", name="That action was not sent")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Dispatch is not possible for shipment {sid}: it must be packed"
    )
    screenshot(page, "shipment-dispatch-refused")
    assert Remote.objects.get(shipment_id=sid).state == "bag_confirmed"

    page.goto(f"/orders/shipments/{sid}/")
    page.get_by_label("Invoice number").fill("INV/BHW/E2E/0001")
    page.get_by_role("button", name="Invoice", exact=True).click()
    expect(page.locator(".action-panel").get_by_role("button", name="Pack")).to_be_visible(
        timeout=30_000
    )
    expect(page.locator("#detail-main .pill-lg").first).to_have_text("Courier assigned")
    screenshot(page, "shipment-invoiced")
    page.locator(".action-panel").get_by_role("button", name="Pack").click()
    expect(page.locator(".action-panel").get_by_role("button", name="Dispatch")).to_be_visible(
        timeout=30_000
    )
    page.locator(".action-panel").get_by_role("button", name="Dispatch").click()
    expect(page.locator("#detail-main .pill-lg").first).to_have_text("In transit", timeout=30_000)
    _wait_for_jobs()
    assert Remote.objects.get(shipment_id=sid).bucket == "TRANSIT"
    expect(page.locator(".timeline")).to_contain_text("Dispatched to the courier")
    screenshot(page, "shipment-in-transit")
    page.set_viewport_size({"width": 800, "height": 1100})
    screenshot(page, "shipment-in-transit-tablet")
    # the only error the browser logged is the refused POST's own status
    assert [e for e in page.console_errors if "status of 409" not in e] == []


def test_self_ship_from_invoice_to_delivered(
    warehouse: None, login: Callable[..., Any], screenshot: Shot
) -> None:
    page = login("sunita")
    sid = (
        Remote.objects.filter(
            state="bag_confirmed", location_code="BLR-ST-01", is_self_ship=True, is_return=False
        )
        .values_list("shipment_id", flat=True)
        .first()
    )
    page.goto(f"/orders/shipments/{sid}/")
    expect(page.locator("#detail-main")).to_contain_text("Self-ship")
    page.get_by_label("Invoice number").fill("INV/BLR/E2E/0002")
    page.get_by_role("button", name="Invoice", exact=True).click()
    expect(page.get_by_label("AWB number")).to_be_visible(timeout=30_000)
    page.get_by_label("AWB number").fill("SS-E2E-98765")
    page.get_by_label("Courier", exact=True).fill("Blue Dart")
    page.get_by_label(re.compile("Dispatch now")).check()
    screenshot(page, "shipment-self-ship-awb")
    page.get_by_role("button", name="Send AWB").click()
    expect(page.locator("#detail-main .pill-lg").first).to_have_text("In transit", timeout=30_000)
    page.get_by_role("button", name="Mark delivered").click()
    expect(page.locator("#detail-main .pill-lg").first).to_have_text("Delivered", timeout=30_000)
    _wait_for_jobs()
    remote = Remote.objects.get(shipment_id=sid)
    assert (remote.state, remote.awb_number, remote.courier_name) == (
        "delivery_done",
        "SS-E2E-98765",
        "Blue Dart",
    )
    screenshot(page, "shipment-self-ship-delivered")
    assert page.console_errors == []


def test_pack_through_the_scan_station(
    warehouse: None,
    login: Callable[..., Any],
    screenshot: Shot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = login("wasim")
    shipment = _with_bags("dp_assigned", "BHW-WH-01", 2, is_self_ship=False)
    bags = [i for i in shipment.items.all() if i.state == "dp_assigned"]
    page.locator("nav.mainnav").get_by_role("link", name="Scan to pack").click()
    code = page.get_by_label("Shipment id or AWB")
    expect(code).to_be_focused()
    code.press_sequentially(shipment.shipment_id, delay=5)  # a keyboard-wedge scanner
    code.press("Enter")
    item = page.get_by_label("Scan item")
    expect(item).to_be_focused()
    item.press_sequentially("WRONG-SKU-123", delay=5)
    item.press("Enter")
    expect(page.locator("#scan-error")).to_contain_text("Wrong item: WRONG-SKU-123")
    expect(page.get_by_role("button", name="Pack shipment")).to_have_count(0)
    screenshot(page, "scan-wrong-item")
    # A scanner does not wait for the screen: every code is typed while the previous one is
    # still being checked (each check made slow here), and none of them may be lost or garbled.
    checking = scan.scan_item

    def slow_check(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.4)
        return checking(*args, **kwargs)

    monkeypatch.setattr(scan, "scan_item", slow_check)
    field = page.get_by_label("Scan item")
    expect(field).to_be_focused()
    for bag in bags:
        for _ in range(bag.quantity):
            page.keyboard.type(bag.sku, delay=5)
            page.keyboard.press("Enter")
    expect(page.locator("#scan-status")).to_contain_text(
        f"OK: {bags[-1].sku}. All items verified", timeout=10_000
    )
    for bag in bags:
        row = page.get_by_role("row", name=re.compile(re.escape(bag.sku)))
        expect(row).to_contain_text(f"{bag.quantity} of {bag.quantity}")
    expect(page.locator("#scan-error")).to_be_empty()
    pack = page.get_by_role("button", name="Pack shipment")
    expect(pack).to_be_focused()
    screenshot(page, "scan-verified")
    page.keyboard.press("Enter")  # the scanner's Enter packs
    label = page.get_by_role("link", name="Print label (PDF)")
    expect(label).to_be_visible(timeout=30_000)
    expect(label).to_be_focused()
    expect(page.locator("#scan-status")).to_contain_text("label is ready")
    assert Remote.objects.get(shipment_id=shipment.shipment_id).state == "bag_packed"
    pdf = page.request.get(label.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    screenshot(page, "scan-packed-label")
    page.set_viewport_size({"width": 800, "height": 1000})
    screenshot(page, "scan-packed-label-tablet")
    assert page.console_errors == []
