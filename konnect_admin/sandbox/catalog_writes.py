"""Asynchronous catalog writes: submit -> trace (pending) -> applied once when due.

Submit (POST/PUT/DELETE v3/catalog/product) refuses bad requests outright (400), checks each
record's schema (validation.py), stores the accepted records in a Trace due after
SANDBOX_TRACE_DELAY_SECONDS and answers with the trace id. When the trace is due (checked
lazily before every sandbox request), its records are checked against the reference data and
the catalog, applied one by one, and the trace turns terminal, all in one transaction that
first claims the trace with a conditional UPDATE: two concurrent requests cannot apply it
twice, and a crash leaves it pending to be applied by the next request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from konnect_admin.sandbox import effects, ids
from konnect_admin.sandbox.models import Product, Size, Trace
from konnect_admin.sandbox.reference import reference
from konnect_admin.sandbox.validation import (
    Errors,
    attribute_errors,
    product_create_errors,
    product_delete_errors,
    product_update_errors,
)
from konnect_admin.sandbox.wire import ApiError, batch_limit, invalid, iso_z, not_found

CATALOG_BATCH_LIMIT = 100
SCHEMAS: dict[str, Callable[[Mapping[str, Any]], Errors]] = {
    "create": product_create_errors,
    "update": product_update_errors,
    "delete": product_delete_errors,
}
FIRST_PRODUCT_UID = 100001


# --- submit -----------------------------------------------------------------------------------


def submit(operation: str, body: Any, request_id: str, now: datetime) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid("The body must be a JSON object with products and template.")
    products = body.get("products")
    if not isinstance(products, list) or not products:
        raise invalid("products must be a non-empty array.", "products", "required")
    if len(products) > CATALOG_BATCH_LIMIT:
        raise batch_limit(CATALOG_BATCH_LIMIT, len(products))
    template = body.get("template")
    if not isinstance(template, str) or not template:
        raise invalid("template is required.", "template", "required")
    if template not in reference().template_by_slug:
        raise invalid(f"Unknown template {template!r}.", "template", "unknown")
    not_objects = [i for i, p in enumerate(products) if not isinstance(p, dict)]
    if not_objects:
        raise ApiError(
            400,
            "VALIDATION_FAILED",
            "Every product must be a JSON object.",
            [
                {"field": f"products[{i}]", "code": "type", "message": "must be an object"}
                for i in not_objects
            ],
        )
    schema = SCHEMAS[operation]
    accepted: list[dict[str, Any]] = []
    submit_errors: dict[str, Errors] = {}
    for index, record in enumerate(products):
        problems = schema(record)
        if problems:
            submit_errors[str(index)] = problems
        else:
            accepted.append({"index": index, "record": record})
    trace = Trace.objects.create(
        trace_id=ids.trace_id(now),
        batch_id=ids.hex24(),
        operation=operation,
        template=template,
        request_id=request_id,
        records=accepted,
        total=len(products),
        submit_errors=submit_errors,
        created_at=now,
        due_at=now + timedelta(seconds=settings.SANDBOX_TRACE_DELAY_SECONDS),
    )
    return {
        "trace_id": trace.trace_id,
        "total": trace.total,
        "success": len(accepted),
        "failed": len(submit_errors),
        "status": "SUCCESS" if accepted else "FAILED",
        "errors": submit_errors,
        "stage": "RUNNING",
        "company_id": settings.KONNECT_COMPANY_ID,
    }


# --- status -----------------------------------------------------------------------------------


def status_body(trace_id: str) -> dict[str, Any]:
    trace = Trace.objects.filter(trace_id=trace_id).first()
    if trace is None:
        raise not_found(f"Unknown trace_id {trace_id!r}.")
    pending = trace.status in (Trace.Status.PENDING, Trace.Status.PROCESSING)
    failed_records = trace.failed_records if not pending else _submit_failures(trace)
    failed = trace.failed if not pending else len(trace.submit_errors)
    errors = trace.errors if not pending else trace.submit_errors
    success = trace.success if not pending else 0
    return {
        "trace_id": trace.trace_id,
        "status": "pending" if pending else trace.status,
        "stage": trace.stage,
        "total": trace.total,
        "success": success,
        "failed": failed,
        "errors": errors,
        "batch_id": trace.batch_id,
        "company_id": settings.KONNECT_COMPANY_ID,
        "message": _message(trace, pending),
        "meta": {
            "cancelled": 0,
            "cancelled_records": [],
            "failed": failed,
            "failed_records": failed_records,
            "stage": trace.stage.lower(),
            "succeed": success,
        },
        "last_updated_on": iso_z(trace.completed_at or trace.created_at),
    }


def _message(trace: Trace, pending: bool) -> str:
    if pending:
        return "Products are being processed"
    if trace.stage == "COMPLETED":
        return "Product processed successfully"
    if trace.stage == "PARTIAL":
        return f"{trace.failed} of {trace.total} products failed"
    return "No product was processed"


def _submit_failures(trace: Trace) -> list[dict[str, Any]]:
    return [
        {"index": int(index), "item_code": None, "errors": errors}
        for index, errors in trace.submit_errors.items()
    ]


# --- processing -------------------------------------------------------------------------------


def process_due(now: datetime) -> int:
    """Apply every pending trace whose time has come; returns how many were applied."""
    due = list(
        Trace.objects.filter(status=Trace.Status.PENDING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:50]
    )
    applied = 0
    for pk in due:
        with transaction.atomic():
            claimed = Trace.objects.filter(pk=pk, status=Trace.Status.PENDING).update(
                status=Trace.Status.PROCESSING
            )
            if claimed:
                _apply(Trace.objects.get(pk=pk), now)
                applied += 1
    return applied


APPLIERS: dict[str, Callable[[Mapping[str, Any], Trace, datetime], Errors]]


def _apply(trace: Trace, now: datetime) -> None:
    failures = [
        {"index": int(index), "item_code": None, "errors": errors}
        for index, errors in trace.submit_errors.items()
    ]
    applied = 0
    for entry in trace.records:
        record = entry["record"]
        with transaction.atomic():  # a failing record leaves nothing behind
            problems = APPLIERS[trace.operation](record, trace, now)
            if problems:
                transaction.set_rollback(True)
        if problems:
            failures.append(
                {"index": entry["index"], "item_code": record.get("item_code"), "errors": problems}
            )
        else:
            applied += 1
    failures.sort(key=lambda f: f["index"])
    trace.success = applied
    trace.failed = trace.total - applied
    trace.failed_records = failures
    trace.errors = {str(f["index"]): f["errors"] for f in failures}
    if applied == trace.total:
        trace.status, trace.stage = Trace.Status.COMPLETED, "COMPLETED"
    elif applied:
        trace.status, trace.stage = Trace.Status.COMPLETED, "PARTIAL"
    else:
        trace.status, trace.stage = Trace.Status.FAILED, "FAILED"
    trace.completed_at = now
    trace.save()


def reference_errors(doc: Mapping[str, Any], template: str) -> Errors:
    """Does every reference of the (complete) product resolve, and do its attributes and
    prices hold? Used for creates and for the merged document of an update."""
    ref = reference()
    errors: Errors = []
    product_departments: set[int] = set()
    for index, raw in enumerate(doc.get("departments") or []):
        department = ref.department_by_uid.get(int(raw))
        if department is None:
            errors.append(
                {"field": f"departments[{index}]", "message": f"unknown department {raw}"}
            )
        elif not department["is_active"]:
            errors.append(
                {"field": f"departments[{index}]", "message": f"department {raw} is inactive"}
            )
        else:
            product_departments.add(department["uid"])
    category = ref.l3_by_name.get(doc.get("category", ""))
    if category is None:
        errors.append(
            {"field": "category", "message": f"{doc.get('category')!r} is not an L3 category"}
        )
    elif not category["is_active"]:
        errors.append({"field": "category", "message": f"category {category['name']} is inactive"})
    else:
        category_departments = set(category["department_uids"])
        if product_departments and not category_departments & product_departments:
            errors.append(
                {
                    "field": "category",
                    "message": "the category is in none of the product's departments",
                }
            )
        if not category_departments <= ref.template_department_uids(template):
            errors.append(
                {
                    "field": "template",
                    "message": f"template {template} does not cover this category",
                }
            )
        attributes = doc.get("attributes") or {}
        errors.extend(attribute_errors(attributes, ref.attributes_of(category["name"])))
    if doc.get("brand") not in ref.brand_by_name:
        errors.append({"field": "brand", "message": f"unknown brand {doc.get('brand')!r}"})
    if doc.get("hs_code") not in ref.hs_by_code:
        errors.append(
            {"field": "hs_code", "message": f"unknown HS/SAC code {doc.get('hs_code')!r}"}
        )
    rule_id = (doc.get("tax_identifier") or {}).get("tax_rule_id")
    rule = ref.tax_rule_by_id.get(rule_id or "")
    if rule is None:
        errors.append(
            {"field": "tax_identifier.tax_rule_id", "message": f"unknown tax rule {rule_id!r}"}
        )
    elif rule["status"] != "ACTIVE":
        errors.append(
            {"field": "tax_identifier.tax_rule_id", "message": f"tax rule {rule_id} is not ACTIVE"}
        )
    for index, size in enumerate(doc.get("sizes") or []):
        if size.get("price_effective", 0) > size.get("price", 0):
            errors.append(
                {"field": f"sizes[{index}].price_effective", "message": "must not exceed price"}
            )
    return errors


def _size_rows(
    product: Product, sizes: list[dict[str, Any]], now: datetime, start: int
) -> list[Size]:
    return [
        Size(
            product=product,
            sku=size["primary_identifier"],
            size=size["size"],
            position=start + n,
            price=Decimal(str(size["price"])),
            price_effective=Decimal(str(size["price_effective"])),
            data=size,
            modified_on=now,
        )
        for n, size in enumerate(sizes)
    ]


def _taken_skus(skus: list[str], exclude_product: Product | None = None) -> Errors:
    rows = Size.objects.filter(sku__in=skus)
    if exclude_product is not None:
        rows = rows.exclude(product=exclude_product)
    taken = set(rows.values_list("sku", flat=True))
    return [
        {"field": f"sizes[{i}].primary_identifier", "message": f"SKU {sku} already exists"}
        for i, sku in enumerate(skus)
        if sku in taken
    ]


def apply_create(record: Mapping[str, Any], trace: Trace, now: datetime) -> Errors:
    errors = reference_errors(record, trace.template)
    if Product.objects.filter(item_code=record["item_code"]).exists():
        errors.append({"field": "item_code", "message": f"{record['item_code']} already exists"})
    if Product.objects.filter(brand=record["brand"], slug=record["slug"]).exists():
        errors.append(
            {"field": "slug", "message": f"{record['slug']} is already used by this brand"}
        )
    sizes = list(record["sizes"])
    errors.extend(_taken_skus([s["primary_identifier"] for s in sizes]))
    if errors:
        return errors
    product_create(record, trace.template, now)
    effects.record("product.create", record["item_code"], trace.request_id, now)
    return []


def product_create(record: Mapping[str, Any], template: str, now: datetime) -> Product:
    """Store a valid product and its sizes (also used by the seed, without the checks)."""
    data = {k: v for k, v in record.items() if k != "sizes"}
    top = Product.objects.aggregate(top=Max("uid"))["top"] or FIRST_PRODUCT_UID - 1
    product = Product.objects.create(
        uid=top + 1,
        item_code=record["item_code"],
        slug=record["slug"],
        name=record["name"],
        brand=record["brand"],
        brand_uid=reference().brand_by_name[record["brand"]]["uid"],
        template=template,
        data=data,
        created_on=now,
        modified_on=now,
    )
    Size.objects.bulk_create(_size_rows(product, list(record["sizes"]), now, 0))
    return product


def apply_update(record: Mapping[str, Any], trace: Trace, now: datetime) -> Errors:
    product = Product.objects.filter(item_code=record["item_code"]).first()
    if product is None:
        return [{"field": "item_code", "message": f"{record['item_code']} does not exist"}]
    errors: Errors = []
    if trace.template != product.template:
        errors.append(
            {"field": "template", "message": f"is immutable: the product uses {product.template}"}
        )
    for key in ("slug", "brand"):
        if key in record and record[key] != getattr(product, key):
            errors.append({"field": key, "message": f"is immutable: {getattr(product, key)}"})
    merged = dict(product.data)
    for key, value in record.items():
        if key not in ("sizes", "item_code", "slug", "brand"):
            merged[key] = value
    if isinstance(merged.get("is_dependent"), str):
        merged["is_dependent"] = merged["is_dependent"] == "Yes"
    existing = {s.sku: s for s in product.sizes.all()}
    new_sizes = [s for s in record["sizes"] if s["primary_identifier"] not in existing]
    changed = {
        s["primary_identifier"]: s for s in record["sizes"] if s["primary_identifier"] in existing
    }
    all_sizes = [{**row.data, **changed.get(sku, {})} for sku, row in existing.items()] + new_sizes
    errors.extend(reference_errors({**merged, "sizes": all_sizes}, product.template))
    errors.extend(_taken_skus([s["primary_identifier"] for s in new_sizes], product))
    if errors:
        return errors
    product.data = merged
    product.name = merged["name"]
    product.modified_on = now
    product.save()
    for sku, size in changed.items():
        row = existing[sku]
        row.data = {**row.data, **size}
        row.size = row.data["size"]
        row.price = Decimal(str(row.data["price"]))
        row.price_effective = Decimal(str(row.data["price_effective"]))
        row.modified_on = now
        row.save()
    Size.objects.bulk_create(_size_rows(product, new_sizes, now, len(existing)))
    effects.record("product.update", product.item_code, trace.request_id, now)
    return []


def apply_delete(record: Mapping[str, Any], trace: Trace, now: datetime) -> Errors:
    product = Product.objects.filter(item_code=record["item_code"]).first()
    if product is None:
        return [{"field": "item_code", "message": f"{record['item_code']} does not exist"}]
    errors: Errors = []
    for key in ("slug", "brand"):
        if record[key] != getattr(product, key):
            errors.append(
                {"field": key, "message": f"does not match the product ({getattr(product, key)})"}
            )
    if str(record["brand_uid"]) != str(product.brand_uid):
        errors.append(
            {"field": "brand_uid", "message": f"does not match the product ({product.brand_uid})"}
        )
    if trace.template != product.template:
        errors.append(
            {"field": "template", "message": f"does not match the product ({product.template})"}
        )
    skus = [s["primary_identifier"] for s in record.get("sizes") or []]
    own = set(product.sizes.values_list("sku", flat=True))
    errors.extend(
        {
            "field": f"sizes[{i}].primary_identifier",
            "message": f"{sku} is not a size of this product",
        }
        for i, sku in enumerate(skus)
        if sku not in own
    )
    if errors:
        return errors
    if skus and set(skus) != own:
        product.sizes.filter(sku__in=skus).delete()
        product.modified_on = now
        product.save(update_fields=["modified_on"])
        effects.record_many("size.delete", skus, trace.request_id, now)
    else:  # no sizes listed, or every size: the whole product goes (C)
        product.delete()
        effects.record("product.delete", record["item_code"], trace.request_id, now)
    return []


APPLIERS = {"create": apply_create, "update": apply_update, "delete": apply_delete}
