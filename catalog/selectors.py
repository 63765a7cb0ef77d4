"""Reads of the cached catalog: browse lists, the category tree, form choices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from catalog.models import (
    AttributeDefinition,
    Brand,
    Category,
    Department,
    HsCode,
    Product,
    SyncState,
    TaxRule,
    Template,
)

REFERENCE_ENTITIES = ("departments", "categories", "brands", "templates", "hs_codes", "tax_rules")
ENTITY_LABELS = {
    "departments": "Departments",
    "categories": "Categories",
    "brands": "Brands",
    "templates": "Templates",
    "hs_codes": "HS codes",
    "tax_rules": "Tax rules",
    "products": "Products",
}


def stale_after() -> timedelta:
    return timedelta(hours=settings.CATALOG_STALE_HOURS)


def sync_states() -> dict[str, SyncState]:
    return {s.entity: s for s in SyncState.objects.select_related("last_job")}


def sync_state(entity: str) -> SyncState | None:
    return SyncState.objects.select_related("last_job").filter(entity=entity).first()


def is_stale(state: SyncState | None) -> bool:
    return (
        state is None
        or state.last_synced_at is None
        or timezone.now() - state.last_synced_at > stale_after()
    )


def department_list(*, q: str = "", active: bool | None = None) -> QuerySet[Department]:
    qs = Department.objects.annotate(
        category_count=Count("categories", filter=Q(categories__level=3))
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("priority_order", "uid")


def category_children(*, parent_id: int | None) -> QuerySet[Category]:
    """One level of the tree with each node's child count (the tree expands level by level)."""
    qs = Category.objects.annotate(child_count=Count("children"))
    qs = qs.filter(parent_id=parent_id) if parent_id else qs.filter(level=1)
    return qs.order_by("name")


def category_search(
    *, q: str = "", level: int | None = None, department_uid: int | None = None
) -> QuerySet[Category]:
    qs = Category.objects.select_related("parent__parent")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    if level:
        qs = qs.filter(level=level)
    if department_uid:
        qs = qs.filter(departments__uid=department_uid)
    return qs.order_by("level", "name").distinct()


def l3_categories(
    *, department: Department | None, template: Template | None = None
) -> QuerySet[Category]:
    """Active L3 categories of a department (and of a template's departments, when chosen)."""
    if department is None:
        return Category.objects.none()
    qs = Category.objects.filter(level=3, is_active=True, departments=department)
    if template is not None:
        qs = qs.filter(template_slug=template.slug)
    return qs.select_related("parent__parent").order_by("name").distinct()


def brand_list(*, q: str = "", department_slug: str = "") -> QuerySet[Brand]:
    qs = Brand.objects.all()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    if department_slug:
        # Text match on the JSON array works on SQLite and PostgreSQL alike.
        qs = qs.filter(department_slugs__icontains=f'"{department_slug}"')
    return qs.order_by("name")


def brands_for_department(*, department: Department | None) -> list[Brand]:
    brands = list(Brand.objects.order_by("name"))
    if department is None:
        return brands
    return [b for b in brands if not b.department_slugs or department.slug in b.department_slugs]


def hs_code_list(*, q: str = "", type: str = "") -> QuerySet[HsCode]:
    qs = HsCode.objects.all()
    if q:
        qs = qs.filter(Q(code__startswith=q) | Q(description__icontains=q))
    if type:
        qs = qs.filter(type=type)
    return qs.order_by("code")


def tax_rule_list(*, q: str = "", status: str = "", version_status: str = "") -> QuerySet[TaxRule]:
    qs = TaxRule.objects.all()
    if q:
        qs = qs.filter(name__icontains=q)
    if status:
        qs = qs.filter(status=status)
    if version_status:
        qs = qs.filter(version_status=version_status)
    return qs.order_by("name")


def tax_rules_usable() -> QuerySet[TaxRule]:
    return TaxRule.objects.filter(status="ACTIVE", version_status="CURRENT").order_by("name")


def template_list(*, q: str = "", department_slug: str = "") -> list[Template]:
    templates = list(Template.objects.order_by("name"))
    if q:
        templates = [t for t in templates if q.lower() in t.name.lower() or q.lower() in t.slug]
    if department_slug:
        templates = [t for t in templates if department_slug in t.department_slugs]
    return templates


def attribute_definitions(*, category: Category) -> list[AttributeDefinition]:
    return list(category.attribute_definitions.order_by("position"))


def attributes_are_fresh(*, category: Category) -> bool:
    synced = category.attributes_synced_at
    return synced is not None and timezone.now() - synced <= stale_after()


def product_search(*, q: str = "", state: str = "", brand: str = "") -> QuerySet[Product]:
    qs = Product.objects.exclude(state=Product.State.DELETED).prefetch_related(
        Prefetch("sizes", to_attr="size_list")
    )
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(item_code__icontains=q)
            | Q(slug__icontains=q)
            | Q(sizes__sku=q)
        )
    if state:
        qs = qs.filter(state=state)
    if brand:
        qs = qs.filter(brand=brand)
    return qs.order_by("-synced_at", "-id").distinct()


def product_get(*, pk: int | None = None, item_code: str | None = None) -> Product | None:
    qs = Product.objects.select_related("category", "last_job").prefetch_related("sizes")
    return qs.filter(pk=pk).first() if pk is not None else qs.filter(item_code=item_code).first()


def browse_summary() -> list[dict[str, Any]]:
    """Each entity with the number of rows its last sync brought (the cache changes only then)."""
    states = sync_states()
    return [
        {
            "entity": e,
            "label": ENTITY_LABELS[e],
            "count": states[e].last_count if e in states else 0,
            "state": states.get(e),
            "stale": is_stale(states.get(e)),
        }
        for e in REFERENCE_ENTITIES
    ]
