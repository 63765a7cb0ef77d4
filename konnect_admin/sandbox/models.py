"""State of the Konnect emulator. Reference data (departments, categories, ...) is not here:
it is read-only and served from the seed JSON in memory (see reference.py).

Every table is prefixed `sandbox_` by the app label, so the sandbox can be dropped or reset
without touching the dashboard's own tables.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Token(models.Model):
    """An issued x-access-token. An empty location_code means company scope."""

    key = models.CharField(max_length=64, unique=True)
    username = models.CharField(max_length=150)
    location_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"token of {self.username}"

    @property
    def is_company(self) -> bool:
        return not self.location_code

    def covers(self, location_code: str) -> bool:
        return self.is_company or self.location_code == location_code


class Product(models.Model):
    """A product as stored by a create, without its sizes (those are Size rows)."""

    uid = models.PositiveIntegerField(unique=True)
    item_code = models.CharField(max_length=200, unique=True)
    slug = models.CharField(max_length=300)
    name = models.CharField(max_length=300)
    brand = models.CharField(max_length=200)
    brand_uid = models.PositiveIntegerField()
    template = models.CharField(max_length=100)
    data = models.JSONField()  # the ProductInput fields except "sizes"
    created_on = models.DateTimeField(db_index=True)
    modified_on = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "slug"], name="sandbox_product_brand_slug")
        ]

    def __str__(self) -> str:
        return self.item_code


class Size(models.Model):
    """One size (variant) of a product; its primary_identifier is the SKU, unique company-wide."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="sizes")
    sku = models.CharField(max_length=200, unique=True)
    size = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    price_effective = models.DecimalField(max_digits=12, decimal_places=2)
    data = models.JSONField()  # the ProductSize object as sent
    modified_on = models.DateTimeField()

    class Meta:
        ordering = ["product_id", "position", "id"]

    def __str__(self) -> str:
        return self.sku


class Stock(models.Model):
    """Per-location stock of a SKU and the location's price override (ims/v3/price)."""

    size = models.ForeignKey(Size, on_delete=models.CASCADE, related_name="stocks")
    location_code = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField(default=0)
    mrp = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    esp = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="INR")
    modified_on = models.DateTimeField()

    class Meta:
        ordering = ["location_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["size", "location_code"], name="sandbox_stock_size_location"
            )
        ]

    def __str__(self) -> str:
        return f"{self.size_id}@{self.location_code}"


class Trace(models.Model):
    """One catalog write (create/update/delete): accepted records wait until due_at, then the
    batch is applied exactly once and the trace turns terminal."""

    class Status(models.TextChoices):
        PENDING = "pending"
        PROCESSING = "processing"  # only ever seen inside the applying transaction
        COMPLETED = "completed"
        FAILED = "failed"

    trace_id = models.CharField(max_length=40, unique=True)
    batch_id = models.CharField(max_length=24)
    operation = models.CharField(max_length=10)  # create | update | delete
    template = models.CharField(max_length=100)
    request_id = models.CharField(max_length=40)
    records = models.JSONField(default=list)  # [{"index": i, "record": {...}}] accepted at submit
    total = models.PositiveIntegerField()
    submit_errors = models.JSONField(default=dict)  # {"3": [{"field", "message"}]}
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(max_length=12, default="RUNNING")
    success = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=dict)
    failed_records = models.JSONField(default=list)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"], name="sandbox_trace_due")]

    def __str__(self) -> str:
        return self.trace_id


class Shipment(models.Model):
    """A Fynd shipment (Konnect's `orderId`): forward, RTO (forward with is_rto) or customer
    return (its own id, forward_id pointing at the forward shipment)."""

    shipment_id = models.CharField(max_length=20, unique=True)
    forward_id = models.CharField(max_length=20, db_index=True)
    order_id = models.CharField(max_length=24)  # marketplaceOrderId, FY + 18 hex
    marketplace_return_id = models.CharField(max_length=24, null=True, blank=True)
    marketplace_invoice_number = models.CharField(max_length=64, null=True, blank=True)
    location_code = models.CharField(max_length=64)
    channel = models.CharField(max_length=32)
    state = models.CharField(max_length=40)  # Fynd state, lower-case
    bucket = models.CharField(max_length=32)  # Konnect orderStatus, derived from state
    is_self_ship = models.BooleanField(default=False)
    is_return = models.BooleanField(default=False)
    is_rto = models.BooleanField(default=False)
    order_date = models.DateTimeField()
    sla = models.DateTimeField()
    customer_name = models.CharField(max_length=120)
    shipping_address = models.JSONField(default=dict)
    billing_address = models.JSONField(default=dict)
    packages = models.JSONField(default=list)
    courier_name = models.CharField(max_length=80, blank=True)
    courier_code = models.CharField(max_length=80, blank=True)
    awb_number = models.CharField(max_length=40, blank=True, db_index=True)  # one AWB
    additional_info = models.CharField(max_length=300, blank=True)
    shipping_charge = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    invoice_number = models.CharField(max_length=64, null=True, blank=True)
    invoice_data = models.JSONField(default=dict)  # irnNumber, ackNumber, ... as pushed
    credit_note_number = models.CharField(max_length=64, null=True, blank=True)
    return_reason = models.CharField(max_length=200, null=True, blank=True)
    dp_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["bucket", "location_code", "order_date"], name="sandbox_ship_bucket"
            ),
            models.Index(fields=["location_code", "order_date"], name="sandbox_ship_location"),
            models.Index(fields=["updated_at"], name="sandbox_ship_updated"),
        ]

    def __str__(self) -> str:
        return self.shipment_id


class ShipmentItem(models.Model):
    """A bag (Konnect `orderItemId`) with its own Fynd state, for partial cancel/confirm."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    item_id = models.CharField(max_length=20, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    sku = models.CharField(max_length=200)
    item_code = models.CharField(max_length=200)
    name = models.CharField(max_length=300)
    size = models.CharField(max_length=100)
    quantity = models.PositiveIntegerField(default=1)
    mrp = models.DecimalField(max_digits=12, decimal_places=2)
    esp = models.DecimalField(max_digits=12, decimal_places=2)
    state = models.CharField(max_length=40)
    reason_code = models.CharField(max_length=40, blank=True)
    qc_reason = models.CharField(max_length=60, blank=True)
    imei = models.JSONField(default=list)

    class Meta:
        ordering = ["shipment_id", "position", "id"]

    def __str__(self) -> str:
        return self.item_id


class ShipmentEvent(models.Model):
    """The timeline: one row per state change or milestone, whoever caused it."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(max_length=40)
    event = models.CharField(max_length=40)  # the action or Fynd event that caused it
    source = models.CharField(max_length=10)  # konnect | fynd | seed
    remark = models.CharField(max_length=300, blank=True)
    location = models.CharField(max_length=120, blank=True)
    request_id = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.state}"


def _fault_defaults() -> dict[str, Any]:
    return {
        "latency_ms": settings.SANDBOX_FAULT_LATENCY_MS,
        "error_rate": settings.SANDBOX_FAULT_ERROR_RATE,
        "error_status": settings.SANDBOX_FAULT_ERROR_STATUS,
        "timeout_rate": settings.SANDBOX_FAULT_TIMEOUT_RATE,
        "timeout_seconds": settings.SANDBOX_FAULT_TIMEOUT_SECONDS,
        "reset_rate": settings.SANDBOX_FAULT_RESET_RATE,
        "reset_apply_rate": settings.SANDBOX_FAULT_RESET_APPLY_RATE,
        "rate_limit_rate": settings.SANDBOX_FAULT_RATE_LIMIT_RATE,
        "retry_after": settings.SANDBOX_FAULT_RETRY_AFTER,
        "outage": settings.SANDBOX_FAULT_OUTAGE,
    }


class FaultSettings(models.Model):
    """The fault knobs in force (a single row, pk=1), initialised from SANDBOX_FAULT_*."""

    latency_ms = models.PositiveIntegerField(default=0)
    error_rate = models.FloatField(default=0.0)
    error_status = models.PositiveSmallIntegerField(default=503)
    timeout_rate = models.FloatField(default=0.0)
    timeout_seconds = models.FloatField(default=35.0)
    reset_rate = models.FloatField(default=0.0)
    reset_apply_rate = models.FloatField(default=0.5)
    rate_limit_rate = models.FloatField(default=0.0)
    retry_after = models.PositiveIntegerField(default=2)
    outage = models.BooleanField(default=False)

    KNOBS = (
        "latency_ms",
        "error_rate",
        "error_status",
        "timeout_rate",
        "timeout_seconds",
        "reset_rate",
        "reset_apply_rate",
        "rate_limit_rate",
        "retry_after",
        "outage",
    )

    def __str__(self) -> str:
        return "sandbox faults"

    @classmethod
    def load(cls) -> FaultSettings:
        row, _ = cls.objects.get_or_create(pk=1, defaults=_fault_defaults())
        return row

    @classmethod
    def restore_defaults(cls) -> FaultSettings:
        row, _ = cls.objects.update_or_create(pk=1, defaults=_fault_defaults())
        return row

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.KNOBS}


class Effect(models.Model):
    """The effect ledger: one row per applied record of every write, so a test or a soak run
    can prove that nothing was lost and nothing applied twice."""

    operation = models.CharField(max_length=40)
    key = models.CharField(max_length=240)
    request_id = models.CharField(max_length=40)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["operation", "key"], name="sandbox_effect_key")]

    def __str__(self) -> str:
        return f"{self.operation} {self.key}"
