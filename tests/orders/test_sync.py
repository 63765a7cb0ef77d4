"""The shipment sync: every bucket of every location, paged, idempotent, scoped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from konnect_admin.konnect.client import KonnectClient
from konnect_admin.models import Job, JobItem
from konnect_admin.sandbox import statemachine
from konnect_admin.sandbox.models import Shipment as RemoteShipment
from orders import sync
from orders.cache import shipments_upsert
from orders.models import Shipment, ShipmentEvent, ShipmentItem, SyncState
from orders.sync import MODE_NEW, shipment_sync_start

pytestmark = pytest.mark.django_db

WINDOW = timedelta(days=30)


def _remote_in_window() -> Counter[tuple[str, str]]:
    since = timezone.now() - WINDOW
    return Counter(
        RemoteShipment.objects.filter(order_date__gte=since).values_list("location_code", "bucket")
    )


def test_the_cache_holds_every_shipment_of_the_window_by_location_and_bucket(synced: None) -> None:
    remote = _remote_in_window()
    local = Counter(Shipment.objects.values_list("location_code", "bucket"))
    for key, count in remote.items():
        assert local[key] >= count, key
    assert sum(remote.values()) >= 450
    remote_items = {
        (s.shipment_id, i.item_id, i.quantity, i.state)
        for s in RemoteShipment.objects.prefetch_related("items")
        for i in s.items.all()
    }
    local_items = set(
        ShipmentItem.objects.values_list(
            "shipment__shipment_id", "order_item_id", "quantity", "state"
        )
    )
    assert local_items <= remote_items
    assert SyncState.objects.count() == 3 * len(sync.workflow.SYNC_BUCKETS)


def test_denormalised_columns_follow_the_payload(synced: None) -> None:
    remote = RemoteShipment.objects.filter(state="placed").prefetch_related("items").first()
    local = Shipment.objects.get(shipment_id=remote.shipment_id)
    assert local.order_id == remote.order_id
    assert local.location_code == remote.location_code
    assert local.channel == remote.channel
    assert local.lane == "CREATED" and local.bucket == "CREATED" and local.state == "placed"
    assert local.customer_name == remote.shipping_address["name"]
    assert local.customer_pincode == remote.shipping_address["pincode"]
    assert local.due_at == remote.sla.replace(microsecond=0)  # the wire has whole seconds
    assert local.item_count == sum(
        i.quantity for i in remote.items.all() if i.state not in statemachine.CANCELLED_STATES
    )
    assert local.raw["id"] == remote.shipment_id


def test_a_second_sync_changes_nothing(synced: None, drain_jobs: Callable[..., Any]) -> None:
    shipments, items, events = (
        Shipment.objects.count(),
        ShipmentItem.objects.count(),
        ShipmentEvent.objects.count(),
    )
    job = shipment_sync_start(user=None)
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert (Shipment.objects.count(), ShipmentItem.objects.count()) == (shipments, items)
    assert ShipmentEvent.objects.count() == events  # no state changed, so no new timeline rows
    created = sum(int((i.result or {}).get("created", 0)) for i in job.items.all())
    updated = sum(int((i.result or {}).get("updated", 0)) for i in job.items.all())
    assert (created, updated) == (0, 0)
    assert "0 new, 0 changed" in job.message


def test_pages_are_read_to_the_end_with_location_and_window(
    synced: None, drain_jobs: Callable[..., Any], monkeypatch: Any
) -> None:
    calls: list[dict[str, Any]] = []
    real = KonnectClient.shipments

    def spy(self: KonnectClient, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(self, **kwargs)

    monkeypatch.setattr(KonnectClient, "shipments", spy)
    monkeypatch.setattr(sync, "PAGE_SIZE", 7)
    Shipment.objects.all().delete()
    job = shipment_sync_start(user=None, locations=["BHW-WH-01"])
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    remote = {b: n for (loc, b), n in _remote_in_window().items() if loc == "BHW-WH-01"}
    assert Shipment.objects.filter(location_code="BHW-WH-01").count() == sum(remote.values())
    assert not Shipment.objects.exclude(location_code="BHW-WH-01").exists()
    assert {c["location_code"] for c in calls} == {"BHW-WH-01"}
    assert all(c["page_size"] == 7 and c["date_from"] is not None for c in calls)
    pages = Counter(c["order_status"] for c in calls)
    for bucket in sync.workflow.SYNC_BUCKETS:
        assert pages[bucket] == remote.get(bucket, 0) // 7 + 1, bucket


def test_new_orders_sync_reads_created_since_the_last_sync(
    synced: None, drain_jobs: Callable[..., Any]
) -> None:
    job = shipment_sync_start(user=None, mode=MODE_NEW)
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    buckets = {i.payload["bucket"] for i in job.items.all()}
    assert buckets == {"CREATED"}
    for item in job.items.all():
        state = SyncState.objects.get(location_code=item.payload["location"], bucket="CREATED")
        assert item.payload["date_from"] < state.last_synced_at.isoformat()


def test_a_shipment_that_left_its_bucket_is_read_back_by_id(
    synced: None, drain_jobs: Callable[..., Any]
) -> None:
    remote = RemoteShipment.objects.filter(state="placed", location_code="BHW-WH-01").first()
    assert remote is not None
    statemachine.customer_cancel(remote, statemachine.By(at=timezone.now(), source="fynd"))
    # the new-orders sync last ran before this order was placed: its window covers it
    SyncState.objects.filter(location_code="BHW-WH-01", bucket="CREATED").update(
        last_synced_at=remote.order_date - timedelta(hours=1)
    )
    job = shipment_sync_start(user=None, mode=MODE_NEW, locations=["BHW-WH-01"])
    drain_jobs()
    job.refresh_from_db()
    local = Shipment.objects.get(shipment_id=remote.shipment_id)
    assert local.state == "cancelled_customer" and local.lane == "CANCELLED"
    assert "read back by id" in job.message
    event = local.events.filter(kind="state").first()
    assert event is not None and event.previous_state == "placed"


def test_a_sync_never_overwrites_a_newer_local_write(synced: None) -> None:
    local = Shipment.objects.filter(state="placed").first()
    stale = dict(local.raw)
    fetched_at = timezone.now() - timedelta(seconds=5)
    local.state = "bag_confirmed"
    local.synced_at = timezone.now()
    local.save()
    result = shipments_upsert([stale], fetched_at=fetched_at)
    assert result.skipped == 1
    local.refresh_from_db()
    assert local.state == "bag_confirmed"


def test_an_unknown_location_fails_its_items_only(
    synced: None, drain_jobs: Callable[..., Any]
) -> None:
    from konnect_admin.models import Location

    Location.objects.create(code="NOWHERE-01", name="Closed store")
    job = shipment_sync_start(user=None, locations=["NOWHERE-01", "GGN-DS-01"])
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.PARTIAL
    failed = job.items.filter(status=JobItem.Status.FAILED)
    assert {i.payload["location"] for i in failed} == {"NOWHERE-01"}
    assert "locationCode" in failed.first().message


def test_refresh_button_of_a_warehouse_user_syncs_their_location(
    synced: None, warehouse_client: Any
) -> None:
    response = warehouse_client.post("/orders/sync/", headers={"HX-Request": "true"})
    assert response.status_code == 202
    job = Job.objects.filter(kind=sync.KIND).order_by("-pk").first()
    assert job.params["locations"] == ["BHW-WH-01"]
    assert {i.payload["location"] for i in job.items.all()} == {"BHW-WH-01"}
    # a second click joins the running sync instead of starting another
    warehouse_client.post("/orders/sync/", headers={"HX-Request": "true"})
    assert Job.objects.filter(kind=sync.KIND).exclude(status__in=Job.TERMINAL).count() <= 1


def test_beat_runs_new_orders_often_and_everything_less_often(synced: None) -> None:
    from django.conf import settings

    from konnect_admin.schedule import beat_schedule
    from orders import tasks

    schedule = beat_schedule(settings)
    assert schedule["orders-sync-new"] == {"task": "orders.shipment_sync_new", "schedule": 300}
    assert schedule["orders-sync-all"] == {"task": "orders.shipment_sync_all", "schedule": 1800}
    new = Job.objects.get(pk=tasks.shipment_sync_new())
    assert new.params["mode"] == MODE_NEW and new.created_by is None
    assert {i.payload["bucket"] for i in new.items.all()} == {"CREATED"}
    full = Job.objects.get(pk=tasks.shipment_sync_all())
    assert full.items.count() == 3 * len(sync.workflow.SYNC_BUCKETS)
    assert tasks.shipment_sync_all() == full.pk  # while one runs, the next joins it


def test_make_run_queues_a_first_sync_once(synced: None) -> None:
    from konnect_admin import demo

    step = dict(demo.SEED_STEPS)["shipment sync queued"]
    assert step() == "already synced"
    SyncState.objects.all().delete()
    assert step().startswith("job ")
    assert Job.objects.filter(kind=sync.KIND, params__mode="full").exists()
