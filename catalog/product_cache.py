"""Keeping the local product cache in step with Konnect."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.models import Category, Product, ProductSize
from konnect_admin.jobs.registry import Step
from konnect_admin.jobs.services import job_create
from konnect_admin.konnect import get_client
from konnect_admin.models import Job

PAGE_SIZE = 200


def _when(value: Any) -> datetime | None:
    return parse_datetime(str(value)) if value else None


def _money(value: Any) -> Decimal:
    return Decimal(str(value if value is not None else 0))


@transaction.atomic
def product_cache_upsert(remote: dict[str, Any], *, job: Job | None = None) -> Product:
    """Store a product as Konnect returned it, with its sizes (sizes gone remotely are removed)."""
    category = Category.objects.filter(name=remote.get("category"), level=3).first()
    product, _ = Product.objects.update_or_create(
        item_code=remote["item_code"],
        defaults={
            "uid": remote.get("uid"),
            "name": remote.get("name") or "",
            "slug": remote.get("slug") or "",
            "brand": remote.get("brand") or "",
            "brand_uid": remote.get("brand_uid"),
            "category_name": remote.get("category") or "",
            "category": category,
            "template": remote.get("template") or "",
            "hs_code": remote.get("hs_code") or "",
            "tax_rule_id": (remote.get("tax_identifier") or {}).get("tax_rule_id") or "",
            "state": Product.State.SYNCED,
            "data": remote,
            "remote_modified_on": _when(remote.get("modified_on")),
            "synced_at": timezone.now(),
            **({"last_job": job} if job else {}),
        },
    )
    sizes = remote.get("sizes") or []
    skus = [s["primary_identifier"] for s in sizes]
    product.sizes.exclude(sku__in=skus).delete()
    existing = {s.sku: s for s in ProductSize.objects.filter(sku__in=skus)}
    for s in sizes:
        row = existing.get(s["primary_identifier"]) or ProductSize(sku=s["primary_identifier"])
        row.product = product
        row.size = s.get("size") or ""
        row.price = _money(s.get("price"))
        row.price_effective = _money(s.get("price_effective"))
        row.data = s
        row.save()
    return product


def product_mark_pending(*, payload: dict[str, Any], template: str, job: Job) -> Product:
    """Show a product that is being created or changed before Konnect has finished with it."""
    product = Product.objects.filter(item_code=payload["item_code"]).first()
    if product is None:
        product = product_cache_upsert({**payload, "template": template}, job=job)
    product.state = Product.State.PENDING
    product.last_job = job
    product.save(update_fields=["state", "last_job"])
    return product


def product_sync_start(*, user: Any, source: str = "ui", request: Any = None) -> Job:
    return job_create(
        kind="product_sync",
        title="Refresh products from Konnect",
        created_by=user,
        source=source,
        request=request,
        audit_action="catalog.product_sync",
        audit_object=("catalog", "products", "products"),
    )


def product_sync_run(job: Job) -> Step:
    """Page through every product (oldest first, so pages stay stable), then the listing count."""
    from catalog.models import SyncState

    client = get_client()
    page_number = int(job.state.get("page", 1))
    page = client.products(page_number=page_number, page_size=PAGE_SIZE, sort_on="created")
    seen: list[str] = job.state.setdefault("seen", [])
    for remote in page.items:
        product_cache_upsert(dict(remote))
        seen.append(remote["item_code"])
    job.total = page.total
    job.done = len(seen)
    if page.has_next:
        job.state["page"] = page_number + 1
        return Step.more()
    gone = Product.objects.exclude(item_code__in=seen).exclude(state=Product.State.PENDING)
    removed = gone.exclude(state=Product.State.DELETED).update(state=Product.State.DELETED)
    listing_count = client.listings_count()
    SyncState.objects.update_or_create(
        entity="products",
        defaults={
            "last_synced_at": timezone.now(),
            "last_count": len(seen),
            "remote_count": listing_count,
            "last_job": job,
            "last_error": "",
        },
    )
    job.state["seen"] = []  # keep the stored Job small once finished
    return Step.done(
        status=Job.Status.SUCCEEDED,
        reason=f"{len(seen)} products, {listing_count} SKUs listed in Konnect"
        + (f", {removed} no longer in Konnect" if removed else ""),
    )
