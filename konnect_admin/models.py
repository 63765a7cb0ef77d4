"""Cross-cutting models: locations and staff, the Job ledger, and the audit trail."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class Access(models.Model):
    """Holds the capability permissions that roles are made of; it has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_catalog", "Browse catalog reference data and products"),
            ("manage_catalog", "Create, update and delete products"),
            ("manage_prices_inventory", "Change prices and stock"),
            ("view_shipments", "See shipments"),
            ("manage_shipments", "Run shipment workflow actions"),
            ("manage_returns", "Quality-check returns and raise credit notes"),
            ("bulk_upload", "Bulk-upload products, prices and inventory"),
            ("manage_settings", "Manage the Konnect connection and locations"),
            ("manage_users", "Manage users and roles"),
            ("view_audit", "Read and export the audit log"),
        ]

    def __str__(self) -> str:
        return "access"


class Location(models.Model):
    """A Konnect selling location (store or warehouse), identified by its location code."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class StaffProfile(models.Model):
    """Per-user settings: the Konnect locations a user is bound to (empty = all locations)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    locations = models.ManyToManyField(Location, blank=True, related_name="staff")

    def __str__(self) -> str:
        return f"profile of {self.user}"


class Job(models.Model):
    """One background operation: the stored intent (outbox) and its live progress.

    A Job is written before anything is sent to Konnect; its items carry per-record state so a
    killed worker or an outage leaves it resumable. Counters are recomputed from items, never
    incremented, so a repeated step cannot double-count.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        RUNNING = "running", "Running"
        WAITING = "waiting", "Waiting"
        SUCCEEDED = "succeeded", "Completed"
        PARTIAL = "partial", "Completed with errors"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    TERMINAL: ClassVar[frozenset[str]] = frozenset({"succeeded", "partial", "failed", "cancelled"})

    kind = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    title = models.CharField(max_length=300)
    message = models.CharField(max_length=500, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    trace_id = models.CharField(max_length=100, blank=True, db_index=True)
    params = models.JSONField(default=dict, blank=True)
    state = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_run_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_run_at"], name="job_due_idx")]

    def __str__(self) -> str:
        return f"Job {self.pk} {self.kind} {self.status}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def processed(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        if self.is_terminal and not self.total:
            return 100
        if not self.total:
            return 0
        return min(100, round(100 * self.processed / self.total))


class JobItem(models.Model):
    """One record of a Job (a product, a price row, a shipment): what to send and what happened."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sent, outcome unknown"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveIntegerField()
    key = models.CharField(max_length=200, db_index=True)
    batch = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    payload = models.JSONField(default=dict, blank=True)
    before = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    message = models.TextField(blank=True)
    field = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["job", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["job", "seq"], name="jobitem_job_seq_unique")
        ]
        indexes = [models.Index(fields=["job", "status"], name="jobitem_job_status_idx")]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.seq} {self.key} {self.status}"


class AuditEvent(models.Model):
    """Who did what to which object, with a before/after summary and the outcome."""

    class Outcome(models.TextChoices):
        REQUESTED = "requested", "Requested"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partly succeeded"
        FAILED = "failed", "Failed"
        DENIED = "denied", "Denied"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    actor = models.CharField(
        max_length=150, help_text="username at the time, kept if the user is deleted"
    )
    action = models.CharField(max_length=80, db_index=True)
    source = models.CharField(max_length=32, default="ui")
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=200, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCEEDED)
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="audit_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    @staticmethod
    def summarise(value: Any, limit: int = 40) -> Any:
        """Keep audit payloads small: long lists are cut with a count of what was left out."""
        if isinstance(value, list) and len(value) > limit:
            return [*value[:limit], f"... {len(value) - limit} more"]
        return value


class LocationCredential(models.Model):
    """A location's own Konnect username and password, stored by an admin.

    The password is Fernet-encrypted (konnect_admin.konnect.credentials); it is never shown
    again, only replaced or removed. Environment credentials (KONNECT_LOCATION_CREDENTIALS)
    take precedence over a stored pair.
    """

    location = models.OneToOneField(
        Location, on_delete=models.CASCADE, related_name="konnect_credential"
    )
    username = models.CharField(max_length=200)
    password_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["location__code"]

    def __str__(self) -> str:
        return f"Konnect credentials of {self.location.code}"

    def __repr__(self) -> str:
        return f"<LocationCredential {self.location_id} username={self.username!r}>"
