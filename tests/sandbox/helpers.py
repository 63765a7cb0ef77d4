"""Small helpers shared by the sandbox tests: fresh orders and driving a shipment forward."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from konnect_admin.sandbox.models import Effect, Shipment, ShipmentItem
from konnect_admin.sandbox.seed import new_orders
from konnect_admin.sandbox.statemachine import new_item_id

_invoice_numbers = itertools.count(1)


def place_order(location: str = "BHW-WH-01", *, self_ship: bool = False, bags: int = 1) -> Shipment:
    """A new order in `placed` with exactly `bags` bags, each of quantity 1."""
    shipment = new_orders(1, location=location, self_ship=self_ship)[0]
    items = list(shipment.items.all())
    template = items[0]
    for item in items[bags:]:
        item.delete()
    shipment.items.update(quantity=1)
    for n in range(len(items), bags):
        ShipmentItem.objects.create(
            shipment=shipment,
            item_id=new_item_id(),
            position=n,
            sku=template.sku,
            item_code=template.item_code,
            name=template.name,
            size=template.size,
            quantity=1,
            mrp=Decimal("999"),
            esp=Decimal("799"),
            state="placed",
        )
    return shipment


def invoice_number(prefix: str = "TINV") -> str:
    return f"{prefix}-{next(_invoice_numbers):06d}"


def ok(response: Any, successes: int = 1) -> dict[str, Any]:
    """An OMS envelope B (or A) answer that applied `successes` records."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    if "data" in body:
        assert body["data"]["success_count"] == successes, body
    else:
        assert body["successCount"] == successes, body
    return body


def refused(response: Any, code: str) -> dict[str, Any]:
    """A per-record refusal carried in a 200 answer."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    errors = body["data"]["errors"] if "data" in body else body["errors"]
    assert [e["code"] for e in errors] == [code], body
    return body


def state_of(shipment_id: str) -> str:
    return Shipment.objects.get(shipment_id=shipment_id).state


def effects_of(operation: str, key: str) -> int:
    return Effect.objects.filter(operation=operation, key=key).count()


def drive(api: Any, shipment_id: str, target: str) -> None:
    """Walk a channel-shipping forward shipment through the API up to `target`."""
    steps = ("bag_confirmed", "bag_invoiced", "dp_assigned", "bag_packed", "bag_picked")
    for step in steps:
        if step == "bag_confirmed":
            ok(api.post("oms/v3/shipment/confirm", json=[{"orderId": shipment_id}]))
        elif step == "bag_invoiced":
            record = {
                "orderId": shipment_id,
                "invoiceNumber": invoice_number(),
                "invoiceType": "sale",
            }
            ok(api.post("oms/v3/shipment/invoiceUpdate", json=[record]))
        elif step == "dp_assigned":
            response = api.post("_control/api/assign_courier", json={"shipment_id": shipment_id})
            assert response.status_code == 200, response.text
        elif step == "bag_packed":
            ok(api.post("oms/v3/shipment/pack", json=[{"orderId": shipment_id}]))
        elif step == "bag_picked":
            ok(api.post("oms/v3/shipment/dispatch", json=[{"orderId": shipment_id}]))
        if step == target:
            return
    raise AssertionError(f"cannot drive to {target}")
