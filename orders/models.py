"""The shipment cache: Konnect's unit of work (the shipment and its bags), its timeline, and
the per-user and per-sync bookkeeping around it.

Konnect is the source of truth. Rows are written by the sync (idempotent bulk upserts), by the
read-back after an action, and by an action's confirmed outcome; the columns the queue filters
and sorts on are denormalised from the raw payload, which is kept whole in `raw`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from orders import workflow


class Shipment(models.Model):
    shipment_id = models.CharField(max_length=32, unique=True)  # Konnect `id` / `orderId`
    forward_id = models.CharField(max_length=32, blank=True, db_index=True)
    order_id = models.CharField(max_length=40, db_index=True)  # marketplaceOrderId
    return_id = models.CharField(max_length=40, blank=True)  # marketplaceReturnId
    location_code = models.CharField(max_length=64)
    channel = models.CharField(max_length=40)
    bucket = models.CharField(max_length=32)  # Konnect orderStatus
    lane = models.CharField(max_length=16)  # the queue lane (the bucket, returns grouped)
    state = models.CharField(max_length=40)  # Fynd state (shipmentStatus)
    is_self_ship = models.BooleanField(default=False)
    is_return = models.BooleanField(default=False)
    is_rto = models.BooleanField(default=False)
    order_date = models.DateTimeField()
    # Dispatch-by time: Konnect's `sla`, or the order date when it sends none (never null, so
    # it can carry a keyset order).
    due_at = models.DateTimeField()
    sla_at = models.DateTimeField(null=True, blank=True)
    processing_due_at = models.DateTimeField(null=True, blank=True)
    lock_status = models.BooleanField(default=False)
    courier_name = models.CharField(max_length=80, blank=True)
    courier_code = models.CharField(max_length=80, blank=True)
    awb_number = models.CharField(max_length=64, blank=True, db_index=True)
    invoice_number = models.CharField(max_length=64, blank=True, db_index=True)
    credit_note_number = models.CharField(max_length=64, blank=True)
    return_reason = models.CharField(max_length=200, blank=True)
    customer_name = models.CharField(max_length=120, blank=True)
    customer_city = models.CharField(max_length=80, blank=True)
    customer_pincode = models.CharField(max_length=12, blank=True)
    item_count = models.PositiveIntegerField(default=0)  # units in active bags
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="INR")
    raw = models.JSONField(default=dict, blank=True)
    konnect_updated_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)
    info_refreshed_at = models.DateTimeField(null=True, blank=True)
    tracking = models.JSONField(null=True, blank=True)
    tracking_fetched_at = models.DateTimeField(null=True, blank=True)
    # An action in flight: set with the row locked when the Job is stored, cleared when the
    # shipment's item of that Job is settled. A second action is refused meanwhile.
    pending_action = models.CharField(max_length=32, blank=True)
    pending_job = models.ForeignKey(
        "konnect_admin.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Returns: kept by the dashboard, never written by the sync (not in its update fields).
    # `return_qc` is the last QC decision ("", "accepted", "rejected"): Konnect has no call and
    # no field for a rejection. `credit_note_date` is the date of our credit note document.
    return_qc = models.CharField(max_length=16, blank=True)
    credit_note_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["lane", "due_at", "id"], name="ship_lane_due"),
            models.Index(fields=["lane", "order_date", "id"], name="ship_lane_date"),
            models.Index(
                fields=["location_code", "lane", "due_at", "id"], name="ship_loc_lane_due"
            ),
            models.Index(
                fields=["location_code", "lane", "order_date", "id"], name="ship_loc_lane_date"
            ),
            models.Index(
                fields=["location_code", "bucket", "order_date"], name="ship_loc_bucket_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Shipment {self.shipment_id} ({self.state})"

    @property
    def state_label(self) -> str:
        if self.is_self_ship and self.state == "dp_assigned":
            return "Invoiced, AWB to enter" if not self.awb_number else "AWB entered"
        return workflow.state_label(self.state)

    @property
    def channel_label(self) -> str:
        return workflow.CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def is_breached(self) -> bool:
        return self.lane in workflow.WORK_LANES and self.due_at < timezone.now()

    @property
    def shipping_address(self) -> dict[str, Any]:
        return dict(self.raw.get("shippingAddress") or {})

    @property
    def billing_address(self) -> dict[str, Any]:
        return dict(self.raw.get("billingAddress") or {})

    @property
    def price(self) -> dict[str, Any]:
        return dict(self.raw.get("orderPrice") or {})

    @property
    def packages(self) -> list[dict[str, Any]]:
        return list(self.raw.get("packages") or [])

    @property
    def qc_rejected(self) -> bool:
        """Rejected at QC by the dashboard and still delivered back on Konnect."""
        return self.return_qc == workflow.QC_REJECTED and self.state in workflow.DELIVERED_BACK


class ShipmentItem(models.Model):
    """A bag: one line of the shipment with its own Fynd state."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    order_item_id = models.CharField(max_length=32, unique=True)
    position = models.PositiveIntegerField(default=0)
    sku = models.CharField(max_length=200, db_index=True)
    item_code = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=300, blank=True)
    size = models.CharField(max_length=60, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    mrp = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    esp = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    state = models.CharField(max_length=40)
    reason_code = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["shipment", "position", "order_item_id"]

    def __str__(self) -> str:
        return f"{self.order_item_id} {self.sku} x{self.quantity}"

    @property
    def is_cancelled(self) -> bool:
        return self.state in workflow.CANCELLED_STATES

    @property
    def state_label(self) -> str:
        return workflow.state_label(self.state)

    @property
    def line_total(self) -> Any:
        return self.esp * self.quantity


class ShipmentEvent(models.Model):
    """The timeline: state changes seen by the sync, and our own actions with their outcome."""

    class Source(models.TextChoices):
        SYNC = "sync", "Konnect"
        ACTION = "action", "Dashboard"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, choices=Source.choices)
    kind = models.CharField(max_length=40)  # "state", "first_seen", or an action name
    state = models.CharField(max_length=40, blank=True)
    previous_state = models.CharField(max_length=40, blank=True)
    message = models.CharField(max_length=500, blank=True)
    ok = models.BooleanField(default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    job = models.ForeignKey(
        "konnect_admin.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["shipment", "at"], name="shipevent_shipment_at")]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def state_label(self) -> str:
        return workflow.state_label(self.state) if self.state else ""


class SavedView(models.Model):
    """A named set of queue filters, private to one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_shipment_views"
    )
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="savedview_user_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"


class SyncState(models.Model):
    """When a bucket of a location was last synced to the end, and how many shipments it had."""

    location_code = models.CharField(max_length=64)
    bucket = models.CharField(max_length=32)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_count = models.PositiveIntegerField(default=0)
    last_job = models.ForeignKey(
        "konnect_admin.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["location_code", "bucket"], name="syncstate_location_bucket_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location_code} {self.bucket} synced {self.last_synced_at}"


class ShipmentDocument(models.Model):
    """Labels or customer invoices of one or more shipments, merged into one printable PDF.

    Stored in the database (not a local file) so any web machine can serve it.
    """

    class Kind(models.TextChoices):
        LABELS = "labels", "Shipping labels"
        INVOICES = "invoices", "Customer invoices"

    job = models.OneToOneField(
        "konnect_admin.Job", on_delete=models.CASCADE, related_name="shipment_document"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    shipment_ids = models.JSONField(default=list)
    location_codes = models.JSONField(default=list)
    pdf = models.BinaryField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of job {self.job_id}"

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.job_id}.pdf"


# --- returns: quality check and photos ------------------------------------------------------


class ReturnCheck(models.Model):
    """One quality check of a return or RTO: the decision per item, made in the dashboard.

    An acceptance is sent to Konnect (POST return, through its Job); a rejection has no
    Konnect call and is only recorded here. A return can be checked more than once (a
    rejection, then an acceptance after all); the newest check is the one that stands.
    """

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        RECORDED = "recorded", "Recorded"
        REFUSED = "refused", "Refused by Konnect"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="return_checks")
    job = models.ForeignKey(
        "konnect_admin.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    message = models.CharField(max_length=500, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["shipment", "created_at"], name="returncheck_ship_at")]

    def __str__(self) -> str:
        return f"QC {self.outcome} of {self.shipment_id} ({self.status})"


class ReturnItemCheck(models.Model):
    """The decision on one item of a return: accept or reject, with the reference 13.2
    condition (an empty reason is GOOD condition) and an optional note."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", "Accept"
        REJECT = "reject", "Reject"

    qc = models.ForeignKey(ReturnCheck, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    order_item_id = models.CharField(max_length=32)
    sku = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=300, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["qc", "position", "id"]

    def __str__(self) -> str:
        return f"{self.order_item_id} {self.decision} {self.reason_code or 'good'}"

    @property
    def reason_label(self) -> str:
        return workflow.qc_reason_label(self.reason_code)


def _photo_path(instance: ReturnPhoto, filename: str) -> str:
    """A name of our own (never the uploader's), by month: returns/2026/11/<uuid>.jpg."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"returns/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class ReturnPhoto(models.Model):
    """A photo taken at quality check, stored with Django's default storage (MEDIA_ROOT) and
    served only through a view that checks the user may see the shipment."""

    line = models.ForeignKey(ReturnItemCheck, on_delete=models.CASCADE, related_name="photos")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="return_photos")
    image = models.FileField(upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["line", "id"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of {self.shipment_id}"
