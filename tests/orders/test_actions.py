"""Every shipment action against the in-process sandbox: happy path, refusals, batching,
the double-send guard and the read-back after an ambiguous failure."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from konnect_admin.konnect.client import KonnectClient
from konnect_admin.models import AuditEvent, Job, JobItem
from konnect_admin.sandbox import statemachine
from konnect_admin.sandbox.models import FaultSettings
from konnect_admin.sandbox.models import Shipment as RemoteShipment
from orders import actions
from orders.models import Shipment, ShipmentDocument
from orders.services import ActionRefused, shipment_action_start
from tests.orders.conftest import effects, remote_state

pytestmark = pytest.mark.django_db

Pick = Callable[..., list[str]]
Drain = Callable[..., Any]


def start(user: Any, action: str, ids: list[str], **options: Any) -> Job:
    return shipment_action_start(user=user, action=action, shipment_ids=ids, options=options).job


def local(sid: str) -> Shipment:
    return Shipment.objects.get(shipment_id=sid)


def test_bulk_confirm_is_split_into_calls_of_at_most_20(
    pick: Pick, admin_user: Any, drain_jobs: Drain, monkeypatch: Any
) -> None:
    sizes: list[int] = []
    real = KonnectClient.shipments_confirm

    def spy(self: KonnectClient, records: Any) -> Any:
        sizes.append(len(records))
        return real(self, records)

    monkeypatch.setattr(KonnectClient, "shipments_confirm", spy)
    ids = pick("placed", 45, location=None)
    job = start(admin_user, "confirm", ids)
    assert job.total == 45
    per_location: dict[str, int] = {}
    for sid in ids:
        code = local(sid).location_code
        per_location[code] = per_location.get(code, 0) + 1
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    expected_calls = sum(-(-n // 20) for n in per_location.values())
    assert len(sizes) == expected_calls and max(sizes) <= 20 and sum(sizes) == 45
    ledger = effects("oms.confirm")
    assert len(ledger) == 45 and len({e.request_id for e in ledger}) == expected_calls
    for sid in ids:
        assert remote_state(sid) == "bag_confirmed"
        row = local(sid)
        assert (row.state, row.lane, row.pending_job_id) == ("bag_confirmed", "CONFIRMED", None)
        assert row.events.filter(kind="confirm", source="action").exists()
    audit = AuditEvent.objects.filter(action="shipment.confirm", job=job)
    assert set(audit.values_list("outcome", flat=True)) == {"requested", "succeeded"}


def test_a_refusal_by_konnect_is_kept_per_shipment(
    pick: Pick, admin_user: Any, drain_jobs: Drain
) -> None:
    ok, gone = pick("placed", 2)
    job = start(admin_user, "confirm", [ok, gone])
    remote = RemoteShipment.objects.get(shipment_id=gone)
    statemachine.customer_cancel(remote, statemachine.By(at=timezone.now(), source="fynd"))
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.PARTIAL
    failed = job.items.get(key=gone)
    assert failed.status == JobItem.Status.FAILED
    assert failed.error_code == "O400" and "cancelled" in failed.message
    assert job.items.get(key=ok).status == JobItem.Status.SUCCEEDED
    # the read-back after the action brought the customer's cancellation into the cache
    assert local(gone).state == "cancelled_customer"
    assert local(gone).events.filter(ok=False, kind="confirm").exists()


def test_cancel_a_whole_shipment_with_a_reason(
    pick: Pick, admin_user: Any, drain_jobs: Drain
) -> None:
    (sid,) = pick("bag_confirmed")
    start(admin_user, "cancel", [sid], reason_code="6")
    drain_jobs()
    remote = RemoteShipment.objects.get(shipment_id=sid)
    assert remote.state == "cancelled_seller"
    assert {i.reason_code for i in remote.items.all() if i.state == "cancelled_seller"} == {"6"}
    row = local(sid)
    assert (row.state, row.lane) == ("cancelled_seller", "CANCELLED")
    assert {i.reason_code for i in row.items.all()} == {"6"}


def test_cancel_one_item_of_a_shipment(admin_user: Any, synced: None, drain_jobs: Drain) -> None:
    remote = next(
        s
        for s in RemoteShipment.objects.filter(state="placed", is_return=False).prefetch_related(
            "items"
        )
        if len([i for i in s.items.all() if i.state == "placed"]) >= 2
    )
    bag = next(i for i in remote.items.all() if i.state == "placed")
    job = start(
        admin_user,
        "cancel_items",
        [remote.shipment_id],
        reason_code="8",
        items={bag.item_id: bag.quantity},
    )
    assert job.params["action"] == "cancel_items"
    drain_jobs()
    bag.refresh_from_db()
    remote.refresh_from_db()
    assert (bag.state, bag.reason_code) == ("cancelled_seller", "8")
    assert remote.state == "placed"
    row = local(remote.shipment_id)
    assert row.state == "placed"
    cancelled = row.items.get(order_item_id=bag.item_id)
    assert (cancelled.state, cancelled.reason_code) == ("cancelled_seller", "8")
    assert row.item_count == sum(i.quantity for i in row.items.all() if not i.is_cancelled)


def test_items_cannot_be_cancelled_after_invoicing(synced: None, admin_user: Any) -> None:
    row = next(
        s
        for s in Shipment.objects.filter(state="dp_assigned").prefetch_related("items")
        if len(s.items.all()) >= 2
    )
    item = row.items.all()[0]
    with pytest.raises(ActionRefused, match="before invoicing"):
        start(
            admin_user,
            "cancel_items",
            [row.shipment_id],
            reason_code="6",
            items={item.order_item_id: 1},
        )


def test_invoice_then_fynd_assigns_a_courier(
    pick: Pick, admin_user: Any, drain_jobs: Drain
) -> None:
    (sid,) = pick("bag_confirmed", self_ship=False)
    job = start(admin_user, "invoice", [sid], invoice_number="INV/BHW/T/0001")
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    row = local(sid)
    assert row.invoice_number == "INV/BHW/T/0001"
    assert row.state == "dp_assigned" and row.courier_name and row.awb_number  # from the read-back


def test_an_invoice_number_is_used_once(pick: Pick, admin_user: Any, drain_jobs: Drain) -> None:
    first, second, third = pick("bag_confirmed", 3)
    start(admin_user, "invoice", [first], invoice_number="INV-DUP-1")
    with pytest.raises(ActionRefused, match="already used"):  # while the first is in flight
        start(admin_user, "invoice", [second], invoice_number="INV-DUP-1")
    drain_jobs()
    with pytest.raises(ActionRefused, match="already used"):  # once it is recorded
        start(admin_user, "invoice", [second], invoice_number="INV-DUP-1")
    # a number the cache does not know but Konnect does: Konnect's INV409 is kept
    RemoteShipment.objects.filter(shipment_id=third).update(invoice_number="INV-ELSEWHERE")
    job = start(admin_user, "invoice", [second], invoice_number="INV-ELSEWHERE")
    drain_jobs()
    item = job.items.get()
    assert (item.status, item.error_code) == (JobItem.Status.FAILED, "INV409")
    assert local(second).state == "bag_confirmed"


def test_pack_then_dispatch_to_transit(pick: Pick, admin_user: Any, drain_jobs: Drain) -> None:
    (sid,) = pick("dp_assigned", self_ship=False)
    start(admin_user, "pack", [sid])
    drain_jobs()
    assert remote_state(sid) == "bag_packed" and local(sid).lane == "COMPLETED"
    start(admin_user, "dispatch", [sid])
    drain_jobs()
    assert remote_state(sid) == "bag_picked"
    assert (local(sid).state, local(sid).lane) == ("bag_picked", "TRANSIT")


def test_dispatch_before_pack_is_refused_and_audited(pick: Pick, admin_user: Any) -> None:
    (sid,) = pick("dp_assigned")
    with pytest.raises(ActionRefused) as refused:
        start(admin_user, "dispatch", [sid])
    assert "must be packed" in refused.value.message
    assert not Job.objects.filter(kind="shipment_dispatch").exists()
    denied = AuditEvent.objects.get(action="shipment.dispatch")
    assert denied.outcome == AuditEvent.Outcome.DENIED and sid in denied.object_id
    assert effects("oms.dispatch") == []


def test_courier_details_are_fetched(pick: Pick, admin_user: Any, drain_jobs: Drain) -> None:
    (sid,) = pick("dp_assigned", self_ship=False)
    remote = RemoteShipment.objects.get(shipment_id=sid)
    Shipment.objects.filter(shipment_id=sid).update(courier_name="", awb_number="")
    job = start(admin_user, "courier_details", [sid])
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    row = local(sid)
    assert (row.courier_name, row.awb_number) == (remote.courier_name, remote.awb_number)


def _self_ship_without_awb(n: int) -> list[str]:
    ids = list(
        RemoteShipment.objects.filter(
            state="dp_assigned", is_self_ship=True, awb_number="", is_return=False
        ).values_list("shipment_id", flat=True)[:n]
    )
    assert len(ids) == n
    return ids


def test_self_ship_awb_with_auto_dispatch_then_delivered(
    synced: None, admin_user: Any, drain_jobs: Drain
) -> None:
    (sid,) = _self_ship_without_awb(1)
    start(
        admin_user,
        "awb",
        [sid],
        awb_number="SS-1234567",
        courier_name="Blue Dart",
        auto_dispatch=True,
    )
    drain_jobs()
    remote = RemoteShipment.objects.get(shipment_id=sid)
    assert (remote.state, remote.awb_number, remote.courier_name) == (
        "bag_picked",
        "SS-1234567",
        "Blue Dart",
    )
    assert local(sid).lane == "TRANSIT"
    start(admin_user, "mark_delivered", [sid], remark="Handed to the customer")
    drain_jobs()
    assert remote_state(sid) == "delivery_done" and local(sid).lane == "DELIVERED"


def test_self_ship_awb_without_auto_dispatch_then_status_pushes(
    synced: None, admin_user: Any, drain_jobs: Drain
) -> None:
    first, second = _self_ship_without_awb(2)
    for sid in (first, second):
        start(admin_user, "awb", [sid], awb_number=f"AWB{sid[-6:]}", courier_name="DTDC")
    drain_jobs()
    assert remote_state(first) == "dp_assigned" and local(first).awb_number == f"AWB{first[-6:]}"
    start(admin_user, "mark_picked", [first, second], dp_location="Bhiwandi hub")
    drain_jobs()
    assert remote_state(first) == remote_state(second) == "bag_picked"
    start(admin_user, "mark_rto_delivered", [second])
    drain_jobs()
    assert remote_state(second) == "rto_bag_delivered"
    assert local(second).is_rto and local(second).lane == "RETURNS"


def test_status_pushes_refuse_channel_shipping(pick: Pick, admin_user: Any) -> None:
    (sid,) = pick("bag_picked", self_ship=False)
    with pytest.raises(ActionRefused, match="not self-ship"):
        start(admin_user, "mark_delivered", [sid])


def test_labels_of_many_shipments_are_merged_into_one_pdf(
    synced: None, admin_user: Any, drain_jobs: Drain, monkeypatch: Any
) -> None:
    calls: list[int] = []
    real = KonnectClient.shipping_labels

    def spy(self: KonnectClient, order_ids: Any) -> bytes:
        calls.append(len(order_ids))
        return real(self, order_ids)

    monkeypatch.setattr(KonnectClient, "shipping_labels", spy)
    ids = list(
        Shipment.objects.filter(location_code="BHW-WH-01", state__in=["bag_packed", "bag_picked"])
        .order_by("shipment_id")
        .values_list("shipment_id", flat=True)[:25]
    )
    assert len(ids) == 25
    job = start(admin_user, "labels", ids)
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert calls == [20, 5]
    doc = ShipmentDocument.objects.get(job=job)
    reader = PdfReader(io.BytesIO(bytes(doc.pdf or b"")))
    assert len(reader.pages) == doc.pages == 25
    assert ids[0] in reader.pages[0].extract_text()
    assert ids[24] in reader.pages[24].extract_text()


def test_a_label_konnect_refuses_fails_alone(
    pick: Pick, admin_user: Any, drain_jobs: Drain
) -> None:
    packed = pick("bag_packed", 2)
    (early,) = pick("dp_assigned")
    Shipment.objects.filter(shipment_id=early).update(state="bag_packed")  # the cache is behind
    job = start(admin_user, "invoices", [*packed, early])
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.PARTIAL
    refused = job.items.get(key=early)
    assert refused.status == JobItem.Status.FAILED and refused.error_code == "IN403"
    assert ShipmentDocument.objects.get(job=job).pages == 2


def test_documents_need_a_packed_shipment(pick: Pick, admin_user: Any) -> None:
    (sid,) = pick("bag_confirmed")
    with pytest.raises(ActionRefused, match="must be packed"):
        start(admin_user, "labels", [sid])


def test_a_double_click_stores_one_job(pick: Pick, admin_user: Any, drain_jobs: Drain) -> None:
    (sid,) = pick("placed")
    start(admin_user, "confirm", [sid])
    with pytest.raises(ActionRefused, match="already in progress"):
        start(admin_user, "confirm", [sid])
    with pytest.raises(ActionRefused, match="already in progress"):
        start(admin_user, "cancel", [sid], reason_code="6")
    drain_jobs()
    assert Job.objects.filter(kind="shipment_confirm").count() == 1
    assert len(effects("oms.confirm")) == 1
    with pytest.raises(ActionRefused, match="must be new"):  # it has moved on
        start(admin_user, "confirm", [sid])


def test_a_shipment_that_moved_after_the_job_was_stored_is_not_sent(
    pick: Pick, admin_user: Any, drain_jobs: Drain
) -> None:
    (sid,) = pick("placed")
    job = start(admin_user, "confirm", [sid])
    Shipment.objects.filter(shipment_id=sid).update(state="cancelled_customer", bucket="CANCELLED")
    drain_jobs()
    item = job.items.get()
    assert (item.status, item.error_code) == (JobItem.Status.FAILED, "MOVED")
    assert effects("oms.confirm") == []


def _fault_on_send(monkeypatch: Any, **knobs: Any) -> list[str]:
    """Make the next action call (and only it) meet a sandbox fault."""
    happened: list[str] = []
    real = actions.send_records

    def faulty(client: KonnectClient, spec: Any, records: Any) -> Any:
        if happened:
            return real(client, spec, records)
        client.token()  # signed in first, so only the write meets the fault
        FaultSettings.objects.filter(pk=1).update(**knobs)
        happened.append(spec.name)
        try:
            return real(client, spec, records)
        finally:
            FaultSettings.restore_defaults()

    FaultSettings.load()
    monkeypatch.setattr(actions, "send_records", faulty)
    return happened


def test_a_write_that_timed_out_is_read_back_not_sent_again(
    pick: Pick, admin_user: Any, drain_jobs: Drain, monkeypatch: Any
) -> None:
    sent = _fault_on_send(monkeypatch, timeout_rate=1.0)  # applied, then no answer in time
    ids = pick("placed", 3)
    job = start(admin_user, "confirm", ids)
    drain_jobs()
    job.refresh_from_db()
    assert sent == ["confirm"]
    assert job.status == Job.Status.SUCCEEDED
    assert job.state["ambiguous"] == 1 and job.state["reconciled"] == 3
    assert sorted(e.key for e in effects("oms.confirm")) == sorted(ids)  # once each
    assert all(remote_state(sid) == "bag_confirmed" for sid in ids)


def test_a_write_whose_connection_broke_before_applying_is_sent_again_once(
    pick: Pick, admin_user: Any, drain_jobs: Drain, monkeypatch: Any
) -> None:
    sent = _fault_on_send(monkeypatch, reset_rate=1.0, reset_apply_rate=0.0)
    (sid,) = pick("dp_assigned")
    job = start(admin_user, "pack", [sid])
    drain_jobs()
    job.refresh_from_db()
    assert sent == ["pack"]
    assert job.status == Job.Status.SUCCEEDED
    assert job.items.get().attempts == 2  # read back: not applied, so sent once more
    assert [e.key for e in effects("oms.pack")] == [sid]
    assert remote_state(sid) == "bag_packed"


def test_a_worker_killed_mid_send_is_reconciled(
    pick: Pick, admin_user: Any, drain_jobs: Drain
) -> None:
    applied, lost = pick("placed", 2)
    job = start(admin_user, "confirm", [applied, lost])
    # the worker sent the batch and died: Konnect applied one of them, we know nothing
    job.items.update(status=JobItem.Status.SENDING, attempts=1)
    statemachine.confirm(
        RemoteShipment.objects.get(shipment_id=applied), {}, statemachine.By(at=timezone.now())
    )
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.items.get(key=applied).attempts == 1  # taken effect: not sent again
    assert job.items.get(key=lost).attempts == 2
    assert sorted(e.key for e in effects("oms.confirm")) == sorted([applied, lost])


def test_a_warehouse_user_cannot_act_on_another_location(pick: Pick, warehouse_user: Any) -> None:
    (other,) = pick("placed", location="BLR-ST-01")
    with pytest.raises(ActionRefused, match="not found at your locations"):
        start(warehouse_user, "confirm", [other])


def test_a_locked_shipment_is_refused(pick: Pick, admin_user: Any) -> None:
    (sid,) = pick("placed")
    Shipment.objects.filter(shipment_id=sid).update(lock_status=True)
    with pytest.raises(ActionRefused, match="locked"):
        start(admin_user, "confirm", [sid])


def test_a_read_back_never_moves_the_cache_backwards(
    pick: Pick, admin_user: Any, drain_jobs: Drain
) -> None:
    """Konnect applied the pack and someone dispatched since: the reconciled pack must not
    put the cached shipment back to packed."""
    (sid,) = pick("dp_assigned", self_ship=False)
    job = start(admin_user, "pack", [sid])
    job.items.update(status=JobItem.Status.SENDING, attempts=1)
    remote = RemoteShipment.objects.get(shipment_id=sid)
    statemachine.pack(remote, {}, statemachine.By(at=timezone.now()))
    statemachine.dispatch(remote, {}, statemachine.By(at=timezone.now()))
    drain_jobs()
    assert job.items.get().status == JobItem.Status.SUCCEEDED
    assert local(sid).state == "bag_picked"
    assert [e.key for e in effects("oms.pack")] == [sid]


REFUSALS = [
    ("confirm", {"state": "bag_confirmed"}, {}, "must be new"),
    ("cancel", {"state": "bag_picked"}, {"reason_code": "6"}, "not yet dispatched"),
    ("invoice", {"state": "placed"}, {"invoice_number": "INV-X-1"}, "must be confirmed"),
    ("pack", {"state": "bag_confirmed"}, {}, "courier assigned"),
    ("dispatch", {"state": "dp_assigned"}, {}, "must be packed"),
    ("courier_details", {"state": "bag_packed", "is_self_ship": True}, {}, "is self-ship"),
    ("labels", {"state": "placed"}, {}, "must be packed"),
    ("invoices", {"state": "bag_confirmed"}, {}, "must be packed"),
    (
        "awb",
        {"state": "dp_assigned", "is_self_ship": False},
        {"awb_number": "AWB-1", "courier_name": "DTDC"},
        "not self-ship",
    ),
    ("mark_picked", {"state": "bag_invoiced", "is_self_ship": True}, {}, "AWB, not yet picked"),
    ("mark_delivered", {"state": "bag_picked", "is_self_ship": False}, {}, "not self-ship"),
    ("mark_rto_delivered", {"state": "bag_packed", "is_self_ship": True}, {}, "in transit"),
]


@pytest.mark.parametrize(("action", "where", "options", "words"), REFUSALS)
def test_every_action_is_refused_in_a_state_that_does_not_allow_it(
    synced: None,
    admin_user: Any,
    action: str,
    where: dict[str, Any],
    options: dict[str, Any],
    words: str,
) -> None:
    row = Shipment.objects.filter(is_return=False, **where).first()
    assert row is not None, where
    with pytest.raises(ActionRefused, match=words):
        start(admin_user, action, [row.shipment_id], **options)
    assert not Job.objects.exclude(kind="shipment_sync").exists()
    assert AuditEvent.objects.filter(
        action=f"shipment.{action}", outcome=AuditEvent.Outcome.DENIED
    ).exists()
