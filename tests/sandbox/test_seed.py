"""The seed: contents, realism, id formats, determinism, speed, reset and the demo step."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from datetime import datetime

import pytest
from django.utils import timezone

from konnect_admin import demo
from konnect_admin.sandbox.catalog_writes import reference_errors
from konnect_admin.sandbox.models import (
    Product,
    Shipment,
    ShipmentEvent,
    ShipmentItem,
    Size,
    Stock,
    Trace,
)
from konnect_admin.sandbox.seed import reset, seed_step
from konnect_admin.sandbox.statemachine import BUCKETS, CANCELLED_STATES, bucket_of
from konnect_admin.sandbox.validation import product_create_errors

pytestmark = pytest.mark.django_db

CHANNELS = {
    "FYND-STORE",
    "FYND",
    "ECOMM",
    "AMAZON_MLF",
    "MYNTRA_IN",
    "UNIKET",
    "TATACLIQ_IN",
    "FLIPKARTASSURED",
    "JIOMART",
    "ONDC",
}


def test_counts_and_spread():
    assert 145 <= Product.objects.count() <= 160
    assert Size.objects.count() > Product.objects.count()
    assert Stock.objects.count() == 3 * Size.objects.count()
    shipments = Shipment.objects.all()
    assert shipments.count() == 500
    assert set(shipments.values_list("bucket", flat=True)) == set(BUCKETS)
    assert set(shipments.values_list("channel", flat=True)) == CHANNELS
    assert set(shipments.values_list("location_code", flat=True)) == {
        "BHW-WH-01",
        "BLR-ST-01",
        "GGN-DS-01",
    }
    returns = shipments.filter(is_return=True)
    rtos = shipments.filter(is_rto=True)
    assert returns.count() + rtos.count() == 30
    assert set(returns.values_list("bucket", flat=True)) >= {
        "RETURN_PROCESSING",
        "RETURN_DELIVERED",
    }
    assert rtos.filter(bucket="RETURN_DELIVERED").exists()
    assert shipments.filter(state__in=("return_bag_accepted", "rto_bag_accepted")).exists()
    assert shipments.filter(is_self_ship=True).count() > 20
    now = timezone.now()
    breached = shipments.filter(bucket__in=("CREATED", "CONFIRMED", "PROCESSING"), sla__lt=now)
    assert breached.exists()
    assert shipments.filter(bucket="CREATED", sla__gt=now).exists()
    oldest = min(shipments.values_list("order_date", flat=True))
    assert (now - oldest).days <= 31
    assert ShipmentItem.objects.filter(
        state__in=CANCELLED_STATES, shipment__bucket="CREATED"
    ).exists()


def test_states_buckets_and_timelines_are_consistent():
    for s in Shipment.objects.prefetch_related("events", "items"):
        assert s.bucket == bucket_of(s.state)
        events = list(s.events.all())
        assert events[-1].state == s.state or events[-1].event == "customer_return"
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert events[0].at >= s.order_date
        active = [i.state for i in s.items.all() if i.state not in CANCELLED_STATES]
        assert set(active) <= {s.state}
        if s.state in ("bag_picked", "delivery_done") and not s.is_return:
            assert s.awb_number
            assert s.courier_name
        if s.is_return:
            assert Shipment.objects.get(shipment_id=s.forward_id).state == "delivery_done"


def test_realistic_people_places_and_ids():
    s = Shipment.objects.first()
    address = s.shipping_address
    assert set(address) == {
        "name",
        "phone",
        "address1",
        "address2",
        "city",
        "state",
        "pincode",
        "country",
    }
    for shipment in Shipment.objects.all():
        assert re.fullmatch(r"[6-9]\dXXXXXX\d\d", shipment.shipping_address["phone"])
        assert re.fullmatch(r"\d{6}", shipment.shipping_address["pincode"])
        assert re.fullmatch(r"\d{20}", shipment.shipment_id)
        assert re.fullmatch(r"FY[0-9A-F]{18}", shipment.order_id)
    skus = set(Size.objects.values_list("sku", flat=True))
    assert set(ShipmentItem.objects.values_list("sku", flat=True)) <= skus
    assert ShipmentItem.objects.filter(mrp__lt=1).count() == 0


def test_every_seeded_product_is_valid_against_the_reference():
    for product in Product.objects.prefetch_related("sizes"):
        record = {**product.data, "sizes": [s.data for s in product.sizes.all()]}
        assert product_create_errors(record) == []
        assert reference_errors(record, product.template) == []
        for size in product.sizes.all():
            assert size.price_effective <= size.price


def _digest() -> str:
    rows = {
        "products": list(Product.objects.order_by("uid").values_list("item_code", "data")),
        "sizes": list(Size.objects.order_by("sku").values_list("sku", "price", "data")),
        "stock": list(
            Stock.objects.order_by("size__sku", "location_code").values_list(
                "size__sku", "location_code", "quantity", "mrp", "esp"
            )
        ),
        "shipments": list(
            Shipment.objects.order_by("shipment_id").values_list(
                "shipment_id", "state", "order_date", "shipping_address", "awb_number", "channel"
            )
        ),
        "items": list(
            ShipmentItem.objects.order_by("item_id").values_list(
                "item_id", "sku", "quantity", "state"
            )
        ),
        "events": list(
            ShipmentEvent.objects.order_by("shipment__shipment_id", "at", "id").values_list(
                "shipment__shipment_id", "state", "at"
            )
        ),
    }
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def test_the_seed_is_deterministic_and_fast():
    now = datetime(2026, 3, 15, 10, 30, tzinfo=timezone.get_fixed_timezone(0))
    started = time.perf_counter()
    summary = reset(now)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, elapsed
    assert summary.shipments == 500
    first = _digest()
    Shipment.objects.all().update(state="delivery_done")
    reset(now)
    assert _digest() == first


def test_reset_restores_the_seed_after_changes(api, later):
    from tests.sandbox.helpers import drive, place_order

    before = Shipment.objects.count()
    drive(api, place_order().shipment_id, "bag_packed")
    api.put("_control/api/faults", json={"outage": True})
    response = api.post("_control/api/reset")
    assert response.status_code == 200, response.text
    assert Shipment.objects.count() == before == 500
    assert not Trace.objects.exists()
    assert api.get("v3/catalog/departments").status_code == 200  # faults back to defaults
    assert Counter(Shipment.objects.values_list("bucket", flat=True))["CREATED"] == 82


def test_seed_demo_step_is_idempotent_and_fast():
    names = [name for name, _ in demo.SEED_STEPS]
    assert names.count("sandbox") == 1
    started = time.perf_counter()
    assert seed_step().startswith("already seeded")
    assert time.perf_counter() - started < 0.5
    assert Shipment.objects.count() == 500
