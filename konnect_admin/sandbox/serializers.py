"""JSON shapes of stored objects (contract sections 3a, 4, 5)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from konnect_admin.sandbox.models import Shipment, ShipmentEvent
from konnect_admin.sandbox.statemachine import CANCELLED_STATES
from konnect_admin.sandbox.wire import iso, money

# Confirm/pack-by time shown as processingDueTime: a day before the dispatch SLA (C).
PROCESSING_LEAD = timedelta(hours=24)


PRODUCT_COLUMNS = ("pk", "uid", "brand_uid", "template", "data", "created_on", "modified_on")


def product_json(row: dict[str, Any], sizes: list[dict[str, Any]]) -> dict[str, Any]:
    """The stored ProductInput plus the identifiers Konnect adds, from a .values() row of
    PRODUCT_COLUMNS and the product's size objects in order."""
    return {
        **row["data"],
        "sizes": sizes,
        "uid": row["uid"],
        "brand_uid": row["brand_uid"],
        "template": row["template"],
        "created_on": iso(row["created_on"]),
        "modified_on": iso(row["modified_on"]),
    }


LISTING_COLUMNS = (
    "pk",
    "sku",
    "size",
    "price",
    "price_effective",
    "modified_on",
    "product__item_code",
    "product__slug",
    "product__name",
    "product__brand",
)
STOCK_COLUMNS = ("size_id", "location_code", "quantity", "mrp", "esp", "modified_on")


def listing_json(size: dict[str, Any], stocks: list[dict[str, Any]]) -> dict[str, Any]:
    """A SKU listing from .values() rows of LISTING_COLUMNS and its STOCK_COLUMNS rows."""
    locations = [
        {
            "location_id": stock["location_code"],
            "quantity": stock["quantity"],
            "mrp": money(stock["mrp"]),
            "esp": money(stock["esp"]),
        }
        for stock in stocks
    ]
    modified = max([size["modified_on"], *(s["modified_on"] for s in stocks)])
    return {
        "sku": size["sku"],
        "item_code": size["product__item_code"],
        "slug": size["product__slug"],
        "name": size["product__name"],
        "brand": size["product__brand"],
        "size": size["size"],
        "price": {
            "mrp": money(size["price"]),
            "esp": money(size["price_effective"]),
            "currency": "INR",
        },
        "locations": locations,
        "total_quantity": sum(loc["quantity"] for loc in locations),
        "modified_on": iso(modified),
    }


def order_price(shipment: Shipment) -> dict[str, Any]:
    """Derived from the active bags, so a partial cancellation shows in the totals."""
    active = [i for i in shipment.items.all() if i.state not in CANCELLED_STATES]
    if not active:  # a cancelled shipment still shows what was ordered
        active = list(shipment.items.all())
    mrp = sum((i.mrp * i.quantity for i in active), Decimal(0))
    esp = sum((i.esp * i.quantity for i in active), Decimal(0))
    return {
        "currency": "INR",
        "mrp": float(mrp),
        "esp": float(esp),
        "discount": float(mrp - esp),
        "shipping": float(shipment.shipping_charge),
        "total": float(esp + shipment.shipping_charge),
    }


def shipment_json(shipment: Shipment) -> dict[str, Any]:
    """The fetched order object. Expects prefetched items."""
    return {
        "id": shipment.shipment_id,
        "forwardId": shipment.forward_id,
        "marketplaceOrderId": shipment.order_id,
        "marketplaceReturnId": shipment.marketplace_return_id,
        "marketplaceInvoiceNumber": shipment.marketplace_invoice_number,
        "shippingAddress": shipment.shipping_address,
        "billingAddress": shipment.billing_address,
        "multiPackShipment": len(shipment.packages) > 1,
        "packages": shipment.packages,
        "fulfillmentType": "marketplaceFulfilled",
        "sellerInvoiced": shipment.invoice_number is not None,
        "courierName": shipment.courier_name,
        "courierCode": shipment.courier_code,
        "awbNumber": [shipment.awb_number] if shipment.awb_number else [],
        "additionalInfo": shipment.additional_info,
        "orderPrice": order_price(shipment),
        "orderItems": [
            {
                "orderItemId": item.item_id,
                "sku": item.sku,
                "itemCode": item.item_code,
                "name": item.name,
                "size": item.size,
                "quantity": item.quantity,
                "mrp": float(item.mrp),
                "esp": float(item.esp),
                "status": item.state,
                "reasonCode": item.reason_code or None,
            }
            for item in shipment.items.all()
        ],
        "orderStatus": shipment.bucket,
        "orderDate": iso(shipment.order_date),
        "orderingChannel": shipment.channel,
        "is_self_ship": shipment.is_self_ship,
        "shipmentStatus": shipment.state,
        "locationCode": shipment.location_code,
        "lockStatus": False,
        "sla": iso(shipment.sla),
        "invoiceNumber": shipment.invoice_number,
        "creditNoteNumber": shipment.credit_note_number,
        "returnReason": shipment.return_reason,
        "isRto": shipment.is_rto,
        "updatedAt": iso(shipment.updated_at),
    }


def shipment_info_json(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.shipment_id,
        "orderStatus": shipment.bucket,
        "shipmentStatus": shipment.state,
        "orderType": "return" if shipment.is_return else "forward",
        "sla": iso(shipment.sla),
        "lockStatus": False,
        "processingDueTime": iso(shipment.sla - PROCESSING_LEAD),
    }


def courier_json(shipment: Shipment) -> dict[str, Any]:
    return {
        "orderId": shipment.shipment_id,
        "courierName": shipment.courier_name,
        "courierCode": shipment.courier_code,
        "awbNumber": [shipment.awb_number] if shipment.awb_number else [],
        "additionalInfo": shipment.additional_info,
    }


def tracking_json(shipment: Shipment, events: list[ShipmentEvent]) -> dict[str, Any]:
    last = events[-1] if events else None
    in_flight = shipment.state in ("bag_picked", "return_bag_in_transit", "return_dp_assigned")
    awb = shipment.awb_number or None
    return {
        "shipment_id": shipment.shipment_id,
        "awb_number": awb,
        "courier": shipment.courier_name or None,
        "current_status": shipment.bucket,
        "operational_status": shipment.state,
        "last_updated": iso(last.at if last else shipment.updated_at),
        "eta": iso(shipment.sla + timedelta(days=3)) if in_flight else None,
        "tracking_url": (
            f"https://track.sandbox.invalid/{shipment.courier_code}/{awb}"
            if awb and not shipment.is_self_ship
            else None
        ),
        "location": (last.location or None) if last else None,
        "journey": "return" if shipment.is_return or shipment.is_rto else "forward",
        "events": [
            {"status": e.state, "time": iso(e.at), "location": e.location, "remark": e.remark}
            for e in events
        ],
    }
