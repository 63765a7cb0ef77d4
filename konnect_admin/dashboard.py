"""The numbers people open the tool for, per role, each with the link to the list behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from konnect_admin import access
from konnect_admin.models import Job
from konnect_admin.selectors import job_list

DAYS = 30


@dataclass
class Tile:
    label: str
    value: int | str
    url: str
    tone: str = ""  # "", "warn", "alert", "ok"
    note: str = ""


@dataclass
class ShipmentNumbers:
    tiles: list[Tile]
    lanes: list[dict[str, Any]]
    locations: list[dict[str, Any]]
    location_lanes: list[str] = field(default_factory=list)


def _queue_url(**params: Any) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    return reverse("orders:shipment_list") + (f"?{urlencode(clean)}" if clean else "")


def _today_bounds() -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return start, start + timedelta(days=1)


def shipment_numbers(*, user: Any) -> ShipmentNumbers:
    from orders import workflow
    from orders.selectors import QueueFilters, lane_counts, shipments_visible_to

    now = timezone.now()
    lanes = lane_counts(user=user, filters=QueueFilters())
    visible = shipments_visible_to(user)
    work = visible.filter(lane__in=workflow.WORK_LANES)
    _start, end = _today_bounds()
    to_check = workflow.RETURN_LANE_BY_KEY["TO_CHECK"]
    # One pass for the three tiles; "waiting for QC" is exactly the returns queue's To check
    # lane (delivered back, not rejected at QC), so the tile and the lane it opens agree.
    counts = visible.aggregate(
        now=Count("id", filter=Q(lane__in=workflow.WORK_LANES, due_at__lt=now)),
        today=Count("id", filter=Q(lane__in=workflow.WORK_LANES, due_at__gte=now, due_at__lt=end)),
        returns=Count(
            "id",
            filter=Q(lane="RETURNS", state__in=to_check.states)
            & ~Q(return_qc=workflow.QC_REJECTED),
        ),
    )
    breach = {"now": counts["now"], "today": counts["today"]}
    returns_waiting = counts["returns"]
    try:
        returns_url = reverse("orders:return_list") + "?lane=TO_CHECK"
    except NoReverseMatch:  # a build without the returns queue: the returns lane instead
        returns_url = _queue_url(lane="RETURNS")
    tiles = [
        Tile(
            "SLA breached",
            breach["now"],
            _queue_url(breached="on"),
            "alert" if breach["now"] else "ok",
            "work lanes past their dispatch-by time",
        ),
        Tile(
            "Due later today",
            breach["today"],
            _queue_url(),
            "warn" if breach["today"] else "",
            f"before midnight {timezone.localtime(now).tzname()}",
        ),
        Tile(
            "Returns waiting for QC",
            returns_waiting,
            returns_url,
            "warn" if returns_waiting else "",
        ),
    ]
    by_location: dict[str, dict[str, int]] = {}
    for row in work.values("location_code", "lane").annotate(n=Count("id")).order_by():
        by_location.setdefault(row["location_code"], {})[row["lane"]] = row["n"]
    location_lanes = list(workflow.WORK_LANES)
    locations = [
        {
            "code": code,
            "cells": [
                (lane, counts.get(lane, 0), _queue_url(lane=lane, location=code))
                for lane in location_lanes
            ],
            "total": sum(counts.values()),
        }
        for code, counts in sorted(by_location.items())
    ]
    return ShipmentNumbers(
        tiles=tiles,
        lanes=[
            {
                "key": c.key,
                "label": c.label,
                "display": c.display,
                "count": c.count,
                "url": _queue_url(lane=c.key),
            }
            for c in lanes
        ],
        locations=locations,
        location_lanes=[workflow.LANE_BY_KEY[k].label for k in location_lanes],
    )


def shipments_per_day(*, user: Any, days: int = DAYS) -> list[tuple[date, int]]:
    from orders.selectors import shipments_visible_to

    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        shipments_visible_to(user)
        .filter(order_date__gte=since, is_return=False)
        .annotate(day=TruncDate("order_date", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = {row["day"]: row["n"] for row in rows}
    return [
        (first + timedelta(days=i), found.get(first + timedelta(days=i), 0)) for i in range(days)
    ]


def job_tiles(*, user: Any) -> list[Tile]:
    since = timezone.now() - timedelta(days=1)
    counts = job_list(user=user).aggregate(
        active=Count("id", filter=~Q(status__in=Job.TERMINAL)),
        failed=Count("id", filter=Q(status=Job.Status.FAILED, finished_at__gte=since)),
        partial=Count("id", filter=Q(status=Job.Status.PARTIAL, finished_at__gte=since)),
    )
    jobs = reverse("jobs:list")
    return [
        Tile("Jobs running", counts["active"], f"{jobs}?status=active"),
        Tile(
            "Jobs failed (24 h)",
            counts["failed"],
            f"{jobs}?status=failed",
            "alert" if counts["failed"] else "ok",
        ),
        Tile(
            "Finished with errors (24 h)",
            counts["partial"],
            f"{jobs}?status=partial",
            "warn" if counts["partial"] else "",
        ),
    ]


def catalog_health() -> dict[str, Any]:
    from catalog.models import Product, SyncState
    from catalog.selectors import ENTITY_LABELS, REFERENCE_ENTITIES, is_stale

    states = {s.entity: s for s in SyncState.objects.all()}
    rows: list[dict[str, Any]] = [
        {"label": ENTITY_LABELS[e], "state": states.get(e), "stale": is_stale(states.get(e))}
        for e in (*REFERENCE_ENTITIES, "products")
    ]
    products = Product.objects.aggregate(
        pending=Count("id", filter=Q(state=Product.State.PENDING)),
        failed=Count("id", filter=Q(state=Product.State.FAILED)),
    )
    products_url = reverse("catalog:product_list")
    stale = sum(1 for r in rows if r["stale"])
    return {
        "rows": rows,
        "stale": stale,
        "tiles": [
            Tile(
                "Catalog data out of date",
                stale,
                reverse("catalog:browse"),
                "warn" if stale else "ok",
            ),
            Tile("Products changing", products["pending"], f"{products_url}?state=pending"),
            Tile(
                "Products whose last change failed",
                products["failed"],
                f"{products_url}?state=failed",
                "alert" if products["failed"] else "ok",
            ),
        ],
    }


def home_context(*, user: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"job_tiles": job_tiles(user=user)}
    if access.has_all(user, [access.VIEW_SHIPMENTS]):
        context["shipments"] = shipment_numbers(user=user)
    if access.has_all(user, [access.VIEW_CATALOG]):
        context["catalog"] = catalog_health()
    return context
