"""Konnect answers used by the tests, built from the examples of konnect-api-reference.txt and
the shapes of docs/konnect-contract.md."""

from __future__ import annotations

from typing import Any

DEPARTMENT = {
    "id": 1,
    "uid": 1,
    "name": "Men's Fashion",
    "slug": "mens-fashion",
    "is_active": True,
    "priority_order": 1,
    "description": "Clothing, ethnic wear and accessories for men.",
    "logo": None,
}
CATEGORY = {
    "id": 10001,
    "uid": 10001,
    "name": "T-Shirts",
    "slug": "t-shirts",
    "level": 3,
    "parent_uid": 1001,
    "department_uids": [1, 2],
    "is_active": True,
    "attribute_set": "apparel-topwear",
    "hs_code": "61091000",
    "template_slug": "topwear",
}
BRAND = {
    "id": 7001,
    "uid": 7001,
    "name": "Kesarlane",
    "slug": "kesarlane",
    "logo": None,
    "departments": ["womens-fashion", "kids"],
}
TEMPLATE = {
    "slug": "topwear",
    "name": "Topwear",
    "departments": ["mens-fashion"],
    "attribute_set": "apparel-topwear",
    "description": "T-shirts and tops.",
}
ATTRIBUTE = {
    "slug": "gender",
    "name": "Gender",
    "type": "enum",
    "required": True,
    "values": ["Men", "Women"],
    "help": "Who the garment is cut for.",
}
HS_CODE = {
    "hs_code": "61091000",
    "type": "HS",
    "description": "T-shirts of cotton",
    "gst_rate_percent": 5,
    "country_code": "IN",
}
TAX_RULE = {
    "rule_id": "8beebc465145e620de943a48",
    "name": "GST 5%",
    "tax_name": "GST",
    "status": "ACTIVE",
    "version_status": "CURRENT",
    "effective_from": "2025-09-22",
    "slabs": [{"threshold_price_upto": None, "rate_percent": 5}],
    "hs_codes": ["61091000"],
}
PRODUCT = {
    "uid": 900001,
    "brand_uid": 7001,
    "template": "topwear",
    "created_on": "2026-11-01T10:00:00+05:30",
    "modified_on": "2026-11-02T10:00:00+05:30",
    "item_type": "standard",
    "name": "Crew Tee",
    "slug": "crew-tee",
    "departments": ["1"],
    "category": "T-Shirts",
    "brand": "Kesarlane",
    "item_code": "TEE-001",
    "country_of_origin": "India",
    "tax_identifier": {"tax_rule_id": "8beebc465145e620de943a48"},
    "hs_code": "61091000",
    "sizes": [
        {"primary_identifier": "TEE-001-M", "size": "M", "price": 999, "price_effective": 799}
    ],
    "trader": [{"type": "Manufacturer", "name": "Kesarlane Mills", "address": ["Tiruppur"]}],
    "attributes": {"gender": "Men"},
    "is_dependent": False,
}


def page(items: list[Any], *, page_number: int = 1, page_size: int = 200, total: int = 0) -> Any:
    return {
        "items": items,
        "page_number": page_number,
        "page_size": page_size,
        "total": total or len(items),
    }


# The reference's write answer (create).
WRITE_ACCEPTED = {
    "trace_id": "1356dfa6-7d45-4ff9-8397-f43b9d92dc52",
    "total": 1,
    "success": 1,
    "failed": 0,
    "status": "SUCCESS",
    "errors": {},
    "stage": "RUNNING",
    "company_id": 26049,
}
# The reference's status answer, and the contract's PARTIAL one.
STATUS_COMPLETED = {
    "trace_id": "90591ba5-b88c-475d-bbca-e9cda685ed78",
    "status": "completed",
    "stage": "COMPLETED",
    "total": 1,
    "success": 1,
    "failed": 0,
    "errors": {},
    "company_id": 26049,
    "message": "Product processed successfully",
}
STATUS_PENDING = {
    "trace_id": "b3bbaead9858e85d-1760266497372",
    "status": "pending",
    "stage": "RUNNING",
    "total": 2,
    "success": 0,
    "failed": 0,
    "errors": {},
}
STATUS_PARTIAL = {
    "trace_id": "b3bbaead9858e85d-1760266497372",
    "status": "completed",
    "stage": "PARTIAL",
    "total": 3,
    "success": 1,
    "failed": 2,
    "errors": {"0": [{"field": "slug", "message": "does not match the pattern"}]},
    "batch_id": "68eb89029955e2f2705c981b",
    "company_id": 6900,
    "meta": {
        "cancelled": 0,
        "cancelled_records": [],
        "failed": 2,
        "failed_records": [
            {
                "index": 2,
                "item_code": "TEE-003",
                "errors": [{"field": "attributes.gender", "message": "is required"}],
            }
        ],
        "stage": "partial",
        "succeed": 1,
    },
    "message": "Processed with errors",
    "last_updated_on": "2025-10-12T10:54:59.058168372Z",
}

IMS_META = {
    "ack_id": "679c771cc8f3483beac7862d",
    "integrationId": "64b8e312269b5327f0affee7",
    "time": "2025-01-31T06:58:37.608+00:00",
    "status": "SUCCESS",
}
# The reference's price/inventory answer.
IMS_OK = {
    "data": {"payload_count": 2, "success_count": 2, "failed_count": 0, "errors": []},
    "meta": IMS_META,
}
IMS_PARTIAL = {
    "data": {
        "payload_count": 2,
        "success_count": 1,
        "failed_count": 1,
        "errors": [
            {
                "index": 1,
                "sku": "NOPE",
                "location_id": "BHW-WH-01",
                "code": "IMS404",
                "message": "unknown SKU",
            }
        ],
    },
    "meta": {**IMS_META, "status": "PARTIAL"},
}
LISTING = {
    "sku": "TEE-001-M",
    "item_code": "TEE-001",
    "slug": "crew-tee",
    "name": "Crew Tee",
    "brand": "Kesarlane",
    "size": "M",
    "price": {"mrp": 999, "esp": 799, "currency": "INR"},
    "locations": [{"location_id": "BHW-WH-01", "quantity": 5, "mrp": None, "esp": None}],
    "total_quantity": 5,
    "modified_on": "2026-11-02T10:00:00+05:30",
}

OMS_OK = {"payloadCount": 2, "successCount": 2, "failedCount": 0, "status": "SUCCESS", "errors": []}
OMS_PARTIAL = {
    "payloadCount": 2,
    "successCount": 1,
    "failedCount": 1,
    "status": "PARTIAL",
    "errors": [
        {
            "orderId": "17328629784861446351",
            "code": "CR400",
            "message": "Pack requested while the status is not dp_assigned",
        }
    ],
}
# The reference's shipment example (with the contract's additions).
SHIPMENT: dict[str, Any] = {
    "id": "17328629784861446350",
    "forwardId": "17328629784861446350",
    "marketplaceOrderId": "FY674964020E8E174561",
    "marketplaceReturnId": None,
    "marketplaceInvoiceNumber": None,
    "shippingAddress": {},
    "billingAddress": {},
    "multiPackShipment": False,
    "packages": [],
    "fulfillmentType": "marketplaceFulfilled",
    "sellerInvoiced": False,
    "courierName": "Fynd-Test",
    "courierCode": "Fynd-Test",
    "awbNumber": [],
    "additionalInfo": "You can add additional info here",
    "orderPrice": {},
    "orderItems": [
        {"orderItemId": "1234567", "sku": "TEE-001-M", "quantity": 1, "status": "placed"}
    ],
    "orderStatus": "CREATED",
    "orderDate": "2025-01-25T12:19:38+00:00",
    "orderingChannel": "FYND",
    "is_self_ship": False,
    "shipmentStatus": "placed",
    "locationCode": "BHW-WH-01",
}
COURIER_DETAILS = [
    {
        "courierName": "FyndTest",
        "courierCode": "FyndTest",
        "awbNumber": [],
        "additionalInfo": "You can add additional info here",
        "orderId": "17788083923861469968",
    }
]
TRACKING = {
    "status": "success",
    "tracking": {
        "shipment_id": "17328629784861446350",
        "awb_number": "AWB123",
        "courier": "FyndTest",
        "current_status": "bag_picked",
        "operational_status": "in_transit",
        "last_updated": "2026-11-02T10:00:00+05:30",
        "eta": None,
        "tracking_url": None,
        "location": None,
        "journey": "forward",
        "events": [{"status": "bag_picked", "time": "2026-11-02T09:00:00+05:30"}],
    },
}
PDF = b"%PDF-1.4\n% fake label\n"
