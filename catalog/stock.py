"""Stock and price per SKU and location: the local cache of Konnect's listings, its refresh,
and the product page's price and stock editor.

The cache (`StockLevel`) is what the upload preview compares against ("will change",
"unchanged") and where a job finds the value it is about to replace. It is refreshed from
`GET ims/v3/listings` two ways, whichever costs fewer calls: by SKU (at most 10 per call) for
a handful of SKUs, or by paging through every listing (500 per call) for many.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Product, ProductSize, StockLevel, SyncState
from konnect_admin.jobs.registry import Step
from konnect_admin.jobs.services import job_create
from konnect_admin.konnect import (
    LISTINGS_PAGE_MAX,
    LISTINGS_SKUS_MAX,
    KonnectClient,
    get_client,
)
from konnect_admin.models import Job, Location

LISTINGS_ENTITY = "listings"
REFRESH_STEP_SECONDS = 5.0


def location_codes() -> list[str]:
    return list(
        Location.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)
    )


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def stock_cache_store(
    listings: Iterable[Mapping[str, Any]], *, locations: Sequence[str] | None = None
) -> int:
    """Upsert what the listings say, one row per SKU and location.

    A location missing from a SKU's listing has no stock row in Konnect: stock 0 and no price
    of its own (contract 9.4), and that is what the cache records for it.
    """
    codes = list(locations) if locations is not None else location_codes()
    now = timezone.now()
    rows: list[StockLevel] = []
    for listing in listings:
        sku = listing.get("sku")
        if not sku:
            continue
        at = {str(loc.get("location_id")): loc for loc in listing.get("locations") or []}
        for code in dict.fromkeys([*codes, *at]):
            entry = at.get(code) or {}
            rows.append(
                StockLevel(
                    sku=sku,
                    location_code=code,
                    quantity=int(entry.get("quantity") or 0),
                    mrp=_decimal(entry.get("mrp")),
                    esp=_decimal(entry.get("esp")),
                    synced_at=now,
                )
            )
    StockLevel.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["sku", "location_code"],
        update_fields=["quantity", "mrp", "esp", "synced_at"],
        batch_size=1000,
    )
    return len(rows)


def refresh_mode(n_skus: int) -> str:
    """By SKU ("skus", 10 per call) or every listing ("scan", 500 per call): fewer calls wins."""
    catalog = max(ProductSize.objects.count(), n_skus)
    by_sku = math.ceil(n_skus / LISTINGS_SKUS_MAX)
    scan = math.ceil((catalog + 1) / LISTINGS_PAGE_MAX)
    return "skus" if by_sku <= scan else "scan"


def listings_refresh(
    client: KonnectClient,
    *,
    skus: Sequence[str],
    state: dict[str, Any],
    budget_seconds: float = REFRESH_STEP_SECONDS,
) -> bool:
    """Read the listings of `skus` into the cache, resumably: `state` remembers how far it got
    (store it in the Job). Returns True once every SKU has been read."""
    mode = state.setdefault("mode", refresh_mode(len(skus)))
    deadline = time.monotonic() + budget_seconds
    codes = location_codes()
    while time.monotonic() < deadline:
        if mode == "skus":
            pos = int(state.get("pos", 0))
            if pos >= len(skus):
                return True
            chunk = list(skus[pos : pos + LISTINGS_SKUS_MAX])
            stock_cache_store(
                client.listings(skus=chunk, page_size=LISTINGS_SKUS_MAX), locations=codes
            )
            state["pos"] = pos + len(chunk)
        else:
            page = int(state.get("page", 1))
            found = client.listings(page_no=page, page_size=LISTINGS_PAGE_MAX)
            stock_cache_store(found, locations=codes)
            state["page"] = page + 1
            if len(found) < LISTINGS_PAGE_MAX:
                state["pos"] = len(skus)
                state["mode"] = "skus"  # finished: the next call returns True at once
                return True
        state["calls"] = int(state.get("calls", 0)) + 1
    return False


def stock_cache_for(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], StockLevel]:
    """Cached rows for (SKU, location) pairs, queried in chunks (no giant IN lists)."""
    wanted = set(keys)
    skus = sorted({sku for sku, _ in wanted})
    found: dict[tuple[str, str], StockLevel] = {}
    for start in range(0, len(skus), 2000):
        for level in StockLevel.objects.filter(sku__in=skus[start : start + 2000]):
            key = (level.sku, level.location_code)
            if key in wanted:
                found[key] = level
    return found


# --- the full refresh Job ------------------------------------------------------------------


def stock_sync_start(*, user: Any, source: str = "ui", request: Any = None) -> Job:
    return job_create(
        kind="stock_sync",
        title="Refresh stock and prices from Konnect",
        created_by=user,
        source=source,
        request=request,
        audit_action="catalog.stock_sync",
        audit_object=("catalog", "listings", "stock and prices"),
    )


def stock_sync_run(job: Job) -> Step:
    """Every listing, one page of 500 per step (or, with `skus` in the params, those SKUs)."""
    client = get_client()
    if job.params.get("skus") is not None:
        skus = list(job.params["skus"])
        state = job.state.setdefault("refresh", {"mode": "skus"})
        finished = listings_refresh(client, skus=skus, state=state)
        job.done = min(len(skus), int(state.get("pos", 0)))
        if not finished:
            return Step.more()
        return Step.done(
            status=Job.Status.SUCCEEDED, reason=f"Stock and prices of {len(skus)} SKUs read"
        )
    page = int(job.state.get("page", 1))
    found = client.listings(page_no=page, page_size=LISTINGS_PAGE_MAX)
    stock_cache_store(found)
    seen = int(job.state.get("seen", 0)) + len(found)
    job.state.update(page=page + 1, seen=seen)
    job.done = seen
    job.total = max(job.total, seen)
    if len(found) == LISTINGS_PAGE_MAX:
        job.message = f"{seen} SKUs read"
        return Step.more()
    SyncState.objects.update_or_create(
        entity=LISTINGS_ENTITY,
        defaults={
            "last_synced_at": timezone.now(),
            "last_count": seen,
            "last_job": job,
            "last_error": "",
        },
    )
    return Step.done(status=Job.Status.SUCCEEDED, reason=f"Stock and prices of {seen} SKUs read")


# --- the product page's editor ---------------------------------------------------------------


@dataclass
class StockCell:
    """One SKU at one location, as the product page shows and edits it."""

    sku: str
    size: str
    location: str
    base_mrp: Decimal
    base_esp: Decimal
    level: StockLevel | None

    @property
    def key(self) -> str:
        return f"{self.sku}@{self.location}"

    @property
    def quantity(self) -> int | None:
        return self.level.quantity if self.level else None

    @property
    def override(self) -> bool:
        return bool(self.level and self.level.mrp is not None and self.level.esp is not None)

    @property
    def mrp(self) -> Decimal:
        return (
            self.level.mrp
            if self.override and self.level and self.level.mrp is not None
            else self.base_mrp
        )

    @property
    def esp(self) -> Decimal:
        return (
            self.level.esp
            if self.override and self.level and self.level.esp is not None
            else self.base_esp
        )


def stock_grid(product: Product) -> list[StockCell]:
    sizes = list(product.sizes.all())
    codes = location_codes()
    levels = stock_cache_for((s.sku, code) for s in sizes for code in codes)
    return [
        StockCell(s.sku, s.size, code, s.price, s.price_effective, levels.get((s.sku, code)))
        for s in sizes
        for code in codes
    ]


def stock_levels_recent(product: Product) -> QuerySet[StockLevel]:
    return StockLevel.objects.filter(sku__in=product.sizes.values("sku"))


def stock_edit_parse(
    product: Product, data: Mapping[str, str]
) -> tuple[
    list[tuple[str, dict[str, Any], dict[str, Any] | None]],
    list[tuple[str, dict[str, Any], dict[str, Any] | None]],
    dict[str, str],
]:
    """The changed cells of the product page's grid, checked with the upload's rules.

    Returns (stock items, price items, errors by field name); an item is (key, record, the
    value it replaces). A cell left as shown is no change.
    """
    from catalog.ims_writes import KIND_INVENTORY, KIND_PRICE, current_value, record_for
    from catalog.uploads.validation import (
        json_number,
        parse_money,
        parse_quantity,
        price_pair_error,
    )

    stock: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    prices: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    errors: dict[str, str] = {}
    for cell in stock_grid(product):
        raw_qty = (data.get(f"qty-{cell.key}") or "").strip()
        if raw_qty and raw_qty != str(cell.quantity if cell.quantity is not None else ""):
            quantity, problem = parse_quantity(raw_qty)
            if problem:
                errors[f"qty-{cell.key}"] = problem
            elif quantity != cell.quantity:
                stock.append(
                    (
                        cell.key,
                        record_for(KIND_INVENTORY, cell.sku, cell.location, {"quantity": quantity}),
                        current_value(KIND_INVENTORY, cell.level, None),
                    )
                )
        raw_mrp = (data.get(f"mrp-{cell.key}") or "").strip()
        raw_esp = (data.get(f"esp-{cell.key}") or "").strip()
        if not raw_mrp and not raw_esp:
            continue
        mrp, problem = parse_money(raw_mrp or str(cell.mrp), what="The MRP")
        if problem:
            errors[f"mrp-{cell.key}"] = problem
        esp, problem = parse_money(raw_esp or str(cell.esp), what="The selling price")
        if problem:
            errors[f"esp-{cell.key}"] = problem
        if mrp is None or esp is None:
            continue
        if problem := price_pair_error(mrp, esp):
            errors[f"esp-{cell.key}"] = problem
            continue
        if (mrp, esp) == (cell.mrp, cell.esp):
            continue
        value = {"mrp": json_number(mrp), "esp": json_number(esp)}
        prices.append(
            (
                cell.key,
                record_for(KIND_PRICE, cell.sku, cell.location, value),
                current_value(KIND_PRICE, cell.level, (cell.base_mrp, cell.base_esp)),
            )
        )
    return stock, prices, errors


def _changes(count: int) -> str:
    return f"{count} change{'s' if count > 1 else ''}"


def stock_edit_submit(
    *, product: Product, data: Mapping[str, str], user: Any, request: Any = None
) -> tuple[list[Job], dict[str, str]]:
    """Start a stock job and/or a price job for the changed cells (nothing if any is wrong)."""
    from catalog.ims_writes import KIND_INVENTORY, KIND_PRICE, ims_job_start

    stock, prices, errors = stock_edit_parse(product, data)
    if errors:
        return [], errors
    jobs = []
    target = ("product", product.item_code, product.name)
    if stock:
        jobs.append(
            ims_job_start(
                kind=KIND_INVENTORY,
                user=user,
                title=f"Stock of {product.name}: {_changes(len(stock))}",
                items=stock,
                audit_action="inventory.update",
                audit_object=target,
                request=request,
            )
        )
    if prices:
        jobs.append(
            ims_job_start(
                kind=KIND_PRICE,
                user=user,
                title=f"Prices of {product.name}: {_changes(len(prices))}",
                items=prices,
                audit_action="price.update",
                audit_object=target,
                request=request,
            )
        )
    return jobs, errors


def stock_refresh_start(*, product: Product, user: Any, request: Any = None) -> Job:
    """Read this product's SKUs from the listings (10 per call)."""
    skus = list(product.sizes.values_list("sku", flat=True))
    return job_create(
        kind="stock_sync",
        title=f"Read stock and prices of {product.name}",
        created_by=user,
        params={"skus": skus},
        total=len(skus),
        request=request,
    )


def stock_jobs_for(product: Product, limit: int = 6) -> list[Job]:
    """The latest price and stock jobs that touched this product (exact keys: indexed)."""
    from konnect_admin.models import JobItem

    keys = [
        f"{sku}@{code}"
        for sku in product.sizes.values_list("sku", flat=True)
        for code in location_codes()
    ]
    if not keys:
        return []
    ids = (
        JobItem.objects.filter(key__in=keys, job__kind__in=["price_update", "inventory_update"])
        .order_by("-job_id")
        .values_list("job_id", flat=True)
        .distinct()[:limit]
    )
    return list(Job.objects.filter(pk__in=list(ids)).order_by("-created_at", "-id"))
