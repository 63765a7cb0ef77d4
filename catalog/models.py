"""Cached Konnect catalog data: reference entities, attribute definitions and products.

Konnect is the source of truth; these rows are a local cache refreshed by sync Jobs. Each
cached row keeps the payload it came from in `raw`, so a field we start using later needs no
migration of old data, only a re-sync.
"""

from __future__ import annotations

from django.conf import settings
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


class StockLevel(models.Model):
    """Stock of a SKU at a location and that location's price override, as last read from
    Konnect's listings (`GET ims/v3/listings`) or as last written by a successful job.

    One row holds both because Konnect's listing reports them together per location, and the
    sandbox creates the stock row with quantity 0 when a price record arrives first. `mrp` and
    `esp` are None while the location has no price of its own (the size's price applies).
    """

    sku = models.CharField(max_length=200)
    location_code = models.CharField(max_length=64)
    quantity = models.IntegerField(default=0)
    mrp = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    esp = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)
    last_job = models.ForeignKey(
        "konnect_admin.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sku", "location_code"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "location_code"], name="stocklevel_sku_location")
        ]

    def __str__(self) -> str:
        return f"{self.sku}@{self.location_code}: {self.quantity}"


class Upload(models.Model):
    """A bulk file as the user sent it (kept byte for byte, for the result file) and what
    checking it found. Rows that pass go to Konnect only when the user commits."""

    class Kind(models.TextChoices):
        PRODUCTS = "products", "Products"
        PRICES = "prices", "Prices"
        INVENTORY = "inventory", "Inventory"

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking"
        REFUSED = "refused", "Refused"
        CHECKED = "checked", "Checked, not sent"
        COMMITTED = "committed", "Sent to Konnect"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.CHECKING, db_index=True
    )
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)  # csv | xlsx
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content = models.BinaryField()
    dialect = models.JSONField(default=dict, blank=True)  # encoding, delimiter, bom, sep line
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template_slug = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)  # why the whole file was refused
    notices = models.JSONField(default=list, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    invalid_rows = models.PositiveIntegerField(default=0)
    changed_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)
    uncached_rows = models.PositiveIntegerField(default=0)
    check_seconds = models.FloatField(null=True, blank=True)
    check_job = models.ForeignKey(
        "konnect_admin.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commit_job = models.ForeignKey(
        "konnect_admin.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} upload {self.filename}"


class UploadRow(models.Model):
    """One data row of an upload: its verdict, the record it becomes, the value it replaces.

    `row` is the row number as the spreadsheet shows it (the header is row 1). For products,
    the row that first names an item code carries the product's payload; its other rows
    (more sizes) share the key and the verdict.
    """

    class Status(models.TextChoices):
        INVALID = "invalid", "Has errors"
        CHANGE = "change", "Will change"
        SAME = "same", "Unchanged"

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices)
    key = models.CharField(max_length=300)
    payload = models.JSONField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)  # [[column, message], ...]
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["upload", "row"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "row"], name="uploadrow_upload_row")
        ]
        indexes = [models.Index(fields=["upload", "status", "row"], name="uploadrow_status_idx")]

    def __str__(self) -> str:
        return f"{self.upload_id} row {self.row}: {self.status}"
