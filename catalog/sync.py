"""Reference-data sync: page through Konnect at the maximum page size and bulk-upsert.

Each entity costs ceil(records / 200) list calls and a handful of bulk statements, whatever
its size. Rows that Konnect no longer returns are removed, so the cache mirrors Konnect.
A sync is a Job ("reference_sync") that does one entity per step, so progress is visible and
a killed worker resumes with the entities that were not done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.models import (
    AttributeDefinition,
    Brand,
    Category,
    Department,
    HsCode,
    SyncState,
    TaxRule,
    Template,
)
from catalog.selectors import ENTITY_LABELS, REFERENCE_ENTITIES
from konnect_admin.jobs.registry import Step
from konnect_admin.jobs.services import job_create
from konnect_admin.konnect import KonnectClient, get_client
from konnect_admin.models import Job

logger = logging.getLogger(__name__)

PAGE_SIZE = 200
BULK = 500


def _upsert(model: Any, rows: list[Any], *, unique: str, fields: list[str]) -> None:
    model.objects.bulk_create(
        rows, batch_size=BULK, update_conflicts=True, unique_fields=[unique], update_fields=fields
    )


def _remove_missing(model: Any, *, unique: str, seen: Iterable[Any]) -> int:
    deleted, _ = model.objects.exclude(**{f"{unique}__in": list(seen)}).delete()
    return int(deleted)


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def sync_departments(client: KonnectClient) -> int:
    now = timezone.now()
    items = list(client.iter_catalog(client.departments, page_size=PAGE_SIZE))
    rows = [
        Department(
            uid=int(d.get("uid") or d["id"]),
            name=d["name"],
            slug=d["slug"],
            is_active=bool(d.get("is_active", True)),
            priority_order=int(d.get("priority_order") or 0),
            description=d.get("description") or "",
            raw=dict(d),
            synced_at=now,
        )
        for d in items
    ]
    with transaction.atomic():
        _upsert(
            Department,
            rows,
            unique="uid",
            fields=[
                "name",
                "slug",
                "is_active",
                "priority_order",
                "description",
                "raw",
                "synced_at",
            ],
        )
        _remove_missing(Department, unique="uid", seen=[r.uid for r in rows])
    return len(rows)


def sync_categories(client: KonnectClient) -> int:
    now = timezone.now()
    items = list(client.iter_catalog(client.categories, page_size=PAGE_SIZE))
    rows = [
        Category(
            uid=int(c.get("uid") or c["id"]),
            name=c["name"],
            slug=c["slug"],
            level=int(c["level"]),
            parent_uid=c.get("parent_uid"),
            is_active=bool(c.get("is_active", True)),
            attribute_set=c.get("attribute_set") or "",
            hs_code=c.get("hs_code") or "",
            template_slug=c.get("template_slug") or "",
            raw=dict(c),
            synced_at=now,
        )
        for c in items
    ]
    with transaction.atomic():
        _upsert(
            Category,
            rows,
            unique="uid",
            fields=[
                "name",
                "slug",
                "level",
                "parent_uid",
                "is_active",
                "attribute_set",
                "hs_code",
                "template_slug",
                "raw",
                "synced_at",
            ],
        )
        _remove_missing(Category, unique="uid", seen=[r.uid for r in rows])
        pk_by_uid = dict(Category.objects.values_list("uid", "pk"))
        dept_pk_by_uid = dict(Department.objects.values_list("uid", "pk"))
        # Parents: one bulk update after every node exists.
        nodes = list(Category.objects.only("pk", "uid", "parent_uid", "parent_id"))
        changed = []
        for node in nodes:
            parent_id = pk_by_uid.get(node.parent_uid) if node.parent_uid else None
            if node.parent_id != parent_id:
                node.parent_id = parent_id
                changed.append(node)
        Category.objects.bulk_update(changed, ["parent"], batch_size=BULK)
        # Department links: rebuild the through table in bulk.
        through = Category.departments.through
        through.objects.all().delete()
        links = [
            through(
                category_id=pk_by_uid[int(c.get("uid") or c["id"])], department_id=dept_pk_by_uid[d]
            )
            for c in items
            for d in c.get("department_uids") or []
            if d in dept_pk_by_uid
        ]
        through.objects.bulk_create(links, batch_size=BULK)
    return len(rows)


def sync_brands(client: KonnectClient) -> int:
    now = timezone.now()
    items = list(client.iter_catalog(client.brands, page_size=PAGE_SIZE))
    rows = [
        Brand(
            uid=int(b.get("uid") or b["id"]),
            name=b["name"],
            slug=b.get("slug") or "",
            department_slugs=list(b.get("departments") or []),
            raw=dict(b),
            synced_at=now,
        )
        for b in items
    ]
    with transaction.atomic():
        _upsert(
            Brand,
            rows,
            unique="uid",
            fields=["name", "slug", "department_slugs", "raw", "synced_at"],
        )
        _remove_missing(Brand, unique="uid", seen=[r.uid for r in rows])
    return len(rows)


def sync_templates(client: KonnectClient) -> int:
    now = timezone.now()
    items = list(client.iter_catalog(client.templates, page_size=PAGE_SIZE))
    rows = [
        Template(
            slug=t["slug"],
            name=t["name"],
            department_slugs=list(t.get("departments") or []),
            attribute_set=t.get("attribute_set") or "",
            description=t.get("description") or "",
            raw=dict(t),
            synced_at=now,
        )
        for t in items
    ]
    with transaction.atomic():
        _upsert(
            Template,
            rows,
            unique="slug",
            fields=["name", "department_slugs", "attribute_set", "description", "raw", "synced_at"],
        )
        _remove_missing(Template, unique="slug", seen=[r.slug for r in rows])
    return len(rows)


def sync_hs_codes(client: KonnectClient) -> int:
    now = timezone.now()
    items = list(client.iter_catalog(client.hs_codes, page_size=PAGE_SIZE))
    rows = [
        HsCode(
            code=str(h.get("hs_code") or h.get("code")),
            type=h.get("type") or "HS",
            description=(h.get("description") or "")[:500],
            gst_rate_percent=_decimal(h.get("gst_rate_percent")),
            gst_note=(h.get("gst_note") or "")[:500],
            gst_rule_text=((h.get("gst_rule") or {}).get("text") or "")[:500],
            raw=dict(h),
            synced_at=now,
        )
        for h in items
    ]
    with transaction.atomic():
        _upsert(
            HsCode,
            rows,
            unique="code",
            fields=[
                "type",
                "description",
                "gst_rate_percent",
                "gst_note",
                "gst_rule_text",
                "raw",
                "synced_at",
            ],
        )
        _remove_missing(HsCode, unique="code", seen=[r.code for r in rows])
    return len(rows)


def sync_tax_rules(client: KonnectClient) -> int:
    now = timezone.now()
    items = list(client.iter_catalog(client.tax_rules, page_size=PAGE_SIZE))
    rows = [
        TaxRule(
            rule_id=str(t["rule_id"]),
            name=t["name"],
            tax_name=t.get("tax_name") or "",
            status=t.get("status") or "",
            version_status=t.get("version_status") or "",
            effective_from=_date(t.get("effective_from")),
            effective_to=_date(t.get("effective_to")),
            slabs=list(t.get("slabs") or []),
            hs_codes=list(t.get("hs_codes") or []),
            raw=dict(t),
            synced_at=now,
        )
        for t in items
    ]
    with transaction.atomic():
        _upsert(
            TaxRule,
            rows,
            unique="rule_id",
            fields=[
                "name",
                "tax_name",
                "status",
                "version_status",
                "effective_from",
                "effective_to",
                "slabs",
                "hs_codes",
                "raw",
                "synced_at",
            ],
        )
        _remove_missing(TaxRule, unique="rule_id", seen=[r.rule_id for r in rows])
    return len(rows)


SYNCERS: dict[str, Callable[[Any], int]] = {
    "departments": sync_departments,
    "categories": sync_categories,
    "brands": sync_brands,
    "templates": sync_templates,
    "hs_codes": sync_hs_codes,
    "tax_rules": sync_tax_rules,
}
# Categories link to departments, so departments go first.
assert tuple(SYNCERS) == REFERENCE_ENTITIES  # noqa: S101 import-time invariant  # nosec B101


def _mark_synced(entity: str, *, count: int, job: Job) -> None:
    SyncState.objects.update_or_create(
        entity=entity,
        defaults={
            "last_synced_at": timezone.now(),
            "last_count": count,
            "last_error": "",
            "last_job": job,
        },
    )


def reference_sync_start(
    *,
    user: Any,
    entities: Iterable[str] = REFERENCE_ENTITIES,
    source: str = "ui",
    request: Any = None,
) -> Job:
    chosen = [e for e in REFERENCE_ENTITIES if e in set(entities)]
    label = (
        "all reference data"
        if len(chosen) == len(REFERENCE_ENTITIES)
        else ", ".join(ENTITY_LABELS[e].lower() for e in chosen)
    )
    return job_create(
        kind="reference_sync",
        title=f"Sync {label} from Konnect",
        created_by=user,
        params={"entities": chosen},
        total=len(chosen),
        audit_action="catalog.sync",
        audit_object=("catalog", "reference", label),
        source=source,
        request=request,
    )


def reference_sync_run(job: Job) -> Step:
    """One entity per step; the entities already done are remembered in the Job's state."""
    done: list[str] = job.state.setdefault("done", [])
    counts: dict[str, int] = job.state.setdefault("counts", {})
    todo = [e for e in job.params.get("entities", REFERENCE_ENTITIES) if e not in done]
    if not todo:
        job.done = len(done)
        return Step.done(
            status=Job.Status.SUCCEEDED,
            reason=", ".join(f"{counts[e]} {ENTITY_LABELS[e].lower()}" for e in done),
        )
    entity = todo[0]
    counts[entity] = SYNCERS[entity](get_client())
    _mark_synced(entity, count=counts[entity], job=job)
    done.append(entity)
    job.done = len(done)
    job.message = f"{ENTITY_LABELS[entity]}: {counts[entity]} synced"
    return Step.more()


def category_attributes_sync(*, category: Category, client: KonnectClient | None = None) -> int:
    """Replace a category's attribute definitions with what Konnect returns for its name."""
    items = (client or get_client()).product_attributes(category=category.name)
    rows = [
        AttributeDefinition(
            category=category,
            slug=a["slug"],
            name=a.get("name") or a["slug"],
            type=a.get("type") or "str",
            required=bool(a.get("required")),
            values=list(a.get("values") or []),
            unit=a.get("unit") or "",
            max_length=a.get("max_length"),
            help=(a.get("help") or "")[:500],
            position=i,
        )
        for i, a in enumerate(items)
    ]
    with transaction.atomic():
        category.attribute_definitions.all().delete()
        AttributeDefinition.objects.bulk_create(rows)
        category.attributes_synced_at = timezone.now()
        category.save(update_fields=["attributes_synced_at"])
    return len(rows)


def category_attributes_sync_start(*, category: Category, user: Any) -> Job:
    return job_create(
        kind="category_attributes_sync",
        title=f"Fetch attributes of {category.name}",
        created_by=user,
        params={"category_uid": category.uid},
        total=1,
        source="ui",
    )


def category_attributes_sync_run(job: Job) -> Step:
    category = Category.objects.get(uid=job.params["category_uid"])
    count = category_attributes_sync(category=category)
    job.done = 1
    return Step.done(status=Job.Status.SUCCEEDED, reason=f"{count} attributes")
