"""Reads of the shipment cache: scope, the queue (keyset pages, capped lane counts), detail.

Every read starts from `shipments_visible_to(user)`: a user bound to locations sees only
their locations' shipments, in lists, counts, detail, actions and documents alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import (  # type: ignore[import-untyped]
    Tuple,
    TupleGreaterThan,
    TupleLessThan,
)
from django.utils import timezone

from konnect_admin.models import Job, JobItem
from konnect_admin.selectors import user_locations
from orders import workflow
from orders.models import SavedView, Shipment, ShipmentDocument, ShipmentEvent, SyncState

PER_PAGE = 50
COUNT_CAP = 1000  # lane counts stop here ("999+"): never a COUNT over the whole table
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LIST_COLUMNS = (
    "id",
    "shipment_id",
    "order_id",
    "location_code",
    "channel",
    "bucket",
    "lane",
    "state",
    "is_self_ship",
    "is_return",
    "is_rto",
    "order_date",
    "due_at",
    "lock_status",
    "courier_name",
    "awb_number",
    "customer_name",
    "customer_city",
    "customer_pincode",
    "item_count",
    "total",
    "currency",
    "pending_action",
)


# --- scope -------------------------------------------------------------------------------------


def location_scope(user: Any) -> list[str] | None:
    """The location codes `user` is bound to, or None for every location."""
    bound = user_locations(user).bound
    return [code for code, _name in bound] or None


def shipments_visible_to(user: Any) -> QuerySet[Shipment]:
    codes = location_scope(user)
    qs = Shipment.objects.all()
    return qs if codes is None else qs.filter(location_code__in=codes)


def location_choices(user: Any) -> list[tuple[str, str]]:
    found = user_locations(user)
    if found.bound:
        return [(code, code) for code, _name in found.bound]
    return [(code, f"{code} · {name}") for code, name in found.active]


# --- the queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    lane: str = workflow.DEFAULT_LANE
    q: str = ""
    location: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    breached: bool = False
    self_ship: str = ""  # "", "yes", "no"


@dataclass
class KeysetPage:
    rows: list[Shipment]
    next_cursor: str = ""
    prev_cursor: str = ""
    is_first: bool = True
    per_page: int = PER_PAGE
    search: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def queue_base(*, user: Any, filters: QueueFilters) -> QuerySet[Shipment]:
    """Every filter but the lane (the lane counts use this too)."""
    qs = shipments_visible_to(user)
    if filters.location:
        qs = qs.filter(location_code=filters.location)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.date_from:
        qs = qs.filter(order_date__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(order_date__lt=_day_start(filters.date_to) + timedelta(days=1))
    if filters.self_ship == "yes":
        qs = qs.filter(is_self_ship=True)
    elif filters.self_ship == "no":
        qs = qs.filter(is_self_ship=False)
    if filters.breached:
        qs = qs.filter(lane__in=workflow.WORK_LANES, due_at__lt=timezone.now())
    return qs


def _search(qs: QuerySet[Shipment], q: str) -> QuerySet[Shipment]:
    """Exact ids only (indexed): shipment id, forward id, marketplace order id or AWB."""
    q = q.strip()
    return qs.filter(Q(shipment_id=q) | Q(forward_id=q) | Q(order_id=q.upper()) | Q(awb_number=q))


def encode_cursor(value: datetime, pk: int) -> str:
    return f"{(value - EPOCH) // timedelta(microseconds=1)}.{pk}"


def decode_cursor(text: str) -> tuple[datetime, int] | None:
    try:
        micros, pk = text.split(".", 1)
        return EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, OverflowError):
        return None


def shipment_queue(
    *,
    user: Any,
    filters: QueueFilters,
    after: str = "",
    before: str = "",
    per_page: int = PER_PAGE,
) -> KeysetPage:
    """One keyset page of a lane: `WHERE (key, id) > (cursor)` on an index that starts with the
    lane (and the location), so page 1 and page 2,000 cost the same."""
    qs = queue_base(user=user, filters=filters).only(*LIST_COLUMNS)
    if filters.q:
        rows = list(_search(qs, filters.q).order_by("-order_date", "-id")[:per_page])
        return KeysetPage(rows=rows, per_page=per_page, search=True)
    lane = workflow.LANE_BY_KEY.get(filters.lane) or workflow.LANE_BY_KEY[workflow.DEFAULT_LANE]
    return keyset_page(
        qs.filter(lane=lane.key),
        order=lane.order,
        after=after,
        before=before,
        per_page=per_page,
    )


def keyset_page(
    qs: QuerySet[Shipment],
    *,
    order: str,
    after: str = "",
    before: str = "",
    per_page: int = PER_PAGE,
) -> KeysetPage:
    """One keyset page of `qs`: `order` "due" (dispatch-by ascending), "recent" (newest order
    first) or "oldest" (oldest order first). Shared by the shipment and returns queues."""
    key = "due_at" if order == "due" else "order_date"
    ascending = order in ("due", "oldest")
    cols = Tuple(F(key), F("id"))
    forward = not before
    cursor = decode_cursor(before or after) if (before or after) else None
    if cursor is not None:
        later = ascending == forward  # moving towards the end of an ascending list
        lookup = TupleGreaterThan if later else TupleLessThan
        # The row-value comparison, plus the bound on its first column alone: where the
        # backend spells the comparison out with OR (SQLite), that bound is what lets the
        # planner seek in the index instead of scanning from the start of the lane.
        bound = {f"{key}__gte" if later else f"{key}__lte": cursor[0]}
        qs = qs.filter(lookup(cols, cursor), **bound)
    else:
        forward = True
    want_ascending = ascending == forward
    ordering = (key, "id") if want_ascending else (f"-{key}", "-id")
    rows = list(qs.order_by(*ordering)[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if not forward:
        rows.reverse()
    page = KeysetPage(rows=rows, per_page=per_page)
    if not rows:
        page.is_first = cursor is None
        return page
    first, last = rows[0], rows[-1]
    if forward:
        page.is_first = cursor is None
        page.next_cursor = encode_cursor(getattr(last, key), last.pk) if more else ""
        page.prev_cursor = "" if cursor is None else encode_cursor(getattr(first, key), first.pk)
    else:
        page.is_first = not more
        page.prev_cursor = encode_cursor(getattr(first, key), first.pk) if more else ""
        page.next_cursor = encode_cursor(getattr(last, key), last.pk)
    return page


@dataclass(frozen=True)
class LaneCount:
    key: str
    label: str
    count: int
    capped: bool

    @property
    def display(self) -> str:
        return f"{self.count - 1:,}+" if self.capped else f"{self.count:,}"


def lane_counts(*, user: Any, filters: QueueFilters, cap: int = COUNT_CAP) -> list[LaneCount]:
    """Live counts of every lane in ONE query: a UNION ALL of per-lane counts, each over at
    most `cap` index entries, so the cost does not grow with the table."""
    base = queue_base(user=user, filters=filters)
    found = capped_counts([(lane.key, base.filter(lane=lane.key)) for lane in workflow.LANES], cap)
    return [
        LaneCount(lane.key, lane.label, found.get(lane.key, 0), found.get(lane.key, 0) >= cap)
        for lane in workflow.LANES
    ]


def capped_counts(parts: list[tuple[str, QuerySet[Shipment]]], cap: int) -> dict[str, int]:
    """COUNT of each named queryset, each over at most `cap` rows, in ONE query."""
    sql_parts: list[str] = []
    params: list[Any] = []
    for name, qs in parts:
        sub = qs.order_by().values("id")[:cap]
        sql, sub_params = sub.query.sql_with_params()
        # `sql` is Django's own compilation of the queryset; every value stays a parameter
        alias = f"capped_{len(sql_parts)}"
        sql_parts.append(f"SELECT %s AS lane, COUNT(*) AS n FROM ({sql}) AS {alias}")  # noqa: S608 Django-compiled SQL, values are parameters  # nosec B608
        params.extend([name, *sub_params])
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql_parts), params)
        return {str(lane): int(n) for lane, n in cursor.fetchall()}


def saved_views_for(*, user: Any) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user).order_by("name"))


def last_synced_at() -> datetime | None:
    row = SyncState.objects.order_by("-last_synced_at").values_list("last_synced_at").first()
    return row[0] if row else None


# --- detail ----------------------------------------------------------------------------------


def shipment_get(*, user: Any, shipment_id: str) -> Shipment | None:
    """A shipment the user may see (None: unknown or another location's, a 404 either way)."""
    return (
        shipments_visible_to(user)
        .select_related("pending_job")
        .prefetch_related("items")
        .filter(shipment_id=shipment_id)
        .first()
    )


def shipment_find(*, user: Any, code: str) -> Shipment | None:
    """The scan station's look-up: a shipment id, AWB, forward id or order id."""
    code = code.strip()
    if not code:
        return None
    return (
        _search(shipments_visible_to(user), code)
        .prefetch_related("items")
        .order_by("-order_date")
        .first()
    )


def shipment_events(*, shipment: Shipment, limit: int = 100) -> list[ShipmentEvent]:
    return list(shipment.events.select_related("job").order_by("-at", "-id")[:limit])


def shipment_job_items(*, shipment: Shipment, limit: int = 20) -> list[JobItem]:
    """What our Jobs did to this shipment: one row per action, newest first."""
    kinds = list(workflow.JOB_KINDS)
    return list(
        JobItem.objects.filter(key=shipment.shipment_id, job__kind__in=kinds)
        .select_related("job", "job__created_by")
        .order_by("-job__created_at", "-id")[:limit]
    )


def open_job(*, kind: str, key: str = "", params: dict[str, Any] | None = None) -> Job | None:
    """An unfinished Job of `kind` (touching item `key`, with these params) if there is one."""
    qs = Job.objects.filter(kind=kind).exclude(status__in=Job.TERMINAL)
    if key:
        qs = qs.filter(items__key=key)
    for name, value in (params or {}).items():
        qs = qs.filter(**{f"params__{name}": value})
    return qs.order_by("-created_at").first()


def job_in_scope(*, user: Any, job: Job) -> bool:
    """Whether every shipment (or location) a shipment Job touches is at the user's
    locations: a warehouse user does not read another location's refusals and documents."""
    codes = location_scope(user)
    if codes is None:
        return True
    if job.kind == "shipment_sync":
        return set(job.params.get("locations") or []) <= set(codes)
    keys = job.items.values_list("key", flat=True)
    return (
        not Shipment.objects.filter(shipment_id__in=keys).exclude(location_code__in=codes).exists()
    )


def document_get(*, user: Any, document_id: int) -> ShipmentDocument | None:
    """A stored PDF the user may open: every shipment in it must be at their locations."""
    doc = ShipmentDocument.objects.filter(pk=document_id).select_related("job").first()
    if doc is None:
        return None
    codes = location_scope(user)
    if codes is not None and not set(doc.location_codes) <= set(codes):
        return None
    return doc
