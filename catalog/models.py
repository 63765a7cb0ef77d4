"""Cached Konnect catalog data: reference entities, attribute definitions and products.

Konnect is the source of truth; these rows are a local cache refreshed by sync Jobs. Each
cached row keeps the payload it came from in `raw`, so a field we start using later needs no
migration of old data, only a re-sync.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SyncState(models.Model):
    """When an entity was last synced, by which Job, and how many rows it brought."""

    entity = models.CharField(max_length=40, unique=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_count = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    last_job = models.ForeignKey(
        "konnect_admin.Job", null=True, blank=True, on_delete=models.SET_NULL
    )
    remote_count = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.entity} synced {self.last_synced_at}"


class Department(models.Model):
    uid = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=200, unique=True)
    is_active = models.BooleanField(default=True)
    priority_order = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["priority_order", "uid"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of the L1 → L2 → L3 tree; products are created in L3 categories, by name."""

    uid = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=200, db_index=True)
    level = models.PositiveSmallIntegerField(db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    parent_uid = models.PositiveIntegerField(null=True, blank=True)
    departments = models.ManyToManyField(Department, blank=True, related_name="categories")
    is_active = models.BooleanField(default=True)
    attribute_set = models.CharField(max_length=100, blank=True)
    hs_code = models.CharField(max_length=12, blank=True)
    template_slug = models.CharField(max_length=100, blank=True)
    attributes_synced_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["level", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    uid = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=200, db_index=True)
    department_slugs = models.JSONField(default=list)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Template(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    department_slugs = models.JSONField(default=list)
    attribute_set = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HsCode(models.Model):
    code = models.CharField(max_length=12, unique=True)
    type = models.CharField(max_length=4, db_index=True)  # HS (goods) or SAC (services)
    description = models.CharField(max_length=500)
    gst_rate_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    gst_note = models.CharField(max_length=500, blank=True)
    gst_rule_text = models.CharField(max_length=500, blank=True)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = "HS code"

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class TaxRule(models.Model):
    rule_id = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200, db_index=True)
    tax_name = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, db_index=True)
    version_status = models.CharField(max_length=20, db_index=True)
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)
    slabs = models.JSONField(default=list)
    hs_codes = models.JSONField(default=list)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_usable(self) -> bool:
        return self.status == "ACTIVE" and self.version_status == "CURRENT"


class AttributeDefinition(models.Model):
    """One attribute of an L3 category, as Konnect's product-attributes endpoint describes it."""

    class Type(models.TextChoices):
        STR = "str", "Text"
        INT = "int", "Whole number"
        FLOAT = "float", "Number"
        BOOL = "bool", "Yes / no"
        ENUM = "enum", "One of a list"
        MULTI_ENUM = "multi-enum", "Several of a list"
        DATE = "date", "Date"
        HTML = "html", "Rich text"
        URL = "url", "Web address"

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="attribute_definitions"
    )
    slug = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type.choices)
    required = models.BooleanField(default=False)
    values = models.JSONField(default=list, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    max_length = models.PositiveIntegerField(null=True, blank=True)
    help = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "slug"], name="attrdef_category_slug_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.name}"


class Product(models.Model):
    """A product as last read from Konnect (or as we last sent it, while a write is in flight)."""

    class State(models.TextChoices):
        SYNCED = "synced", "In Konnect"
        PENDING = "pending", "Change in progress"
        FAILED = "failed", "Last change failed"
        DELETED = "deleted", "Deleted"

    item_code = models.CharField(max_length=200, unique=True)
    uid = models.PositiveIntegerField(null=True, blank=True)
    name = models.CharField(max_length=300, db_index=True)
    slug = models.CharField(max_length=300, db_index=True)
    brand = models.CharField(max_length=200, db_index=True)
    brand_uid = models.PositiveIntegerField(null=True, blank=True)
    category_name = models.CharField(max_length=200)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    template = models.CharField(max_length=100)
    hs_code = models.CharField(max_length=12, blank=True)
    tax_rule_id = models.CharField(max_length=40, blank=True)
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.SYNCED, db_index=True
    )
    data = models.JSONField(default=dict)
    remote_modified_on = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_job = models.ForeignKey(
        "konnect_admin.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-synced_at", "-id"]
        indexes = [models.Index(fields=["brand", "slug"], name="product_brand_slug_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.item_code})"


class ProductSize(models.Model):
    """A size (variant) of a product; its primary identifier is the SKU used for price and stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="sizes")
    sku = models.CharField(max_length=200, unique=True)
    size = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    price_effective = models.DecimalField(max_digits=12, decimal_places=2)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["product", "id"]

    def __str__(self) -> str:
        return self.sku
