"""The returns half of the state machine: lanes, the steps each state offers, the refusal
sentences a crafted POST gets, and how a read-back decides an ambiguous step took effect."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from orders import workflow
from orders.cache import shipment_from_payload

RETURN_STATES = (
    "return_initiated",
    "return_dp_assigned",
    "return_bag_in_transit",
    "return_bag_delivered",
    "rto_bag_delivered",
    "return_bag_accepted",
    "rto_bag_accepted",
    "credit_note_generated",
)


def shipment(state: str, *, rto: bool = False, qc: str = "", **extra: Any) -> Any:
    values: dict[str, Any] = {
        "shipment_id": "17000000000000000001",
        "state": state,
        "is_self_ship": False,
        "is_return": not rto,
        "is_rto": rto,
        "awb_number": "",
        "lock_status": False,
        "return_qc": qc,
    }
    values.update(extra)
    return SimpleNamespace(**values)


def offered(s: Any) -> list[str]:
    return [spec.name for spec in workflow.return_actions_for(s)]


def test_every_return_state_is_in_exactly_one_lane_but_rejected_ones_move() -> None:
    for state in RETURN_STATES:
        for qc in ("", "accepted", "rejected"):
            lanes = [
                lane.key
                for lane in workflow.RETURN_LANES
                if state in lane.states
                and not (lane.qc == "rejected" and qc != "rejected")
                and not (lane.qc == "open" and qc == "rejected")
            ]
            assert len(lanes) == 1, (state, qc, lanes)
            assert workflow.return_lane_of(shipment(state, qc=qc)) == lanes[0]
    assert workflow.return_lane_of(shipment("return_bag_delivered")) == "TO_CHECK"
    assert workflow.return_lane_of(shipment("rto_bag_delivered", qc="rejected")) == "REJECTED"
    assert workflow.return_lane_of(shipment("return_bag_accepted", qc="rejected")) == "ACCEPTED"


@pytest.mark.parametrize(
    ("state", "rto", "qc", "steps"),
    [
        ("return_dp_assigned", False, "", []),
        ("return_bag_in_transit", False, "", []),
        ("return_bag_delivered", False, "", ["qc_accept", "qc_reject"]),
        ("rto_bag_delivered", True, "", ["qc_accept", "qc_reject"]),
        # a rejection stands on its own, but the return can still be accepted after all
        ("return_bag_delivered", False, "rejected", ["qc_accept"]),
        ("return_bag_accepted", False, "accepted", ["credit_note"]),
        ("rto_bag_accepted", True, "", ["credit_note"]),
        ("credit_note_generated", False, "accepted", []),
    ],
)
def test_only_valid_steps_are_offered(state: str, rto: bool, qc: str, steps: list[str]) -> None:
    assert offered(shipment(state, rto=rto, qc=qc)) == steps


def test_forward_shipments_get_no_return_steps_and_returns_no_forward_actions() -> None:
    delivered = shipment("delivery_done", is_return=False)
    assert offered(delivered) == []
    reason = workflow.refusal(workflow.RETURN_ACTIONS["qc_accept"], delivered)
    assert reason.endswith("it is not a return or an RTO (Delivered).")
    back = shipment("return_bag_delivered")
    assert workflow.actions_for(back) == []
    # an RTO is a forward shipment that came back: its documents can still be printed
    rto = shipment("rto_bag_delivered", rto=True)
    assert [s.name for s in workflow.actions_for(rto)] == ["labels", "invoices"]


def test_a_credit_note_before_acceptance_is_refused_in_words() -> None:
    spec = workflow.RETURN_ACTIONS["credit_note"]
    sid = "17000000000000000001"
    assert workflow.refusal(spec, shipment("return_bag_delivered")) == (
        f"Raise credit note is not possible for shipment {sid}: it must be accepted at quality"
        " check first (Return accepted or RTO accepted), but it is Return delivered"
        " (return_bag_delivered)."
    )
    assert workflow.refusal(spec, shipment("return_bag_delivered", qc="rejected")) == (
        f"Raise credit note is not possible for shipment {sid}: it was rejected at quality"
        " check, and a credit note is raised only for an accepted return. Accept it first if"
        " the rejection no longer stands."
    )
    assert "Credit note raised (credit_note_generated)" in workflow.refusal(
        spec, shipment("credit_note_generated")
    )
    assert workflow.refusal(spec, None, shipment_id="42") == (
        "Shipment 42 was not found at your locations."
    )


def test_qc_refusals() -> None:
    accept, reject = workflow.RETURN_ACTIONS["qc_accept"], workflow.RETURN_ACTIONS["qc_reject"]
    in_transit = shipment("return_bag_in_transit")
    assert "it must be delivered back to you (Return delivered or RTO delivered), but it is" in (
        workflow.refusal(accept, in_transit)
    )
    rejected = shipment("rto_bag_delivered", rto=True, qc="rejected")
    assert workflow.refusal(reject, rejected).endswith("it is already rejected at quality check.")
    locked = shipment("return_bag_delivered", lock_status=True)
    assert "Konnect reports it locked" in workflow.refusal(accept, locked)
    assert workflow.refusal(reject, locked) == ""  # recorded here: Konnect's lock is moot


def test_an_ambiguous_step_is_judged_from_konnects_copy() -> None:
    accept, note = workflow.RETURN_ACTIONS["qc_accept"], workflow.RETURN_ACTIONS["credit_note"]
    record = {"record": {"orderId": "1", "invoiceNumber": "CN-9"}}
    assert workflow.has_taken_effect(accept, {"shipmentStatus": "rto_bag_accepted"}, record)
    assert workflow.has_taken_effect(accept, {"shipmentStatus": "credit_note_generated"}, record)
    assert not workflow.has_taken_effect(accept, {"shipmentStatus": "return_bag_delivered"}, record)
    done = {"shipmentStatus": "credit_note_generated", "creditNoteNumber": "CN-9"}
    assert workflow.has_taken_effect(note, done, record)
    other = {"shipmentStatus": "credit_note_generated", "creditNoteNumber": "CN-1"}
    assert not workflow.has_taken_effect(note, other, record)
    assert workflow.qc_target("rto_bag_delivered") == "rto_bag_accepted"
    assert workflow.qc_target("return_bag_delivered") == "return_bag_accepted"


def test_the_reference_qc_mapping() -> None:
    assert workflow.qc_reason_label("") == "Good condition"
    assert workflow.qc_reason_label("tag_missing") == "BAD · Tag missing"
    assert workflow.qc_reason_label("empty_box_received") == "MISSING · Empty box received"
    assert workflow.qc_reason_label("fully_damaged") == "UGLY · Fully damaged"
    from konnect_admin.sandbox.statemachine import QC_REASONS as SANDBOX

    assert set(workflow.QC_QUALIFIER) == set(SANDBOX) - {""}


def test_return_completed_is_read_as_return_accepted() -> None:
    payload = {
        "id": "17000000000000000009",
        "forwardId": "17000000000000000008",
        "orderStatus": "RETURN_COMPLETED",
        "shipmentStatus": "return_bag_accepted",
        "orderDate": "2026-11-01T10:00:00+05:30",
    }
    row = shipment_from_payload(payload, now=timezone.now())
    assert (row.bucket, row.lane, row.is_return) == ("RETURN_ACCEPTED", "RETURNS", True)
    assert "RETURN_COMPLETED" not in workflow.SYNC_BUCKETS  # fetched once, as RETURN_ACCEPTED


def test_return_steps_audit_as_returns_and_keep_out_of_the_forward_form() -> None:
    from orders.forms import ActionForm

    assert workflow.RETURN_ACTIONS["credit_note"].audit_action == "return.credit_note"
    assert workflow.ACTIONS["confirm"].audit_action == "shipment.confirm"
    choices = {name for name, _ in ActionForm.base_fields["action"].choices}
    assert not choices & set(workflow.RETURN_ACTIONS)
    assert not {s.name for s in workflow.lane_actions("RETURNS")} & set(workflow.RETURN_ACTIONS)
