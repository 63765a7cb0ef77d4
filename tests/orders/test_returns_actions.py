"""QC and credit notes as Jobs against the in-process sandbox: acceptance of returns and RTOs
with each item's condition, a rejection kept locally without calling Konnect, credit notes
with their number and date, refusals, the double-send guard and the read-back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from konnect_admin.models import AuditEvent, Job, JobItem
from konnect_admin.sandbox import statemachine
from konnect_admin.sandbox.models import Effect
from konnect_admin.sandbox.models import Shipment as RemoteShipment
from orders import actions, returns
from orders.models import ReturnCheck, Shipment
from orders.returns import QcLine
from orders.services import ActionRefused
from tests.orders.conftest import effects, remote_state
from tests.orders.test_actions import _fault_on_send

pytestmark = pytest.mark.django_db

Pick = Callable[..., list[str]]
Drain = Callable[..., Any]


def local(sid: str) -> Shipment:
    return Shipment.objects.get(shipment_id=sid)


def decide(sid: str, *decisions: tuple[str, str]) -> list[QcLine]:
    """One line per active item, in order; the last decision repeats for extra items."""
    items = [i for i in local(sid).items.all() if not i.is_cancelled]
    return [
        QcLine(i.order_item_id, *decisions[min(n, len(decisions) - 1)]) for n, i in enumerate(items)
    ]


def qc(user: Any, sid: str, *decisions: tuple[str, str]) -> Job:
    lines = decide(sid, *decisions)
    return returns.return_qc_start(user=user, shipment_id=sid, lines=lines).job


def credit_note(user: Any, sid: str, number: str, when: date | None = None) -> Job:
    when = when or timezone.localdate()
    return returns.return_credit_note_start(
        user=user, shipment_id=sid, number=number, when=when
    ).job


@pytest.fixture
def customer_return(pick: Pick) -> str:
    return pick("return_bag_delivered", forward=False, is_return=True)[0]


@pytest.fixture
def rto(pick: Pick) -> str:
    return pick("rto_bag_delivered", is_rto=True)[0]


def test_a_customer_return_is_accepted_with_each_items_condition(
    customer_return: str, admin_user: Any, drain_jobs: Drain
) -> None:
    sid = customer_return
    job = qc(admin_user, sid, ("accept", ""), ("accept", "tag_missing"))
    assert job.kind == "return_qc" and local(sid).pending_action == "qc_accept"
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    remote = RemoteShipment.objects.get(shipment_id=sid)
    assert remote.state == "return_bag_accepted"
    sent = {i.item_id: i.qc_reason for i in remote.items.all()}
    for line in decide(sid, ("accept", ""), ("accept", "tag_missing")):
        assert sent[line.order_item_id] == line.reason_code  # what we sent, item by item
    row = local(sid)
    assert (row.state, row.bucket, row.lane, row.return_qc) == (
        "return_bag_accepted",
        "RETURN_ACCEPTED",
        "RETURNS",
        "accepted",
    )
    assert row.pending_job_id is None
    check = ReturnCheck.objects.get(job=job)
    assert (check.outcome, check.status, check.checked_by_name) == ("accepted", "recorded", "asha")
    item = job.items.get()
    assert item.status == JobItem.Status.SUCCEEDED
    assert item.message == "" and item.payload["record"]["orderItems"][0]["reasonCode"] == ""
    assert [e.key for e in effects("oms.return")] == [sid]
    event = row.events.get(kind="qc_accept", source="action")
    assert event.message.startswith("Return accepted at QC (") and "Good condition" in event.message
    audit = AuditEvent.objects.filter(action="return.qc_accept", job=job, object_id=sid)
    assert set(audit.values_list("outcome", flat=True)) == {"requested", "succeeded"}


def test_an_rto_is_accepted_to_rto_bag_accepted(
    rto: str, admin_user: Any, drain_jobs: Drain
) -> None:
    job = qc(admin_user, rto, ("accept", ""))
    drain_jobs()
    assert remote_state(rto) == "rto_bag_accepted"
    row = local(rto)
    assert (row.state, row.return_qc, row.is_rto) == ("rto_bag_accepted", "accepted", True)
    assert row.events.filter(kind="qc_accept", message__startswith="RTO accepted").exists()
    assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED


def test_a_rejection_is_kept_here_and_konnect_is_never_called(
    customer_return: str, admin_user: Any, drain_jobs: Drain, monkeypatch: Any
) -> None:
    def no_konnect(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a QC rejection must not call Konnect")

    monkeypatch.setattr(actions, "get_client", no_konnect)
    before = Effect.objects.count()
    sid = customer_return
    job = qc(admin_user, sid, ("reject", "wrong_product_received"), ("accept", ""))
    assert job.kind == "return_qc_reject"
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert Effect.objects.count() == before
    assert remote_state(sid) == "return_bag_delivered"  # Konnect still has it as delivered
    row = local(sid)
    assert (row.state, row.return_qc, row.qc_rejected) == ("return_bag_delivered", "rejected", True)
    check = ReturnCheck.objects.get(job=job)
    assert (check.outcome, check.status) == ("rejected", "recorded")
    first = check.lines.order_by("position").first()
    assert first is not None and (first.decision, first.reason_code) == (
        "reject",
        "wrong_product_received",
    )
    message = job.items.get().message or row.events.get(kind="qc_reject").message
    assert "Konnect has no call for a rejection" in message
    assert "BAD · Wrong product received" in message
    audit = AuditEvent.objects.filter(action="return.qc_reject", job=job)
    assert set(audit.values_list("outcome", flat=True)) == {"requested", "succeeded"}
    # ... and it leaves the QC lane for the rejected one
    from orders.selectors import QueueFilters

    to_check = returns.return_queue(user=admin_user, filters=QueueFilters(lane="TO_CHECK"))
    rejected = returns.return_queue(user=admin_user, filters=QueueFilters(lane="REJECTED"))
    assert sid not in [r.shipment_id for r in to_check.rows]
    assert sid in [r.shipment_id for r in rejected.rows]


def test_a_rejected_return_can_still_be_accepted_and_then_credited(
    customer_return: str, admin_user: Any, drain_jobs: Drain
) -> None:
    sid = customer_return
    qc(admin_user, sid, ("reject", "fully_damaged"))
    drain_jobs()
    with pytest.raises(ActionRefused, match="rejected at quality check"):
        credit_note(admin_user, sid, "CN/T/0001")
    with pytest.raises(ActionRefused, match="already rejected"):
        qc(admin_user, sid, ("reject", "lost"))
    qc(admin_user, sid, ("accept", "refinish_damaged"))
    drain_jobs()
    assert (local(sid).state, local(sid).return_qc) == ("return_bag_accepted", "accepted")
    checks = returns.return_checks(shipment=local(sid))
    assert [c.outcome for c in checks] == ["accepted", "rejected"]
    assert returns.standing_check(checks) == checks[0]
    credit_note(admin_user, sid, "CN/T/0001")
    drain_jobs()
    assert local(sid).credit_note_number == "CN/T/0001"


def test_a_credit_note_records_its_number_and_date(
    pick: Pick, admin_user: Any, drain_jobs: Drain
) -> None:
    (sid,) = pick("return_bag_accepted", forward=False, is_return=True)
    when = timezone.localdate() - timedelta(days=1)
    job = credit_note(admin_user, sid, "CN/BHW/TEST/0042", when)
    assert job.kind == "return_credit_note"
    assert job.params["credit_note_number"] == "CN/BHW/TEST/0042"
    drain_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    remote = RemoteShipment.objects.get(shipment_id=sid)
    assert (remote.state, remote.credit_note_number) == (
        "credit_note_generated",
        "CN/BHW/TEST/0042",
    )
    row = local(sid)
    assert (row.state, row.bucket, row.credit_note_number, row.credit_note_date) == (
        "credit_note_generated",
        "CREDIT_NOTE_GENERATED",
        "CN/BHW/TEST/0042",
        when,
    )
    record = job.items.get().payload["record"]
    assert record["invoiceNumber"] == "CN/BHW/TEST/0042"
    assert {line["orderItemId"] for line in record["orderItems"]} == {
        i.order_item_id for i in row.items.all()
    }
    assert row.events.filter(
        kind="credit_note", message=f"Credit note CN/BHW/TEST/0042 dated {when:%-d %b %Y} raised"
    ).exists()
    assert [e.key for e in effects("oms.credit_note")] == [sid]
    audit = AuditEvent.objects.get(action="return.credit_note", job=job, outcome="requested")
    assert audit.after["credit_note_date"] == when.isoformat()


def test_a_credit_note_for_a_return_not_accepted_is_refused_and_audited(
    customer_return: str, admin_user: Any
) -> None:
    jobs = Job.objects.count()
    with pytest.raises(ActionRefused) as refused:
        credit_note(admin_user, customer_return, "CN/T/0002")
    assert refused.value.message == (
        f"Raise credit note is not possible for shipment {customer_return}: it must be accepted"
        " at quality check first (Return accepted or RTO accepted), but it is Return delivered"
        " (return_bag_delivered)."
    )
    assert Job.objects.count() == jobs and effects("oms.credit_note") == []
    denied = AuditEvent.objects.get(action="return.credit_note", outcome="denied")
    assert denied.object_id == customer_return and "must be accepted" in denied.summary


def test_credit_note_numbers_and_dates_are_checked(
    pick: Pick, admin_user: Any, drain_jobs: Drain
) -> None:
    first, second = pick("rto_bag_accepted", 2, location=None, is_rto=True)
    credit_note(admin_user, first, "CN/T/0003")
    with pytest.raises(ActionRefused, match="CN/T/0003 is already used"):  # in flight
        credit_note(admin_user, second, "CN/T/0003")
    drain_jobs()
    with pytest.raises(ActionRefused, match="CN/T/0003 is already used"):  # recorded
        credit_note(admin_user, second, "CN/T/0003")
    with pytest.raises(ActionRefused, match="cannot be in the future"):
        credit_note(admin_user, second, "CN/T/0004", timezone.localdate() + timedelta(days=1))


def test_konnect_stays_the_judge_of_a_return_that_moved_meanwhile(
    customer_return: str, admin_user: Any, drain_jobs: Drain
) -> None:
    sid = customer_return
    job = qc(admin_user, sid, ("accept", ""))
    # accepted on Konnect by someone else before our Job sent anything
    remote = RemoteShipment.objects.get(shipment_id=sid)
    statemachine.qc_accept(remote, {}, statemachine.By(at=timezone.now()))
    drain_jobs()
    job.refresh_from_db()
    item = job.items.get()
    assert (job.status, item.status, item.error_code) == ("failed", "failed", "RT400")
    check = ReturnCheck.objects.get(job=job)
    assert check.status == "refused" and check.message.startswith("RT400")
    assert local(sid).state == "return_bag_accepted"  # read back: the cache shows the truth
    assert local(sid).return_qc == ""  # our acceptance was not the one that counted


def test_one_step_at_a_time_per_return(
    customer_return: str, admin_user: Any, warehouse_user: Any
) -> None:
    job = qc(admin_user, customer_return, ("accept", ""))
    busy = f"accepting the return is already in progress \\(job {job.pk}\\)"
    with pytest.raises(ActionRefused, match=busy):
        qc(warehouse_user, customer_return, ("reject", "lost"))
    assert ReturnCheck.objects.filter(shipment__shipment_id=customer_return).count() == 1


def test_an_acceptance_that_timed_out_is_read_back_not_sent_again(
    customer_return: str, admin_user: Any, drain_jobs: Drain, monkeypatch: Any
) -> None:
    sent = _fault_on_send(monkeypatch, timeout_rate=1.0)  # applied, then no answer in time
    job = qc(admin_user, customer_return, ("accept", "seal_opened"))
    drain_jobs()
    job.refresh_from_db()
    assert sent == ["qc_accept"] and job.state["ambiguous"] == 1
    assert job.status == Job.Status.SUCCEEDED
    assert [e.key for e in effects("oms.return")] == [customer_return]  # once
    row = local(customer_return)
    assert (row.state, row.return_qc) == ("return_bag_accepted", "accepted")
    assert ReturnCheck.objects.get(job=job).status == "recorded"


def test_a_credit_note_that_timed_out_keeps_its_date(
    pick: Pick, admin_user: Any, drain_jobs: Drain, monkeypatch: Any
) -> None:
    (sid,) = pick("rto_bag_accepted", is_rto=True)
    _fault_on_send(monkeypatch, timeout_rate=1.0)
    when = timezone.localdate() - timedelta(days=2)
    credit_note(admin_user, sid, "CN/T/0005", when)
    drain_jobs()
    row = local(sid)
    assert (row.state, row.credit_note_number, row.credit_note_date) == (
        "credit_note_generated",
        "CN/T/0005",
        when,
    )
    assert [e.key for e in effects("oms.credit_note")] == [sid]


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        ((("reject", ""),), r"is rejected \(its condition\)"),
        ((("accept", "not_a_reason"),), "is not a QC reason of the reference"),
    ],
)
def test_a_qc_must_be_complete_and_use_the_reference_reasons(
    customer_return: str, admin_user: Any, decisions: Any, message: str
) -> None:
    with pytest.raises(ActionRefused, match=message):
        qc(admin_user, customer_return, *decisions)
    lines = decide(customer_return, ("accept", ""))[:-1]  # one item left undecided
    if lines:
        with pytest.raises(ActionRefused, match="Decide on every item"):
            returns.return_qc_start(user=admin_user, shipment_id=customer_return, lines=lines)
    assert not ReturnCheck.objects.exists()


def test_a_warehouse_user_checks_only_their_locations_returns(
    pick: Pick, warehouse_user: Any
) -> None:
    (other,) = pick("return_bag_delivered", location="BLR-ST-01", forward=False, is_return=True)
    with pytest.raises(ActionRefused, match="not found at your locations"):
        qc(warehouse_user, other, ("accept", ""))
