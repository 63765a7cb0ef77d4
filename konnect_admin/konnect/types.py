"""Shapes of what Konnect sends and receives.

Items and records are TypedDicts (plain dicts at run time, so they store as JSON unchanged);
the envelopes of write answers are frozen dataclasses with the per-record errors already keyed
the way callers map them back: by record index for catalog and IMS writes, by `orderId` for
OMS actions. Keys follow docs/konnect-contract.md; everything Konnect documents only loosely is
`total=False`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, NotRequired, TypedDict, TypeVar

T = TypeVar("T")

# --- catalog reference data ------------------------------------------------------------------


class Department(TypedDict, total=False):
    id: int
    uid: int
    name: str
    slug: str
    is_active: bool
    priority_order: int
    description: str
    logo: str | None


class Category(TypedDict, total=False):
    id: int
    uid: int
    name: str
    slug: str
    level: int
    parent_uid: int | None
    department_uids: list[int]
    is_active: bool
    attribute_set: str | None
    hs_code: str | None
    template_slug: str | None


class Brand(TypedDict, total=False):
    id: int
    uid: int
    name: str
    slug: str
    logo: str | None
    departments: list[str]


class Template(TypedDict, total=False):
    slug: str
    name: str
    departments: list[str]
    attribute_set: str
    description: str


class Attribute(TypedDict, total=False):
    slug: str
    name: str
    type: str  # str int float bool enum multi-enum date html url
    required: bool
    values: list[str]
    unit: str
    max_length: int
    help: str


class GstRule(TypedDict, total=False):
    text: str


class HsCode(TypedDict, total=False):
    hs_code: str
    code: str  # the seed files' name for hs_code; read `hs_code` first
    type: str  # HS | SAC
    description: str
    gst_rate_percent: float
    gst_note: str
    gst_rule: GstRule
    country_code: str


class TaxSlab(TypedDict, total=False):
    threshold_price_upto: float | None
    rate_percent: float


class TaxRule(TypedDict, total=False):
    rule_id: str
    name: str
    tax_name: str
    status: str
    version_status: str
    effective_from: str
    effective_to: str
    slabs: list[TaxSlab]
    hs_codes: list[str]


# --- products ----------------------------------------------------------------------------------


class ProductIdentifier(TypedDict, total=False):
    gtin_value: str
    gtin_type: str
    primary: bool


class ProductSize(TypedDict, total=False):
    primary_identifier: str  # the SKU, unique across the company
    size: str
    price: float
    price_effective: float
    item_length: float
    item_width: float
    item_height: float
    item_weight: float
    track_inventory: bool
    identifiers: list[ProductIdentifier]


class Trader(TypedDict):
    type: str
    name: str
    address: list[str]


class Product(TypedDict, total=False):
    """A product as `GET v3/catalog/product` returns it, and the body of a write (ProductInput)."""

    uid: int
    brand_uid: int
    template: str
    created_on: str
    modified_on: str
    item_type: str
    name: str
    slug: str
    departments: list[str]
    category: str
    brand: str
    item_code: str
    net_quantity: dict[str, Any]
    country_of_origin: str
    tax_identifier: dict[str, str]
    no_of_boxes: int
    hs_code: str
    media: list[dict[str, str]]
    short_description: str
    description: str
    highlights: list[str]
    sizes: list[ProductSize]
    trader: list[Trader]
    attributes: dict[str, Any]
    product_publish: dict[str, Any]
    tags: list[str]
    return_config: dict[str, Any]
    custom_order: dict[str, Any]
    is_dependent: bool | str


# --- IMS -----------------------------------------------------------------------------------------


class ListingLocation(TypedDict, total=False):
    location_id: str
    quantity: int
    mrp: float | None
    esp: float | None


class Listing(TypedDict, total=False):
    sku: str
    item_code: str
    slug: str
    name: str
    brand: str
    size: str
    price: dict[str, Any]  # {"mrp", "esp", "currency"}
    locations: list[ListingLocation]
    total_quantity: int
    modified_on: str


class PriceRecord(TypedDict):
    location_id: str
    sku: str
    esp: float
    mrp: float
    currency: str


class InventoryRecord(TypedDict):
    location_id: str
    sku: str
    quantity: int


# --- OMS -----------------------------------------------------------------------------------------


class Address(TypedDict, total=False):
    name: str
    phone: str
    address1: str
    address2: str
    city: str
    state: str
    pincode: str
    country: str


class Package(TypedDict, total=False):
    packageId: str
    packageLengthCm: float
    packageWidthCm: float
    packageHeightCm: float
    packageWeightGms: float


class ShipmentItem(TypedDict, total=False):
    orderItemId: str
    sku: str
    itemCode: str
    name: str
    size: str
    quantity: int
    mrp: float
    esp: float
    status: str  # Fynd state of the bag (lower-case)
    reasonCode: str | None


class Shipment(TypedDict, total=False):
    id: str
    forwardId: str
    marketplaceOrderId: str
    marketplaceReturnId: str | None
    marketplaceInvoiceNumber: str | None
    shippingAddress: Address
    billingAddress: Address
    multiPackShipment: bool
    packages: list[Package]
    fulfillmentType: str
    sellerInvoiced: bool
    courierName: str
    courierCode: str
    awbNumber: list[str]
    additionalInfo: str
    orderPrice: dict[str, Any]
    orderItems: list[ShipmentItem]
    orderStatus: str  # the bucket (CREATED, CONFIRMED, ...)
    orderDate: str
    orderingChannel: str
    is_self_ship: bool
    shipmentStatus: str  # the Fynd state (lower-case)
    locationCode: str
    lockStatus: bool
    sla: str | None
    invoiceNumber: str | None
    creditNoteNumber: str | None
    returnReason: str | None
    isRto: bool
    updatedAt: str


class ShipmentInfo(TypedDict, total=False):
    id: str
    orderStatus: str
    shipmentStatus: str
    orderType: str  # forward | return
    sla: str | None
    lockStatus: bool
    processingDueTime: str | None


class CourierDetails(TypedDict, total=False):
    orderId: str
    courierName: str
    courierCode: str
    awbNumber: list[str]
    additionalInfo: str


class TrackingEvent(TypedDict, total=False):
    status: str
    time: str
    location: str
    remark: str


class Tracking(TypedDict, total=False):
    shipment_id: str
    awb_number: str
    courier: str
    current_status: str
    operational_status: str
    last_updated: str
    eta: str | None
    tracking_url: str | None
    location: str | None
    journey: str  # forward | return
    events: list[TrackingEvent]


class OrderItemRef(TypedDict):
    orderItemId: str
    quantity: int
    reasonCode: NotRequired[str]
    imeiSerialNumber: NotRequired[list[str]]


class OrderRecord(TypedDict):
    """A record of an OMS action (cancel, confirm, dispatch, return QC): `orderId` plus extras."""

    orderId: str
    orderItems: NotRequired[list[OrderItemRef]]


class InvoiceRecord(TypedDict):
    orderId: str
    invoiceNumber: str
    invoiceType: NotRequired[str]  # set by invoice_update ("sale") and credit_notes ("return")
    invoiceQrCode: NotRequired[str]
    irnNumber: NotRequired[str]
    signedInvoice: NotRequired[str]
    ackNumber: NotRequired[str]
    ackDate: NotRequired[str]
    orderItems: NotRequired[list[OrderItemRef]]
    packages: NotRequired[list[Package]]


class AwbRecord(TypedDict):
    orderId: str
    awbNumber: str
    courierName: str
    autoDispatch: bool


class StatusRecord(TypedDict):
    orderId: str
    orderStatus: str  # bag_picked delivery_done rto_bag_delivered return_bag_in_transit ...
    meta: NotRequired[dict[str, Any]]


# --- envelopes -------------------------------------------------------------------------------


class FieldError(TypedDict):
    field: str
    message: str
    code: NotRequired[str]


class FailedRecord(TypedDict, total=False):
    index: int
    item_code: str
    errors: list[FieldError]


class ImsRecordError(TypedDict, total=False):
    index: int
    sku: str
    location_id: str
    orderId: str  # AWB and status updates share this envelope and name the shipment
    code: str
    message: str


class OmsRecordError(TypedDict, total=False):
    orderId: str
    code: str
    message: str


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a catalog list (`page_number`/`page_size`, with a `total`)."""

    items: list[T]
    page_number: int
    page_size: int
    total: int
    has_next: bool


@dataclass(frozen=True)
class WriteAccepted:
    """The answer to a catalog write: what was accepted for processing under `trace_id`.

    `errors` holds the records rejected at submit, by their index in the request.
    """

    trace_id: str
    total: int
    success: int
    failed: int
    status: str  # SUCCESS | FAILED (nothing accepted)
    errors: dict[int, list[FieldError]] = field(default_factory=dict)
    stage: str = ""

    @property
    def nothing_accepted(self) -> bool:
        return self.success == 0


@dataclass(frozen=True)
class TraceStatus:
    """Where an asynchronous catalog write stands (`GET v3/catalog/status`)."""

    trace_id: str
    status: str  # pending | completed | failed
    stage: str  # RUNNING | COMPLETED | PARTIAL | FAILED
    total: int
    succeeded: int
    failed: int
    errors: dict[int, list[FieldError]] = field(default_factory=dict)
    failed_records: list[FailedRecord] = field(default_factory=list)
    message: str = ""

    @property
    def is_terminal(self) -> bool:
        return self.status.lower() in {"completed", "failed", "success"} or self.stage.upper() in {
            "COMPLETED",
            "PARTIAL",
            "FAILED",
            "CANCELLED",
        }

    @property
    def is_pending(self) -> bool:
        return not self.is_terminal


@dataclass(frozen=True)
class ImsResult:
    """Envelope A: price and inventory writes (and the self-ship AWB and status updates)."""

    payload_count: int
    success_count: int
    failed_count: int
    errors: list[ImsRecordError]
    ack_id: str
    status: str  # SUCCESS | PARTIAL | FAILED

    def errors_by_index(self) -> dict[int, list[ImsRecordError]]:
        found: dict[int, list[ImsRecordError]] = {}
        for error in self.errors:
            if "index" in error:
                found.setdefault(int(error["index"]), []).append(error)
        return found

    def error_for_order(self, order_id: str) -> ImsRecordError | None:
        return next((e for e in self.errors if e.get("orderId") == order_id), None)


@dataclass(frozen=True)
class OmsResult:
    """Envelope B: OMS actions; per-record refusals are keyed by `orderId`."""

    payload_count: int
    success_count: int
    failed_count: int
    errors: list[OmsRecordError]
    status: str  # SUCCESS | PARTIAL | FAILED

    def error_for(self, order_id: str) -> OmsRecordError | None:
        return next((e for e in self.errors if e.get("orderId") == order_id), None)

    @property
    def failed_order_ids(self) -> list[str]:
        return [str(e["orderId"]) for e in self.errors if e.get("orderId")]
