"""The sandbox control: HTML page (login, CSRF), JSON API, management commands, the tick."""

from __future__ import annotations

import io
import json
import random

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from konnect_admin.sandbox import events
from konnect_admin.sandbox.models import FaultSettings, Shipment
from konnect_admin.schedule import BEAT_ENTRIES
from tests.sandbox.helpers import place_order, state_of

pytestmark = pytest.mark.django_db


def test_the_page_requires_login(client):
    response = client.get("/sandbox/_control/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert client.post("/sandbox/_control/event/", {"event": "deliver"}).status_code == 302


def test_the_page_lists_shipments_with_their_valid_events(merch_client):
    s = place_order().shipment_id
    response = merch_client.get("/sandbox/_control/", {"q": s})
    assert response.status_code == 200
    html = response.content.decode()
    assert s in html
    assert 'value="customer_cancel"' in html
    assert 'value="deliver"' not in html  # not valid for a placed shipment
    assert "Fault knobs" in html
    assert "<script>" not in html
    assert "style=" not in html
    filtered = merch_client.get("/sandbox/_control/", {"bucket": "TRANSIT"}).content.decode()
    assert 'value="deliver"' in filtered


def test_posting_an_event_needs_the_csrf_token(merch_user):
    s = place_order().shipment_id
    client = Client(enforce_csrf_checks=True)
    client.force_login(merch_user)
    refused = client.post(
        "/sandbox/_control/event/", {"event": "customer_cancel", "shipment_id": s}
    )
    assert refused.status_code == 403
    assert state_of(s) == "placed"
    page = client.get("/sandbox/_control/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/sandbox/_control/event/",
        {"event": "customer_cancel", "shipment_id": s, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert state_of(s) == "cancelled_customer"
    assert client.get("/sandbox/_control/event/").status_code == 405


def test_page_forms_for_new_orders_faults_and_reset(admin_client):
    before = Shipment.objects.count()
    admin_client.post(
        "/sandbox/_control/event/",
        {"event": "new_orders", "count": "2", "location": "BLR-ST-01", "self_ship": "yes"},
    )
    assert Shipment.objects.count() == before + 2
    newest = Shipment.objects.order_by("-id")[:2]
    assert {(s.location_code, s.is_self_ship, s.state) for s in newest} == {
        ("BLR-ST-01", True, "placed")
    }
    knobs = {**FaultSettings.load().as_dict(), "latency_ms": 15, "outage": "on"}
    admin_client.post("/sandbox/_control/faults/", knobs)
    assert (FaultSettings.load().latency_ms, FaultSettings.load().outage) == (15, True)
    bad = admin_client.post("/sandbox/_control/faults/", {**knobs, "error_rate": 2}, follow=True)
    assert "not saved" in bad.content.decode()
    admin_client.post("/sandbox/_control/reset/")
    assert Shipment.objects.count() == 500
    assert FaultSettings.load().outage is False
    invalid = admin_client.post(
        "/sandbox/_control/event/", {"event": "deliver", "shipment_id": "1"}, follow=True
    )
    assert "Unknown shipment" in invalid.content.decode()


def test_json_api_actions(api):
    s = place_order().shipment_id
    assert api.post("_control/api/deliver", json={"shipment_id": s}).status_code == 409
    assert api.post("_control/api/deliver", json={"shipment_id": "1"}).status_code == 404
    assert api.post("_control/api/teleport", json={"shipment_id": s}).status_code == 404
    assert api.post("_control/api/deliver", json={}).status_code == 400
    created = api.post("_control/api/new_orders", json={"count": 3, "location_code": "GGN-DS-01"})
    ids = created.json()["shipments"]
    assert len(ids) == 3
    assert {state_of(i) for i in ids} == {"placed"}
    assert api.post("_control/api/new_orders", json={"count": 99}).status_code == 409
    assert api.get("_control/api/deliver").status_code == 405


def test_effects_endpoint(api):
    s = place_order().shipment_id
    api.post("oms/v3/shipment/confirm", json=[{"orderId": s}])
    summary = api.get("_control/api/effects").json()
    assert summary["by_operation"]["oms.confirm"]["effects"] >= 1
    detail = api.get("_control/api/effects", params={"operation": "oms.confirm", "keys": 1}).json()
    assert {"operation": "oms.confirm", "key": s, "count": 1} in detail["keys"]
    assert detail["duplicated"] == []


def test_sandbox_event_command():
    s = place_order().shipment_id
    out = io.StringIO()
    call_command("sandbox_event", "customer_cancel", s, stdout=out)
    assert json.loads(out.getvalue())["state"] == "cancelled_customer"
    with pytest.raises(CommandError, match="Cannot"):
        call_command("sandbox_event", "deliver", s)
    with pytest.raises(CommandError, match="needs a shipment id"):
        call_command("sandbox_event", "deliver")
    out = io.StringIO()
    call_command(
        "sandbox_event", "new_orders", "--count", "2", "--location", "BHW-WH-01", stdout=out
    )
    assert len(out.getvalue().splitlines()) == 2


def test_sandbox_reset_command():
    place_order()
    out = io.StringIO()
    call_command("sandbox_reset", stdout=out)
    assert "500 shipments" in out.getvalue()
    assert Shipment.objects.count() == 500


def test_courier_assignment_can_be_automatic_at_once(api, settings):
    settings.SANDBOX_DP_ASSIGN_SECONDS = 0
    s = place_order().shipment_id
    api.post("oms/v3/shipment/confirm", json=[{"orderId": s}])
    record = {"orderId": s, "invoiceNumber": "AUTO-1", "invoiceType": "sale"}
    api.post("oms/v3/shipment/invoiceUpdate", json=[record])
    assert state_of(s) == "dp_assigned"


def test_auto_tick_moves_shipments_on(later):
    waiting = Shipment.objects.filter(state="bag_invoiced").count()
    in_transit = Shipment.objects.filter(state="bag_picked").count()
    later.advance(120)
    done = events.auto_tick(rng=random.Random(3))
    assert done["assign_courier"] == 1  # the oldest waiting shipment gets a courier
    assert Shipment.objects.filter(state="bag_invoiced").count() == waiting - 1
    moved = done.get("deliver", 0) + done.get("rto", 0)
    assert Shipment.objects.filter(state="bag_picked").count() == in_transit - moved


def test_tick_is_scheduled_only_with_auto_events(settings):
    from django.apps import apps

    from konnect_admin.sandbox.tasks import tick

    entry = ("sandbox-tick", "sandbox.tick", 30)
    settings.SANDBOX_AUTO_EVENT_SECONDS = 30
    assert entry not in BEAT_ENTRIES
    settings.SANDBOX_AUTO_EVENTS = True
    apps.get_app_config("sandbox").ready()
    try:
        assert entry in BEAT_ENTRIES
    finally:
        BEAT_ENTRIES.remove(entry)
    assert tick.name == "sandbox.tick"
