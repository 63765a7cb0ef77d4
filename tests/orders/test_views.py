"""The shipment pages through Django's test client: queue, detail, actions, documents, scan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from konnect_admin.konnect.client import KonnectClient
from konnect_admin.models import Job
from konnect_admin.sandbox import statemachine
from konnect_admin.sandbox.models import Shipment as RemoteShipment
from orders import selectors, workflow
from orders.models import SavedView, Shipment, ShipmentDocument
from orders.selectors import QueueFilters
from orders.services import shipment_action_start
from tests.orders.conftest import remote_state

pytestmark = pytest.mark.django_db

LIST = "/orders/"
HX = {"HX-Request": "true"}
Pick = Callable[..., list[str]]
Drain = Callable[..., Any]


def ids_in(response: Any) -> list[str]:
    return [s.shipment_id for s in response.context["page"].rows]


# --- the queue -----------------------------------------------------------------------------


def test_queue_shows_the_new_lane_most_urgent_first(synced: None, admin_client: Any) -> None:
    response = admin_client.get(LIST)
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert rows and all(r.lane == "CREATED" for r in rows)
    assert [r.due_at for r in rows] == sorted(r.due_at for r in rows)
    counts = {lane.key: lane.count for lane in response.context["lanes"]}
    for key, n in counts.items():
        assert n == min(Shipment.objects.filter(lane=key).count(), selectors.COUNT_CAP), key
    breached = [r for r in rows if r.due_at < timezone.now()]
    assert breached, "the seed has CREATED shipments past their SLA"
    assert response.content.count(b'class="is-breached') == len(breached)


def test_lane_counts_are_capped_not_counted_to_the_end(synced: None, admin_user: Any) -> None:
    lanes = selectors.lane_counts(user=admin_user, filters=QueueFilters(), cap=10)
    delivered = next(lane for lane in lanes if lane.key == "DELIVERED")
    assert delivered.capped and delivered.display == "9+"


def test_filters_narrow_the_lane(synced: None, admin_client: Any) -> None:
    rows = Shipment.objects.filter(lane="CREATED")
    channel = rows.values_list("channel", flat=True).first()
    got = ids_in(admin_client.get(LIST, {"channel": channel}))
    assert got and set(got) == set(
        rows.filter(channel=channel).values_list("shipment_id", flat=True)[:50]
    )
    self_ship = ids_in(admin_client.get(LIST, {"lane": "PROCESSING", "self_ship": "yes"}))
    assert self_ship and all(Shipment.objects.get(shipment_id=s).is_self_ship for s in self_ship)
    breached = ids_in(admin_client.get(LIST, {"breached": "on"}))
    assert breached and all(
        Shipment.objects.get(shipment_id=s).due_at < timezone.now() for s in breached
    )
    location = ids_in(admin_client.get(LIST, {"location": "GGN-DS-01"}))
    assert location and {Shipment.objects.get(shipment_id=s).location_code for s in location} == {
        "GGN-DS-01"
    }
    day = rows.order_by("order_date").first().order_date.astimezone(timezone.get_current_timezone())
    dated = ids_in(
        admin_client.get(
            LIST, {"date_from": day.date().isoformat(), "date_to": day.date().isoformat()}
        )
    )
    assert dated and all(
        timezone.localtime(Shipment.objects.get(shipment_id=s).order_date).date() == day.date()
        for s in dated
    )


def test_search_by_shipment_order_or_awb(synced: None, admin_client: Any) -> None:
    s = Shipment.objects.exclude(awb_number="").filter(lane="TRANSIT").first()
    for q in (s.shipment_id, s.order_id, s.order_id.lower(), s.awb_number):
        got = ids_in(admin_client.get(LIST, {"q": q}))
        assert s.shipment_id in got, q
    assert ids_in(admin_client.get(LIST, {"q": "nothing-like-this"})) == []


def test_keyset_pages_walk_the_whole_lane_forward_and_back(synced: None, admin_client: Any) -> None:
    expected = list(
        Shipment.objects.filter(lane="DELIVERED")
        .order_by("-order_date", "-id")
        .values_list("shipment_id", flat=True)
    )
    assert len(expected) > 100
    seen: list[str] = []
    pages = []
    params: dict[str, str] = {"lane": "DELIVERED"}
    while True:
        response = admin_client.get(LIST, params)
        page = response.context["page"]
        pages.append((dict(params), ids_in(response)))
        seen += ids_in(response)
        if not page.next_cursor:
            break
        params = {"lane": "DELIVERED", "after": page.next_cursor}
    assert seen == expected
    # "Previous" from the third page gives the second page again
    third = admin_client.get(LIST, pages[2][0])
    back = admin_client.get(
        LIST, {"lane": "DELIVERED", "before": third.context["page"].prev_cursor}
    )
    assert ids_in(back) == pages[1][1]
    first = admin_client.get(
        LIST, {"lane": "DELIVERED", "before": back.context["page"].prev_cursor}
    )
    assert ids_in(first) == pages[0][1] and first.context["page"].is_first


def test_a_broken_cursor_shows_the_first_page(synced: None, admin_client: Any) -> None:
    response = admin_client.get(LIST, {"after": "not-a-cursor"})
    assert response.status_code == 200 and response.context["page"].is_first


def test_htmx_gets_only_the_results_small(synced: None, admin_client: Any) -> None:
    import gzip

    response = admin_client.get(LIST, {"lane": "DELIVERED"}, headers=HX)
    assert response.status_code == 200
    assert b"<html" not in response.content and b'id="shipment-results"' in response.content
    assert "HX-Request" in response["Vary"]
    assert response.content.count(b'name="shipment_ids"') == 50
    assert len(response.content) <= 50_000  # P5: a 50-row fragment
    assert len(gzip.compress(response.content)) <= 10_000


@pytest.mark.parametrize("who", ["admin", "warehouse"])
def test_the_queue_runs_in_a_few_queries_whatever_the_rows(
    synced: None,
    who: str,
    admin_client: Any,
    warehouse_client: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = admin_client if who == "admin" else warehouse_client
    client.get(LIST)  # the session's first request writes its start time
    counts = []
    for params in ({"lane": "DELIVERED"}, {"lane": "DELIVERED", "channel": "UNIKET"}):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, params)
        assert response.status_code == 200
        counts.append(len(queries))
        assert not any("COUNT(*)" in q["sql"] and "LIMIT" not in q["sql"] for q in queries)
    assert counts[0] == counts[1] and counts[0] <= 8, counts  # P1 (the issue allows 10)
    with django_assert_max_num_queries(8):
        client.get(LIST, {"lane": "DELIVERED"}, headers=HX)


def test_a_warehouse_user_sees_only_their_location(
    synced: None, warehouse_client: Any, pick: Pick
) -> None:
    response = warehouse_client.get(LIST, {"lane": "DELIVERED"})
    rows = response.context["page"].rows
    assert rows and {r.location_code for r in rows} == {"BHW-WH-01"}
    counts = {lane.key: lane.count for lane in response.context["lanes"]}
    assert (
        counts["CREATED"]
        == Shipment.objects.filter(lane="CREATED", location_code="BHW-WH-01").count()
    )
    (other,) = pick("placed", location="BLR-ST-01")
    assert warehouse_client.get(reverse("orders:shipment_detail", args=[other])).status_code == 404
    assert ids_in(warehouse_client.get(LIST, {"q": other})) == []
    # another location in the filter is dropped; the other filters still apply
    crafted = warehouse_client.get(LIST, {"location": "BLR-ST-01", "lane": "DELIVERED"})
    rows = crafted.context["page"].rows
    assert rows and {r.location_code for r in rows} == {"BHW-WH-01"}
    assert {r.lane for r in rows} == {"DELIVERED"}


def test_saved_views_are_per_user(synced: None, admin_client: Any, warehouse_client: Any) -> None:
    response = admin_client.post(
        reverse("orders:saved_view_create"),
        {
            "name": "Myntra breached",
            "query": "lane=CREATED&channel=MYNTRA_IN&breached=on&after=1.2",
        },
    )
    assert response.status_code == 302
    view = SavedView.objects.get(name="Myntra breached")
    assert view.query == "lane=CREATED&channel=MYNTRA_IN&breached=on"  # no cursor kept
    assert b"Myntra breached" in admin_client.get(LIST).content
    assert b"Myntra breached" not in warehouse_client.get(LIST).content
    assert (
        warehouse_client.post(reverse("orders:saved_view_delete", args=[view.pk])).status_code
        == 404
    )
    admin_client.post(reverse("orders:saved_view_delete", args=[view.pk]))
    assert not SavedView.objects.exists()


# --- actions through the page ----------------------------------------------------------------


def test_a_crafted_dispatch_before_pack_is_refused_in_words(pick: Pick, admin_client: Any) -> None:
    (sid,) = pick("bag_confirmed")
    data = {"action": "dispatch", "shipment_ids": sid}
    response = admin_client.post(reverse("orders:shipment_action"), data)
    assert response.status_code == 409
    text = response.content.decode()
    assert f"Dispatch is not possible for shipment {sid}" in text and "must be packed" in text
    htmx = admin_client.post(reverse("orders:shipment_action"), data, headers=HX)
    assert htmx.status_code == 409 and htmx["HX-Retarget"] == "#toasts"
    assert b"must be packed" in htmx.content
    assert not Job.objects.filter(kind="shipment_dispatch").exists()


def test_an_action_form_needs_its_fields(pick: Pick, admin_client: Any) -> None:
    (sid,) = pick("bag_confirmed")
    url = reverse("orders:shipment_action")
    response = admin_client.post(url, {"action": "invoice", "shipment_ids": sid}, headers=HX)
    assert response.status_code == 422 and b"Enter the invoice number" in response.content
    response = admin_client.post(url, {"action": "cancel", "shipment_ids": sid}, headers=HX)
    assert response.status_code == 422 and b"Choose why" in response.content
    response = admin_client.post(url, {"action": "confirm"}, headers=HX)
    assert response.status_code == 422 and b"Select at least one shipment" in response.content


def test_bulk_confirm_from_the_queue(pick: Pick, admin_client: Any, drain_jobs: Drain) -> None:
    ids = pick("placed", 3)
    response = admin_client.post(
        reverse("orders:shipment_action"), {"action": "confirm", "shipment_ids": ids}, headers=HX
    )
    assert response.status_code == 202 and response["HX-Trigger"] == "shipments-changed"
    job = Job.objects.get(kind="shipment_confirm")
    assert f'id="ojob-{job.pk}"'.encode() in response.content
    pending = admin_client.get(LIST).content.decode()
    assert "Confirming…" in pending
    drain_jobs()
    progress = admin_client.get(reverse("orders:job_status", args=[job.pk]), headers=HX)
    assert progress["HX-Trigger"] == "job-finished" and b"hx-get" not in progress.content
    assert all(remote_state(s) == "bag_confirmed" for s in ids)


def test_a_merchandiser_cannot_act(pick: Pick, merch_client: Any) -> None:
    (sid,) = pick("placed")
    response = merch_client.post(
        reverse("orders:shipment_action"), {"action": "confirm", "shipment_ids": sid}
    )
    assert response.status_code == 403


# --- detail ----------------------------------------------------------------------------------


def test_detail_offers_exactly_what_the_state_machine_allows(pick: Pick, admin_client: Any) -> None:
    (sid,) = pick("dp_assigned", self_ship=False)
    response = admin_client.get(reverse("orders:shipment_detail", args=[sid]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="pack"' in html and 'value="cancel"' in html
    assert 'value="dispatch"' not in html and 'value="confirm"' not in html
    assert 'name="invoice_number"' not in html
    shipment = response.context["shipment"]
    assert set(response.context["allowed"]) == {s.name for s in workflow.actions_for(shipment)}
    for item in shipment.items.all():
        assert item.sku in html
    assert shipment.customer_name in html and "Timeline" in html
    assert 'hx-trigger="load"' in html  # never refreshed: the page asks for a refresh


def test_a_read_only_role_sees_no_action_buttons(pick: Pick, make_user: Any, client: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    viewer = make_user("viewer", "Merchandiser")
    group = Group.objects.create(name="Viewers")
    group.permissions.add(Permission.objects.get(codename="view_shipments"))
    viewer.groups.add(group)
    client.force_login(viewer)
    (sid,) = pick("placed")
    html = client.get(reverse("orders:shipment_detail", args=[sid])).content.decode()
    assert 'value="confirm"' not in html
    assert "not act on them" in html


def test_refresh_reads_info_and_caches_tracking(
    pick: Pick, admin_client: Any, drain_jobs: Drain, monkeypatch: Any
) -> None:
    tracked: list[str] = []
    real = KonnectClient.track

    def spy(self: KonnectClient, **kwargs: Any) -> Any:
        tracked.append(str(kwargs))
        return real(self, **kwargs)

    monkeypatch.setattr(KonnectClient, "track", spy)
    (sid,) = pick("bag_picked", self_ship=False)
    url = reverse("orders:shipment_refresh", args=[sid])
    assert admin_client.post(url, headers=HX).status_code == 202
    assert admin_client.post(url, headers=HX).status_code == 202  # joins the running one
    assert Job.objects.filter(kind="shipment_refresh").count() == 1
    drain_jobs()
    row = Shipment.objects.get(shipment_id=sid)
    assert row.info_refreshed_at and row.processing_due_at and row.tracking_fetched_at
    assert row.tracking["operational_status"] == "bag_picked" and row.tracking["events"]
    assert len(tracked) == 1
    html = admin_client.get(reverse("orders:shipment_detail", args=[sid])).content.decode()
    assert "Tracking fetched" in html and 'hx-trigger="load"' not in html
    # the Refresh button a minute later reads the shipment again but keeps the cached tracking
    Job.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=1))
    assert admin_client.post(url, {"force": "1"}, headers=HX).status_code == 202
    drain_jobs()
    assert len(tracked) == 1
    # ... until the shipment moves on: then the cached tracking is out of date
    remote = RemoteShipment.objects.get(shipment_id=sid)
    statemachine.deliver(remote, statemachine.By(at=timezone.now(), source="fynd"))
    assert admin_client.post(url, {"force": "1"}, headers=HX).status_code == 202
    drain_jobs()
    assert len(tracked) == 2
    row.refresh_from_db()
    assert row.state == "delivery_done" and row.tracking["operational_status"] == "delivery_done"


def test_a_fresh_shipment_is_not_refreshed_again(pick: Pick, admin_client: Any) -> None:
    (sid,) = pick("placed")
    Shipment.objects.filter(shipment_id=sid).update(info_refreshed_at=timezone.now())
    response = admin_client.post(reverse("orders:shipment_refresh", args=[sid]), headers=HX)
    assert response.status_code == 204
    assert not Job.objects.filter(kind="shipment_refresh").exists()
    # the Refresh button (force) always reads, fresh or not
    forced = admin_client.post(
        reverse("orders:shipment_refresh", args=[sid]), {"force": "1"}, headers=HX
    )
    assert forced.status_code == 202
    assert Job.objects.filter(kind="shipment_refresh").count() == 1


def test_customer_text_is_escaped(pick: Pick, admin_client: Any) -> None:
    (sid,) = pick("placed")
    evil = '"><img src=x onerror=alert(1)>'
    row = Shipment.objects.get(shipment_id=sid)
    row.customer_name = evil
    row.raw["shippingAddress"]["name"] = evil
    row.save()
    for url in (f"{LIST}?q={sid}", reverse("orders:shipment_detail", args=[sid])):
        html = admin_client.get(url).content.decode()
        assert evil not in html and "&lt;img src=x onerror=alert(1)&gt;" in html, url


# --- documents -------------------------------------------------------------------------------


def test_documents_open_only_for_their_locations(
    pick: Pick, admin_user: Any, admin_client: Any, warehouse_client: Any, drain_jobs: Drain
) -> None:
    (other,) = pick("bag_packed", location="BLR-ST-01")
    job = shipment_action_start(user=admin_user, action="labels", shipment_ids=[other]).job
    drain_jobs()
    doc = ShipmentDocument.objects.get(job=job)
    url = reverse("orders:document_download", args=[doc.pk])
    response = admin_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert warehouse_client.get(url).status_code == 404
    status_url = reverse("orders:job_status", args=[job.pk])
    status = admin_client.get(status_url).content.decode()
    assert url in status and "Open PDF (1 page)" in status
    assert warehouse_client.get(status_url).status_code == 404  # not even the job's page
    # PDFs are kept a few days, then dropped (the record of the job stays)
    ShipmentDocument.objects.filter(pk=doc.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=4)
    )
    shipment_action_start(user=admin_user, action="labels", shipment_ids=[other])
    assert admin_client.get(url).status_code == 404


# --- scan to pack ------------------------------------------------------------------------------


def test_scan_to_pack_then_label(synced: None, warehouse_client: Any, drain_jobs: Drain) -> None:
    shipment = next(
        s
        for s in Shipment.objects.filter(
            location_code="BHW-WH-01", state="dp_assigned", is_self_ship=False
        ).prefetch_related("items")
        if len(s.items.all()) >= 2
    )
    sid = shipment.shipment_id
    station = reverse("orders:scan_station")
    page = warehouse_client.get(station, {"code": shipment.awb_number, "fresh": "1"})
    assert page.context["shipment"].shipment_id == sid
    assert b'name="sku"' in page.content and b"Pack shipment" not in page.content
    verify = reverse("orders:scan_verify", args=[sid])
    wrong = warehouse_client.post(verify, {"sku": "NOT-IN-THIS-BOX"}, headers=HX)
    assert wrong.status_code == 422
    assert b"Wrong item: NOT-IN-THIS-BOX" in wrong.content and b'role="alert"' in wrong.content
    assert b'data-beep="error"' in wrong.content
    # packing before every item is verified is refused by the server
    early = warehouse_client.post(reverse("orders:scan_pack", args=[sid]), headers=HX)
    assert early.status_code == 409 and b"Scan every item" in early.content
    items = [i for i in shipment.items.all() if not i.is_cancelled]
    for item in items:
        for _ in range(item.quantity):
            ok = warehouse_client.post(verify, {"sku": item.sku.lower()}, headers=HX)
            assert ok.status_code == 200 and b"OK: " in ok.content
    extra = warehouse_client.post(verify, {"sku": items[0].sku}, headers=HX)
    assert extra.status_code == 422 and b"Too many" in extra.content
    panel = warehouse_client.get(station, {"code": sid}, headers=HX)
    assert b"Pack shipment" in panel.content and b'name="sku"' not in panel.content
    packing = warehouse_client.post(reverse("orders:scan_pack", args=[sid]), headers=HX)
    assert packing.status_code == 200
    drain_jobs()
    assert remote_state(sid) == "bag_packed"
    panel = warehouse_client.get(station, {"code": sid}, headers=HX).content.decode()
    assert "Packed." in panel and reverse("orders:scan_label", args=[sid]) in panel
    warehouse_client.post(reverse("orders:scan_label", args=[sid]), headers=HX)
    warehouse_client.post(reverse("orders:scan_label", args=[sid]), headers=HX)  # one job only
    assert Job.objects.filter(kind="shipment_documents").count() == 1
    drain_jobs()
    panel = warehouse_client.get(station, {"code": sid}, headers=HX).content.decode()
    assert "Print label (PDF)" in panel and "The label is ready" in panel
    doc = ShipmentDocument.objects.get()
    pdf = warehouse_client.get(reverse("orders:document_download", args=[doc.pk]))
    assert pdf.content.startswith(b"%PDF") and doc.shipment_ids == [sid]


def test_scan_station_finds_only_my_shipments(pick: Pick, warehouse_client: Any) -> None:
    (other,) = pick("dp_assigned", location="BLR-ST-01")
    page = warehouse_client.get(reverse("orders:scan_station"), {"code": other})
    assert page.context["shipment"] is None
    assert b"No shipment" in page.content
    assert (
        warehouse_client.post(reverse("orders:scan_verify", args=[other]), {"sku": "X"}).status_code
        == 404
    )


def test_scan_station_says_why_a_shipment_cannot_be_packed(
    pick: Pick, warehouse_client: Any
) -> None:
    (sid,) = pick("bag_confirmed")
    page = warehouse_client.get(reverse("orders:scan_station"), {"code": sid})
    assert b"cannot be packed now" in page.content and b'name="sku"' not in page.content


def test_no_view_calls_konnect_while_the_user_waits(
    pick: Pick, admin_client: Any, monkeypatch: Any
) -> None:
    from konnect_admin.konnect import base

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a view called Konnect")

    monkeypatch.setattr(base.ClientBase, "_call", refuse)
    (sid,) = pick("dp_assigned")
    for url in (
        LIST,
        LIST + "?lane=PROCESSING",
        reverse("orders:shipment_detail", args=[sid]),
        reverse("orders:scan_station") + f"?code={sid}",
    ):
        assert admin_client.get(url).status_code == 200, url
    admin_client.post(reverse("orders:shipment_action"), {"action": "pack", "shipment_ids": sid})
    admin_client.post(reverse("orders:shipment_refresh", args=[sid]))
