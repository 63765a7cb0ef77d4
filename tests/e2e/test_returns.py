"""Returns in real Chromium: the sandbox's control page (and its control API) plays Fynd and
the customer; the returns desk syncs, checks, accepts, rejects and raises credit notes."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from konnect_admin.models import AuditEvent, Job
from konnect_admin.sandbox.models import Effect
from konnect_admin.sandbox.models import Shipment as Remote
from konnect_admin.sandbox.seed import is_seeded, seed
from orders.models import ReturnCheck, ReturnPhoto, Shipment
from tests.orders.test_returns_photos import png_bytes

pytestmark = pytest.mark.django_db(transaction=True)

Shot = Callable[[Any, str], Any]
LOCATION = "BHW-WH-01"


def _wait_for_jobs(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while Job.objects.exclude(status__in=Job.TERMINAL).exists():
        assert time.monotonic() < deadline, "jobs did not finish"
        time.sleep(0.2)


@pytest.fixture
def returns_desk(
    page: Any, background_sweeper: None, make_user: Callable[..., Any], settings: Any
) -> None:
    """The sandbox seeded and one warehouse user; nothing synced yet (the page does it)."""
    from konnect_admin.demo import locations_seed

    if not is_seeded():
        seed()
    locations_seed()
    make_user("wasim", "Warehouse", locations=(LOCATION,))


def _delivered_without_return(skip: int = 0) -> Remote:
    returned = Remote.objects.filter(is_return=True).values_list("forward_id", flat=True)
    return (
        Remote.objects.filter(
            state="delivery_done", location_code=LOCATION, is_self_ship=False, is_return=False
        )
        .exclude(shipment_id__in=list(returned))
        .order_by("order_date", "shipment_id")[skip]
    )


def _fynd_event(page: Any, shipment_id: str, event: str) -> None:
    """Press the event's button in the shipment's row of the sandbox control page."""
    page.goto(f"/sandbox/_control/?q={shipment_id}")
    row = page.locator("tbody tr", has_text=shipment_id).first
    row.get_by_role("button", name=event, exact=True).click()
    expect(page.locator(".toast").first).to_contain_text(shipment_id)


def _sync_from_the_returns_page(page: Any) -> None:
    page.locator("nav.mainnav").get_by_role("link", name="Returns").click()
    expect(page.get_by_role("heading", name="Returns and RTO")).to_be_visible()
    page.get_by_role("button", name="Refresh from Konnect").click()
    expect(page.locator("#sync-progress .pill")).to_have_text("Completed", timeout=30_000)
    _wait_for_jobs()


def _accessible(page: Any) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = Axe().run(page)
    serious = [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], page.url


def _decide(page: Any, n: int, decision: str, condition: str = "") -> None:
    item = page.locator("fieldset.qc-item").nth(n)
    item.get_by_label(decision, exact=True).check()
    if condition:
        item.get_by_label("Condition").select_option(label=condition)


def test_a_return_is_accepted_and_credited_and_an_rto_is_accepted(
    returns_desk: None, login: Callable[..., Any], screenshot: Shot
) -> None:
    page = login("wasim")
    # Fynd's side, on the sandbox control page: a customer returns a delivered parcel, the
    # return courier picks it up and brings it back; another parcel comes back undelivered.
    forward = _delivered_without_return()
    _fynd_event(page, forward.shipment_id, "customer return")
    back = Remote.objects.get(forward_id=forward.shipment_id, is_return=True)
    _fynd_event(page, back.shipment_id, "return in transit")
    _fynd_event(page, back.shipment_id, "return deliver")
    screenshot(page, "returns-sandbox-control")
    rto = (
        Remote.objects.filter(state="bag_picked", location_code=LOCATION, is_self_ship=False)
        .order_by("order_date", "shipment_id")
        .first()
    )
    assert rto is not None
    _fynd_event(page, rto.shipment_id, "rto")

    _sync_from_the_returns_page(page)
    expect(page.locator(".lane.is-current")).to_contain_text("To check")
    expect(page.get_by_role("link", name=back.shipment_id)).to_be_visible()
    expect(page.get_by_role("link", name=rto.shipment_id)).to_be_visible()
    screenshot(page, "returns-queue")
    _accessible(page)
    page.set_viewport_size({"width": 800, "height": 1000})
    screenshot(page, "returns-queue-tablet")
    page.set_viewport_size({"width": 1280, "height": 860})

    # the customer return: every item accepted, the first one with a BAD condition
    page.get_by_role("link", name=back.shipment_id).click()
    expect(page.get_by_role("heading", name=f"Return {back.shipment_id}")).to_be_visible()
    expect(page.locator(".action-panel, .credit-note-form")).to_have_count(0)  # not offered yet
    items = page.locator("fieldset.qc-item")
    count = items.count()
    assert count == back.items.count()
    for n in range(count):
        _decide(page, n, "Accept", "BAD · Tag missing" if n == 0 else "")
    screenshot(page, "return-qc-form")
    _accessible(page)
    page.get_by_role("button", name="Record quality check").click()
    expect(page.locator("#return-state")).to_have_text("Return accepted", timeout=30_000)
    expect(page.locator("#return-jobs .pill").first).to_have_text("Completed")
    expect(page.locator(".qc-cell").first).to_contain_text("BAD · Tag missing")
    assert Remote.objects.get(pk=back.pk).state == "return_bag_accepted"

    # ... then its credit note, numbered by us and dated today
    today = timezone.localdate()
    expect(page.get_by_label("Credit note date")).to_have_value(today.isoformat())
    page.get_by_label("Credit note number").fill("CN/BHW/E2E/0001")
    screenshot(page, "return-credit-note-form")
    _accessible(page)
    page.get_by_role("button", name="Raise credit note").click()
    expect(page.locator("#return-state")).to_have_text("Credit note raised", timeout=30_000)
    expect(page.locator("#credit-note-number")).to_have_text("CN/BHW/E2E/0001")
    expect(page.locator("#credit-note-date")).to_have_text(today.strftime("%-d %b %Y"))
    expect(page.locator("#detail-main, #return-main")).to_contain_text(
        "Completed: credit note CN/BHW/E2E/0001"
    )
    expect(page.locator(".timeline")).to_contain_text("Credit note CN/BHW/E2E/0001 dated")
    remote = Remote.objects.get(pk=back.pk)
    assert (remote.state, remote.credit_note_number) == (
        "credit_note_generated",
        "CN/BHW/E2E/0001",
    )
    screenshot(page, "return-credited")
    page.set_viewport_size({"width": 800, "height": 1100})
    screenshot(page, "return-credited-tablet")
    page.set_viewport_size({"width": 1280, "height": 860})

    # the RTO: accepted as it came back
    page.goto("/orders/returns/?kind=rto")
    page.get_by_role("link", name=rto.shipment_id).click()
    expect(page.get_by_role("heading", name=f"RTO {rto.shipment_id}")).to_be_visible()
    for n in range(page.locator("fieldset.qc-item").count()):
        _decide(page, n, "Accept")
    page.get_by_role("button", name="Record quality check").click()
    expect(page.locator("#return-state")).to_have_text("RTO accepted", timeout=30_000)
    expect(page.get_by_role("button", name="Raise credit note")).to_be_visible()
    screenshot(page, "rto-accepted")
    assert Remote.objects.get(pk=rto.pk).state == "rto_bag_accepted"

    # every step was a Job with an AuditEvent and a result per shipment
    _wait_for_jobs()
    for kind, key in (
        ("return_qc", back.shipment_id),
        ("return_credit_note", back.shipment_id),
        ("return_qc", rto.shipment_id),
    ):
        job = Job.objects.get(kind=kind, items__key=key)
        assert job.status == Job.Status.SUCCEEDED and job.items.get().status == "succeeded"
        outcomes = set(AuditEvent.objects.filter(job=job).values_list("outcome", flat=True))
        assert outcomes == {"requested", "succeeded"}
    assert page.console_errors == []


def _control_api(page: Any, event: str, shipment_id: str) -> dict[str, Any]:
    """The same Fynd events through the control API with a company token."""
    token = page.request.get(
        "/sandbox/aggregator/v1/token",
        params={
            "username": django_settings.SANDBOX_COMPANY_USERNAME,
            "password": django_settings.SANDBOX_COMPANY_PASSWORD,
        },
    ).json()["access_token"]
    response = page.request.post(
        f"/sandbox/_control/api/{event}",
        data=json.dumps({"shipment_id": shipment_id}),
        headers={"x-access-token": token, "Content-Type": "application/json"},
    )
    assert response.status == 200, response.text()
    return dict(response.json()["shipment"])


def test_a_rejected_return_keeps_its_reason_note_and_photo_and_gets_no_credit_note(
    returns_desk: None, login: Callable[..., Any], screenshot: Shot
) -> None:
    page = login("wasim")
    forward = _delivered_without_return(skip=1)
    sid = _control_api(page, "customer_return", forward.shipment_id)["id"]
    _control_api(page, "return_in_transit", sid)
    _control_api(page, "return_deliver", sid)
    _sync_from_the_returns_page(page)
    page.get_by_role("link", name=sid).click()

    # the first item is the wrong product: rejected, with a note and a photo of it
    _decide(page, 0, "Reject", "BAD · Wrong product received")
    first = page.locator("fieldset.qc-item").first
    first.get_by_label("Note").fill("Customer sent back another brand (sealed pack, batch 24B07).")
    first.get_by_label("Photos").set_input_files(
        [{"name": "wrong-pair.png", "mimeType": "image/png", "buffer": png_bytes(320, 240)}]
    )
    for n in range(1, page.locator("fieldset.qc-item").count()):
        _decide(page, n, "Accept")
    screenshot(page, "return-reject-form")
    effects_before = Effect.objects.count()
    page.get_by_role("button", name="Record quality check").click()
    expect(page.locator("#return-main .pill-lg", has_text="Rejected at QC")).to_be_visible(
        timeout=30_000
    )
    cell = page.locator(".qc-cell").first
    expect(cell).to_contain_text("Rejected")
    expect(cell).to_contain_text("BAD · Wrong product received")
    expect(cell).to_contain_text("another brand (sealed pack, batch 24B07)")
    thumb = cell.locator(".thumbs img")
    expect(thumb).to_have_count(1)
    expect(thumb).to_have_js_property("complete", True)
    assert thumb.evaluate("img => img.naturalWidth") == 320  # the stored photo, served to us
    expect(page.locator("#return-state")).to_have_text("Return delivered")  # as on Konnect
    expect(page.get_by_role("button", name="Raise credit note")).to_have_count(0)
    expect(page.get_by_role("button", name="Record quality check")).to_be_visible()  # accept later
    screenshot(page, "return-rejected")
    _accessible(page)
    page.set_viewport_size({"width": 800, "height": 1100})
    screenshot(page, "return-rejected-tablet")
    page.set_viewport_size({"width": 1280, "height": 860})
    _wait_for_jobs()
    assert Effect.objects.count() == effects_before  # no Konnect write for a rejection
    assert Remote.objects.get(shipment_id=sid).state == "return_bag_delivered"
    assert ReturnCheck.objects.get(shipment__shipment_id=sid).outcome == "rejected"
    assert ReturnPhoto.objects.filter(shipment__shipment_id=sid).count() == 1

    page.goto("/orders/returns/?lane=REJECTED")
    expect(page.get_by_role("link", name=sid)).to_be_visible()
    screenshot(page, "returns-rejected-lane")

    # a credit note forced with a crafted POST (the page's own CSRF token) is refused in words
    page.goto(f"/orders/returns/{sid}/")
    page.evaluate(
        """(sid) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
            const form = document.createElement("form");
            form.method = "post";
            form.action = `/orders/returns/${sid}/credit-note/`;
            for (const [name, value] of [["csrfmiddlewaretoken", token],
                                         ["credit_note_number", "CN/BHW/E2E/FORCED"],
                                         ["credit_note_date", "2026-01-01"]]) {
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
        f"Raise credit note is not possible for shipment {sid}: it was rejected at quality check,"
        " and a credit note is raised only for an accepted return."
    )
    screenshot(page, "return-credit-note-refused")
    assert Remote.objects.get(shipment_id=sid).credit_note_number is None
    assert not Job.objects.filter(kind="return_credit_note").exists()
    assert AuditEvent.objects.filter(action="return.credit_note", outcome="denied").count() == 1
    assert Shipment.objects.get(shipment_id=sid).credit_note_number == ""
    assert [e for e in page.console_errors if not re.search("status of 409", e)] == []
