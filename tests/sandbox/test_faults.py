"""Fault injection: each knob, where it applies, and the effect ledger under ambiguity."""

from __future__ import annotations

import time

import pytest
import requests

from konnect_admin.sandbox import faults
from konnect_admin.sandbox.models import Effect, FaultSettings, Size
from tests.sandbox.helpers import effects_of, place_order, state_of

pytestmark = pytest.mark.django_db


def set_faults(api, **knobs):
    response = api.put("_control/api/faults", json=knobs)
    assert response.status_code == 200, response.text
    return response.json()["faults"]


def confirm(api, shipment_id):
    return api.post("oms/v3/shipment/confirm", json=[{"orderId": shipment_id}])


def test_defaults_come_from_settings(api, settings):
    settings.SANDBOX_FAULT_LATENCY_MS = 7
    settings.SANDBOX_FAULT_ERROR_STATUS = 502
    knobs = FaultSettings.restore_defaults()
    assert (knobs.latency_ms, knobs.error_status, knobs.outage) == (7, 502, False)
    assert api.get("_control/api/faults").json()["faults"]["latency_ms"] == 7


def test_latency_is_added(api):
    set_faults(api, latency_ms=80)
    started = time.perf_counter()
    api.get("v3/catalog/departments")
    assert time.perf_counter() - started >= 0.08


@pytest.mark.parametrize(("status", "code"), [(503, "UNAVAILABLE"), (500, "INTERNAL")])
def test_errors_are_answered_before_applying(api, status, code):
    s = place_order().shipment_id
    set_faults(api, error_rate=1, error_status=status)
    response = confirm(api, s)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state_of(s) == "placed"
    assert effects_of("oms.confirm", s) == 0


def test_rate_limit_has_retry_after_and_applies_nothing(api):
    s = place_order().shipment_id
    set_faults(api, rate_limit_rate=1, retry_after=9)
    response = confirm(api, s)
    assert (response.status_code, response.json()["code"]) == (429, "RATE_LIMITED")
    assert response.headers["Retry-After"] == "9"
    assert state_of(s) == "placed"


def test_outage_refuses_everything_but_the_control_api(api, anonymous):
    set_faults(api, outage=True)
    assert api.get("v3/catalog/departments").status_code == 503
    token = anonymous.get("aggregator/v1/token", params={"username": "a", "password": "b"})
    assert (token.status_code, token.json()["code"]) == (503, "UNAVAILABLE")
    assert api.get("_control/api/effects").status_code == 200
    set_faults(api, outage=False)
    assert api.get("v3/catalog/departments").status_code == 200


def test_control_api_never_faults(api):
    set_faults(api, error_rate=0.5, rate_limit_rate=0.5)
    assert all(api.get("_control/api/faults").status_code == 200 for _ in range(20))


def test_timeout_applies_the_write_exactly_once(api):
    s = place_order().shipment_id
    set_faults(api, timeout_rate=1)
    with pytest.raises(requests.ReadTimeout):
        confirm(api, s)
    set_faults(api, timeout_rate=0)
    assert state_of(s) == "bag_confirmed"  # applied: the client must read back, not re-send
    assert effects_of("oms.confirm", s) == 1
    # A blind re-send is refused and applies nothing.
    assert confirm(api, s).json()["errors"][0]["code"] == "O400"
    assert effects_of("oms.confirm", s) == 1


def test_timeout_on_a_catalog_write_leaves_a_trace_to_read_back(api, later):
    from tests.sandbox.test_catalog_writes import new_product

    record = new_product(api, "TMO-0001")
    set_faults(api, timeout_rate=1)
    with pytest.raises(requests.ReadTimeout):
        api.post("v3/catalog/product", json={"products": [record], "template": "footwear"})
    set_faults(api, timeout_rate=0)
    later.advance(3)
    listed = api.get("v3/catalog/product", params={"item_code": "TMO-0001"}).json()
    assert listed["total"] == 1
    assert effects_of("product.create", "TMO-0001") == 1


def test_reset_before_applying(api):
    s = place_order().shipment_id
    set_faults(api, reset_rate=1, reset_apply_rate=0)
    with pytest.raises(requests.ConnectionError):
        confirm(api, s)
    set_faults(api, reset_rate=0)
    assert state_of(s) == "placed"
    assert effects_of("oms.confirm", s) == 0


def test_reset_after_applying(api):
    sku = Size.objects.order_by("sku").first().sku
    set_faults(api, reset_rate=1, reset_apply_rate=1)
    record = {"location_id": "BHW-WH-01", "sku": sku, "quantity": 42}
    with pytest.raises(requests.ConnectionError):
        api.put("ims/v3/inventory", json=[record])
    set_faults(api, reset_rate=0)
    listing = api.get("ims/v3/listings", params={"skus": sku}).json()["data"][0]
    assert {x["location_id"]: x["quantity"] for x in listing["locations"]}["BHW-WH-01"] == 42
    assert effects_of("inventory", f"{sku}@BHW-WH-01") == 1


def test_the_fault_rng_can_be_seeded(api):
    set_faults(api, error_rate=0.3, rate_limit_rate=0.2)

    def outcomes():
        return [api.get("v3/catalog/departments").status_code for _ in range(30)]

    set_faults(api, seed=42)
    first = outcomes()
    set_faults(api, seed=42)
    assert outcomes() == first
    assert {200, 429, 503} <= set(first)


def test_knob_validation(api):
    too_much = api.put("_control/api/faults", json={"error_rate": 0.6, "timeout_rate": 0.6})
    assert too_much.status_code == 400
    assert api.put("_control/api/faults", json={"error_status": 404}).status_code == 400
    assert api.put("_control/api/faults", json={"colour": "red"}).status_code == 400
    assert api.put("_control/api/faults", json={"error_rate": -1}).status_code == 400


def test_reconciling_client_gets_every_write_exactly_once(api):
    """A small soak: 20% faults (10% error before apply, 5% timeout and 5% reset after or
    before apply); a client that reads back after an ambiguous failure instead of re-sending
    blindly ends with exactly one effect per record."""
    skus = list(Size.objects.order_by("sku").values_list("sku", flat=True)[:40])
    set_faults(api, error_rate=0.1, timeout_rate=0.05, reset_rate=0.05, seed=2026)
    wanted = {sku: 1000 + n for n, sku in enumerate(skus)}  # quantities the seed never has
    failures = 0
    for sku, quantity in wanted.items():
        record = {"location_id": "GGN-DS-01", "sku": sku, "quantity": quantity}
        while True:
            try:
                response = api.put("ims/v3/inventory", json=[record])
            except (requests.ReadTimeout, requests.ConnectionError):
                failures += 1
                if _quantity(api, sku) == quantity:  # it happened: do not send again
                    break
                continue
            if response.status_code == 200:
                break
            failures += 1  # answered before applying: safe to send again
    faults.reseed(None)
    set_faults(api, error_rate=0, timeout_rate=0, reset_rate=0)
    assert failures > 0
    keys = list(Effect.objects.filter(operation="inventory").values_list("key", flat=True))
    assert sorted(keys) == sorted(f"{sku}@GGN-DS-01" for sku in skus)
    assert api.get("_control/api/effects").json()["duplicated"] == []


def _quantity(api, sku):
    while True:
        try:
            response = api.get("ims/v3/listings", params={"skus": sku})
        except (requests.ReadTimeout, requests.ConnectionError):
            continue
        if response.status_code == 200:
            listing = response.json()["data"][0]
            return {x["location_id"]: x["quantity"] for x in listing["locations"]}.get("GGN-DS-01")
