"""Shipment sync: every status bucket of every location, paged to the end, upserted in bulk.

A sync is a Job ("shipment_sync") with one item per (location, bucket). Each runner step reads
ONE page (pageSize 100, the contract's maximum) and upserts it, so progress shows, the step
stays short, and a killed worker resumes at the page it had reached. Konnect wants a
`locationCode` with a company token, so every call names its location; a location with its
own credentials is read with its own token.

Two schedules follow the reference's polling guidance (section 11): new orders (CREATED) every
5 minutes over the window since the last sync of that location (with an overlap), and every
bucket every 30 minutes over the last 30 days. After the pages, shipments that sat in a synced
bucket but were not listed any more (they moved on) are read back by id, a few per step.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from konnect_admin.jobs.registry import Step
from konnect_admin.jobs.services import job_create
from konnect_admin.konnect import OMS_PAGE_MAX, KonnectError, get_client
from konnect_admin.models import Job, JobItem, Location
from orders import workflow
from orders.cache import UpsertResult, shipments_upsert
from orders.models import Shipment, SyncState

logger = logging.getLogger(__name__)

KIND = "shipment_sync"
PAGE_SIZE = OMS_PAGE_MAX
NEW_OVERLAP = timedelta(minutes=15)
RECHECK_PER_STEP = 20
RECHECK_MAX = 400  # read-backs per sync; more wait for the next sync
MODE_NEW, MODE_FULL = "new", "full"


def window_days() -> int:
    return int(getattr(settings, "ORDERS_SYNC_WINDOW_DAYS", 30))


def sync_locations(codes: Sequence[str] | None = None) -> list[str]:
    qs = Location.objects.filter(is_active=True)
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    return list(qs.order_by("code").values_list("code", flat=True))


def shipment_sync_start(
    *,
    user: Any,
    mode: str = MODE_FULL,
    locations: Sequence[str] | None = None,
    source: str = "ui",
    request: Any = None,
) -> Job:
    """Store a sync Job (or return the one already running for the same scope)."""
    codes = sync_locations(locations)
    buckets = ("CREATED",) if mode == MODE_NEW else workflow.SYNC_BUCKETS
    running = (
        Job.objects.filter(kind=KIND, params__mode=mode, params__locations=codes)
        .exclude(status__in=Job.TERMINAL)
        .first()
    )
    if running is not None:
        return running
    now = timezone.now()
    full_from = now - timedelta(days=window_days())
    last = {
        (code, bucket): at
        for code, bucket, at in SyncState.objects.filter(location_code__in=codes).values_list(
            "location_code", "bucket", "last_synced_at"
        )
    }
    items = []
    for code in codes:
        for bucket in buckets:
            since = full_from
            previous = last.get((code, bucket))
            if mode == MODE_NEW and previous is not None:
                since = max(full_from, previous - NEW_OVERLAP)
            items.append(
                (
                    f"{code}:{bucket}",
                    {"location": code, "bucket": bucket, "date_from": since.isoformat()},
                )
            )
    title = (
        "Sync new shipments" if mode == MODE_NEW else "Sync all shipments"
    ) + f" ({', '.join(codes) or 'no locations'})"
    return job_create(
        kind=KIND,
        title=title,
        created_by=user,
        params={"mode": mode, "locations": codes},
        items=items,
        source=source,
        request=request,
    )


def _date_from(item: JobItem) -> datetime:
    parsed = parse_datetime(str(item.payload.get("date_from") or ""))
    return parsed or timezone.now() - timedelta(days=window_days())


def _sync_page(job: Job, item: JobItem) -> Step:
    result = dict(item.result or {})
    page = int(result.get("next_page", 1))
    if page == 1:
        result["started_at"] = timezone.now().isoformat()
    location, bucket = item.payload["location"], item.payload["bucket"]
    fetched_at = timezone.now()
    try:
        with get_client(location) as client:
            found = client.shipments(
                order_status=bucket,
                location_code=location,
                page_number=page,
                page_size=PAGE_SIZE,
                date_from=_date_from(item),
            )
    except KonnectError as exc:
        if getattr(exc, "retryable", False):
            raise
        item.status = JobItem.Status.FAILED
        item.error_code = (exc.code or "")[:32]
        item.message = str(exc)[:2000]
        item.result = result
        item.save()
        return Step.more()
    counts = shipments_upsert([dict(s) for s in found], fetched_at=fetched_at, job=job)
    totals = UpsertResult(**{k: int(result.get(k, 0)) for k in UpsertResult().as_dict()})
    totals.add(counts)
    result.update(totals.as_dict())
    result["fetched"] = int(result.get("fetched", 0)) + len(found)
    result["pages"] = page
    if len(found) < PAGE_SIZE:
        item.status = JobItem.Status.SUCCEEDED
        started = parse_datetime(result["started_at"]) or fetched_at
        SyncState.objects.update_or_create(
            location_code=location,
            bucket=bucket,
            defaults={
                "last_synced_at": started,
                "last_count": result["fetched"],
                "last_job": job,
            },
        )
    else:
        result["next_page"] = page + 1
    item.result = result
    item.save(update_fields=["status", "result", "updated_at"])
    return Step.more()


def _moved_candidates(job: Job) -> list[tuple[str, str]]:
    """(location, shipment id) of cached shipments in the synced buckets and windows that this
    sync did not see: they moved to a bucket it did not read, and are read back by id."""
    started = job.started_at or job.created_at
    found: list[tuple[str, str]] = []
    for item in job.items.filter(status=JobItem.Status.SUCCEEDED).order_by("seq"):
        rows = Shipment.objects.filter(
            location_code=item.payload["location"],
            bucket=item.payload["bucket"],
            order_date__gte=_date_from(item),
            synced_at__lt=started,
        ).values_list("shipment_id", flat=True)
        found.extend((item.payload["location"], sid) for sid in rows)
    return found[:RECHECK_MAX]


def _recheck(job: Job) -> Step:
    if "recheck" not in job.state:
        job.state["recheck"] = _moved_candidates(job)
        job.state["rechecked"] = 0
    queue: list[list[str]] = job.state["recheck"]
    if not queue:
        job.state["phase"] = "done"
        return Step.more()
    chunk, rest = queue[:RECHECK_PER_STEP], queue[RECHECK_PER_STEP:]
    for location, group in _by_location(chunk):
        with get_client(location) as client:
            payloads = []
            fetched_at = timezone.now()
            for sid in group:
                remote = client.shipment(order_id=sid, location_code=location)
                if remote is not None:
                    payloads.append(dict(remote))
            shipments_upsert(payloads, fetched_at=fetched_at, job=job)
    job.state["recheck"] = rest
    job.state["rechecked"] = int(job.state.get("rechecked", 0)) + len(chunk)
    return Step.more()


def _by_location(pairs: Sequence[Sequence[str]]) -> list[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = {}
    for location, sid in pairs:
        grouped.setdefault(location, []).append(sid)
    return list(grouped.items())


def shipment_sync_run(job: Job) -> Step:
    phase = job.state.get("phase", "pages")
    if phase == "pages":
        item = job.items.filter(status=JobItem.Status.PENDING).order_by("seq").first()
        if item is not None:
            return _sync_page(job, item)
        job.state["phase"] = "recheck"
        return Step.more()
    if phase == "recheck":
        return _recheck(job)
    fetched = sum(int((i.result or {}).get("fetched", 0)) for i in job.items.all())
    created = sum(int((i.result or {}).get("created", 0)) for i in job.items.all())
    updated = sum(int((i.result or {}).get("updated", 0)) for i in job.items.all())
    moved = int(job.state.get("rechecked", 0))
    return Step.done(
        reason=f"{fetched} shipments read: {created} new, {updated} changed"
        + (f", {moved} read back by id" if moved else "")
    )
