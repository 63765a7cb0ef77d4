"""The shipment state machine through the API: forward flows, refusals with their codes,
self-ship chains, cancellations, returns, RTO, QC and credit notes."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from konnect_admin.sandbox.models import Shipment, ShipmentEvent
from tests.sandbox.helpers import (
    drive,
    effects_of,
    invoice_number,
    ok,
    place_order,
    refused,
    state_of,
)

pytestmark = pytest.mark.django_db


def _shipment(api, shipment_id):
    response = api.get("oms/v3/shipment", params={"orderId": shipment_id})
    assert response.status_code == 200, response.text
    [body] = response.json()
    return body


def test_channel_shipping_forward_flow_end_to_end(api, later):
    s = place_order("BHW-WH-01").shipment_id
    assert _shipment(api, s)["orderStatus"] == "CREATED"

    ok(api.post("oms/v3/shipment/confirm", json=[{"orderId": s}]))
    assert _shipment(api, s)["orderStatus"] == "CONFIRMED"

    number = invoice_number()
    record = {"orderId": s, "invoiceNumber": number, "invoiceType": "sale", "irnNumber": "IRN1"}
    ok(api.post("oms/v3/shipment/invoiceUpdate", json=[record]))
    fetched = _shipment(api, s)
    assert (fetched["orderStatus"], fetched["shipmentStatus"]) == ("PROCESSING", "bag_invoiced")
    assert fetched["sellerInvoiced"] is True
    assert fetched["invoiceNumber"] == number
    [courier] = api.post("oms/v3/shipment/courierDetails", json=[{"orderId": s}]).json()
    assert (courier["orderId"], courier["courierName"], courier["awbNumber"]) == (s, "", [])

    # The Fynd side assigns a courier SANDBOX_DP_ASSIGN_SECONDS later, applied lazily.
    later.advance(3)
    fetched = _shipment(api, s)
    assert fetched["shipmentStatus"] == "dp_assigned"
    [courier] = api.post("oms/v3/shipment/courierDetails", json=[{"orderId": s}]).json()
    assert courier["courierName"]
    assert len(courier["awbNumber"]) == 1

    refused(api.post("oms/v3/shipment/dispatch", json=[{"orderId": s}]), "D400")
    labels = api.post("oms/v3/shipment/labels", json=[{"orderId": s}])
    assert labels.status_code == 400
    assert [e["code"] for e in labels.json()["errors"]] == ["L403"]
    invoice = api.post("oms/v3/shipment/invoice", json=[{"orderId": s}])
    assert [e["code"] for e in invoice.json()["errors"]] == ["IN403"]

    ok(api.post("oms/v3/shipment/pack", json=[{"orderId": s}]))
    assert _shipment(api, s)["orderStatus"] == "COMPLETED"
    for path, word in (("labels", "SHIPPING LABEL"), ("invoice", "TAX INVOICE")):
        response = api.post(f"oms/v3/shipment/{path}", json=[{"orderId": s}])
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.content))
        text = reader.pages[0].extract_text()
        assert word in text
        assert s in text

    ok(api.post("oms/v3/shipment/dispatch", json=[{"orderId": s}]))
    assert _shipment(api, s)["orderStatus"] == "TRANSIT"
    response = api.post("_control/api/deliver", json={"shipment_id": s})
    assert response.json()["shipment"]["orderStatus"] == "DELIVERED"

    states = list(
        ShipmentEvent.objects.filter(shipment__shipment_id=s).values_list("state", flat=True)
    )
    assert states == [
        "placed",
        "bag_confirmed",
        "bag_invoiced",
        "dp_assigned",
        "bag_packed",
        "bag_picked",
        "delivery_done",
    ]
    for operation in ("oms.confirm", "oms.invoice", "oms.pack", "oms.dispatch"):
        assert effects_of(operation, s) == 1


def test_labels_and_invoices_one_page_per_shipment(api):
    ids = [place_order().shipment_id for _ in range(3)]
    for s in ids:
        drive(api, s, "bag_packed")
    response = api.post("oms/v3/shipment/labels", json=[{"orderId": s} for s in ids])
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    assert [s in page.extract_text() for s, page in zip(ids, reader.pages, strict=True)] == [
        True
    ] * 3
    awb = Shipment.objects.get(shipment_id=ids[0]).awb_number
    assert awb in reader.pages[0].extract_text()


def test_confirm_refusals(api, location_api):
    placed = place_order("BHW-WH-01").shipment_id
    ok(api.post("oms/v3/shipment/confirm", json=[{"orderId": placed}]))
    refused(api.post("oms/v3/shipment/confirm", json=[{"orderId": placed}]), "O400")  # repeat
    refused(api.post("oms/v3/shipment/confirm", json=[{"orderId": "17000000000000000000"}]), "O404")
    cancelled = place_order("BHW-WH-01").shipment_id
    api.post("_control/api/customer_cancel", json={"shipment_id": cancelled})
    refused(api.post("oms/v3/shipment/confirm", json=[{"orderId": cancelled}]), "O400")
    other = place_order("GGN-DS-01").shipment_id
    blr = location_api("BLR-ST-01")
    refused(blr.post("oms/v3/shipment/confirm", json=[{"orderId": other}]), "O422")
    assert state_of(other) == "placed"


def test_mixed_batch_reports_each_record(api):
    good, bad = place_order().shipment_id, "17000000000000000001"
    body = api.post("oms/v3/shipment/confirm", json=[{"orderId": good}, {"orderId": bad}]).json()
    assert body == {
        "payloadCount": 2,
        "successCount": 1,
        "failedCount": 1,
        "status": "PARTIAL",
        "errors": [{"orderId": bad, "code": "O404", "message": f"Unknown orderId {bad}."}],
    }
    all_bad = api.post("oms/v3/shipment/confirm", json=[{"orderId": bad}]).json()
    assert all_bad["status"] == "FAILED"


def test_same_shipment_twice_in_one_request_applies_once(api):
    s = place_order().shipment_id
    body = api.post("oms/v3/shipment/confirm", json=[{"orderId": s}, {"orderId": s}]).json()
    assert (body["successCount"], [e["code"] for e in body["errors"]]) == (1, ["O400"])
    assert effects_of("oms.confirm", s) == 1


def test_pack_and_dispatch_refusals(api, location_api):
    s = place_order().shipment_id
    refused(api.post("oms/v3/shipment/pack", json=[{"orderId": s}]), "CR400")
    refused(api.post("oms/v3/shipment/dispatch", json=[{"orderId": s}]), "D400")
    drive(api, s, "dp_assigned")
    refused(location_api("BLR-ST-01").post("oms/v3/shipment/pack", json=[{"orderId": s}]), "CR422")
    refused(api.post("oms/v3/shipment/pack", json=[{"orderId": "17000000000000000002"}]), "CR404")
    cancel = {"orderId": s, "orderItems": _all_items(s, "6")}
    ok(api.post("oms/v3/shipment/cancel", json=[cancel]))
    refused(api.post("oms/v3/shipment/pack", json=[{"orderId": s}]), "CR401")
    refused(api.post("oms/v3/shipment/dispatch", json=[{"orderId": s}]), "D401")
    packed = place_order().shipment_id
    drive(api, packed, "bag_packed")
    refused(
        location_api("GGN-DS-01").post("oms/v3/shipment/dispatch", json=[{"orderId": packed}]),
        "D422",
    )
    labels = location_api("GGN-DS-01").post("oms/v3/shipment/labels", json=[{"orderId": packed}])
    assert [e["code"] for e in labels.json()["errors"]] == ["L400"]
    invoice = location_api("GGN-DS-01").post("oms/v3/shipment/invoice", json=[{"orderId": packed}])
    assert [e["code"] for e in invoice.json()["errors"]] == ["IN400"]
    [courier] = (
        location_api("GGN-DS-01")
        .post("oms/v3/shipment/courierDetails", json=[{"orderId": packed}])
        .json()
    )
    assert courier["code"] == "C400"


def _all_items(shipment_id, reason):
    shipment = Shipment.objects.get(shipment_id=shipment_id)
    return [
        {"orderItemId": i.item_id, "quantity": i.quantity, "reasonCode": reason}
        for i in shipment.items.all()
    ]


def test_whole_cancel_keeps_each_bags_reason(api):
    s = place_order(bags=2).shipment_id
    items = _all_items(s, "6")
    items[1]["reasonCode"] = "9"
    ok(api.post("oms/v3/shipment/cancel", json=[{"orderId": s, "orderItems": items}]))
    fetched = _shipment(api, s)
    assert fetched["orderStatus"] == "CANCELLED"
    assert [(i["status"], i["reasonCode"]) for i in fetched["orderItems"]] == [
        ("cancelled_seller", "6"),
        ("cancelled_seller", "9"),
    ]
    assert effects_of("oms.cancel", s) == 1


def test_invoice_update_refusals(api):
    s = place_order().shipment_id
    record = {"orderId": s, "invoiceNumber": invoice_number(), "invoiceType": "sale"}
    refused(api.post("oms/v3/shipment/invoiceUpdate", json=[record]), "INV400")  # not confirmed
    ok(api.post("oms/v3/shipment/confirm", json=[{"orderId": s}]))
    other = place_order().shipment_id
    drive(api, other, "bag_invoiced")
    used = Shipment.objects.get(shipment_id=other).invoice_number
    record["invoiceNumber"] = str(used)
    refused(api.post("oms/v3/shipment/invoiceUpdate", json=[record]), "INV409")
    credit = {"orderId": s, "invoiceNumber": "CN-X", "invoiceType": "return"}
    refused(api.post("oms/v3/shipment/invoiceUpdate", json=[credit]), "INV400")
    bad_type = {"orderId": s, "invoiceNumber": "X", "invoiceType": "proforma"}
    response = api.post("oms/v3/shipment/invoiceUpdate", json=[bad_type])
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "[0].invoiceType"


def test_packages_from_the_invoice_overwrite_the_defaults(api):
    s = place_order().shipment_id
    ok(api.post("oms/v3/shipment/confirm", json=[{"orderId": s}]))
    package = {
        "packageId": "P1",
        "packageLengthCm": 10,
        "packageWidthCm": 10,
        "packageHeightCm": 10,
        "packageWeightGms": 500,
    }
    record = {
        "orderId": s,
        "invoiceNumber": invoice_number(),
        "invoiceType": "sale",
        "packages": [package, {**package, "packageId": "P2"}],
    }
    ok(api.post("oms/v3/shipment/invoiceUpdate", json=[record]))
    fetched = _shipment(api, s)
    assert [p["packageId"] for p in fetched["packages"]] == ["P1", "P2"]
    assert fetched["multiPackShipment"] is True


def test_partial_cancel_before_invoice_then_confirm_the_rest(api):
    s = place_order(bags=2).shipment_id
    first, second = _shipment(api, s)["orderItems"]
    line = {"orderItemId": first["orderItemId"], "quantity": 1, "reasonCode": "8"}
    ok(api.post("oms/v3/shipment/cancel", json=[{"orderId": s, "orderItems": [line]}]))
    fetched = _shipment(api, s)
    assert fetched["orderStatus"] == "CREATED"
    assert [i["status"] for i in fetched["orderItems"]] == ["cancelled_seller", "placed"]
    assert fetched["orderItems"][0]["reasonCode"] == "8"
    assert fetched["orderPrice"]["esp"] == second["esp"] * second["quantity"]
    # Confirming while naming the cancelled bag is O400; without it, the rest is confirmed.
    named = {"orderId": s, "orderItems": [{"orderItemId": first["orderItemId"], "quantity": 1}]}
    refused(api.post("oms/v3/shipment/confirm", json=[named]), "O400")
    ok(api.post("oms/v3/shipment/confirm", json=[{"orderId": s}]))
    statuses = [i["status"] for i in _shipment(api, s)["orderItems"]]
    assert statuses == ["cancelled_seller", "bag_confirmed"]
    # After invoicing only a whole cancellation is possible.
    drive_from_confirmed(api, s)
    [_, active] = _shipment(api, s)["orderItems"]
    partial = {"orderItemId": active["orderItemId"], "quantity": 1, "reasonCode": "6"}
    ok(api.post("oms/v3/shipment/cancel", json=[{"orderId": s, "orderItems": [partial]}]))
    assert _shipment(api, s)["orderStatus"] == "CANCELLED"


def drive_from_confirmed(api, s):
    record = {"orderId": s, "invoiceNumber": invoice_number(), "invoiceType": "sale"}
    ok(api.post("oms/v3/shipment/invoiceUpdate", json=[record]))


def test_partial_quantity_splits_the_bag(api):
    s = place_order().shipment_id
    shipment = Shipment.objects.get(shipment_id=s)
    item = shipment.items.get()
    item.quantity = 3
    item.save()
    line = {"orderItemId": item.item_id, "quantity": 2, "reasonCode": "6"}
    ok(api.post("oms/v3/shipment/cancel", json=[{"orderId": s, "orderItems": [line]}]))
    items = _shipment(api, s)["orderItems"]
    assert sorted((i["quantity"], i["status"]) for i in items) == [
        (1, "placed"),
        (2, "cancelled_seller"),
    ]


def test_cancel_refusals(api):
    s = place_order(bags=2).shipment_id
    drive(api, s, "bag_invoiced")
    items = _all_items(s, "6")
    refused(
        api.post("oms/v3/shipment/cancel", json=[{"orderId": s, "orderItems": items[:1]}]), "CN400"
    )
    refused(api.post("oms/v3/shipment/cancel", json=[{"orderId": s}]), "CN400")  # no items
    bad_reason = [{**items[0], "reasonCode": "42"}, items[1]]
    refused(
        api.post("oms/v3/shipment/cancel", json=[{"orderId": s, "orderItems": bad_reason}]), "CN400"
    )
    unknown = [{"orderItemId": "1", "quantity": 1, "reasonCode": "6"}]
    refused(
        api.post("oms/v3/shipment/cancel", json=[{"orderId": s, "orderItems": unknown}]), "CN400"
    )
    picked = place_order().shipment_id
    drive(api, picked, "bag_picked")
    whole = {"orderId": picked, "orderItems": _all_items(picked, "NA")}
    refused(api.post("oms/v3/shipment/cancel", json=[whole]), "CN400")  # after pickup
    assert state_of(s) == "bag_invoiced"
    ok(api.post("oms/v3/shipment/cancel", json=[{"orderId": s, "orderItems": items}]))
    assert state_of(s) == "cancelled_seller"


def test_customer_cancels_one_bag_before_confirmation(api):
    s = place_order(bags=2).shipment_id
    first = Shipment.objects.get(shipment_id=s).items.first()
    response = api.post(
        "_control/api/customer_cancel",
        json={"shipment_id": s, "order_item_ids": [first.item_id]},
    )
    assert response.status_code == 200, response.text
    ok(api.post("oms/v3/shipment/confirm", json=[{"orderId": s}]))
    statuses = sorted(i["status"] for i in _shipment(api, s)["orderItems"])
    assert statuses == ["bag_confirmed", "cancelled_customer"]


def test_self_ship_with_auto_dispatch(api, later):
    s = place_order("BLR-ST-01", self_ship=True).shipment_id
    record = {"orderId": s, "awbNumber": "OWN123", "courierName": "Own Fleet", "autoDispatch": True}
    drive(api, s, "bag_invoiced")
    refused(api.put("oms/v3/shipment/awb", json=[record]), "AWB400")  # not dp_assigned yet
    later.advance(3)
    assert state_of(s) == "bag_invoiced"  # due work runs on the next request
    fetched = _shipment(api, s)
    assert (fetched["shipmentStatus"], fetched["courierName"]) == ("dp_assigned", "")
    body = ok(api.put("oms/v3/shipment/awb", json=[record]))
    assert set(body) == {"data", "meta"}
    assert _shipment(api, s)["orderStatus"] == "TRANSIT"
    refused(api.put("oms/v3/shipment/awb", json=[record]), "AWB400")  # only once
    done = {"orderId": s, "orderStatus": "delivery_done", "meta": {"remark": "handed over"}}
    ok(api.put("oms/v3/shipment/status", json=[done]))
    assert _shipment(api, s)["orderStatus"] == "DELIVERED"
    refused(api.put("oms/v3/shipment/status", json=[done]), "ST400")
    tracking = api.post("oms/v3/shipment/track", json={"awb_number": "OWN123"}).json()
    assert tracking["tracking"]["operational_status"] == "delivery_done"
    assert tracking["tracking"]["tracking_url"] is None


def test_self_ship_status_pushes_and_rto(api):
    s = place_order("GGN-DS-01", self_ship=True).shipment_id
    drive(api, s, "dp_assigned")
    picked = {"orderId": s, "orderStatus": "bag_picked"}
    refused(api.put("oms/v3/shipment/status", json=[picked]), "ST400")  # no AWB yet
    ok(api.post("oms/v3/shipment/pack", json=[{"orderId": s}]))  # self-ship may pack first
    record = {"orderId": s, "awbNumber": "OWN9", "courierName": "Borzo", "autoDispatch": False}
    ok(api.put("oms/v3/shipment/awb", json=[record]))
    assert state_of(s) == "bag_packed"
    ok(api.put("oms/v3/shipment/status", json=[picked]))
    rto = {"orderId": s, "orderStatus": "rto_bag_delivered", "meta": {"dpLocation": "Gurugram"}}
    ok(api.put("oms/v3/shipment/status", json=[rto]))
    fetched = _shipment(api, s)
    assert (fetched["orderStatus"], fetched["isRto"]) == ("RETURN_DELIVERED", True)
    ok(api.post("oms/v3/shipment/return", json=[{"orderId": s}]))
    assert state_of(s) == "rto_bag_accepted"
    credit = {"orderId": s, "invoiceNumber": invoice_number("CN"), "invoiceType": "return"}
    ok(api.post("oms/v3/shipment/invoiceUpdate", json=[credit]))
    assert _shipment(api, s)["orderStatus"] == "CREDIT_NOTE_GENERATED"
    assert effects_of("oms.status", f"{s}:rto_bag_delivered") == 1


def test_self_ship_only_endpoints_refuse_channel_shipping(api):
    s = place_order().shipment_id
    drive(api, s, "dp_assigned")
    record = {"orderId": s, "awbNumber": "A1", "courierName": "X", "autoDispatch": False}
    refused(api.put("oms/v3/shipment/awb", json=[record]), "AWB400")
    status = {"orderId": s, "orderStatus": "bag_picked"}
    refused(api.put("oms/v3/shipment/status", json=[status]), "ST400")
    response = api.put("oms/v3/shipment/status", json=[{"orderId": s, "orderStatus": "lost"}])
    assert response.status_code == 400


def test_customer_return_qc_and_credit_note(api):
    s = place_order().shipment_id
    drive(api, s, "bag_picked")
    refused(api.post("oms/v3/shipment/return", json=[{"orderId": s}]), "RT400")
    api.post("_control/api/deliver", json={"shipment_id": s})
    returned = api.post(
        "_control/api/customer_return", json={"shipment_id": s, "reason": "Size too small"}
    ).json()["shipment"]
    r = returned["id"]
    assert (returned["forwardId"], returned["orderStatus"]) == (s, "RETURN_PROCESSING")
    assert returned["returnReason"] == "Size too small"
    assert returned["awbNumber"]
    again = api.post("_control/api/customer_return", json={"shipment_id": s})
    assert again.status_code == 409
    fetched = api.get(
        "oms/v3/shipment", params={"orderId": r, "orderStatus": "RETURN_PROCESSING"}
    ).json()
    assert [x["id"] for x in fetched] == [r]
    api.post("_control/api/return_in_transit", json={"shipment_id": r})
    api.post("_control/api/return_deliver", json={"shipment_id": r})
    assert state_of(r) == "return_bag_delivered"
    item = returned["orderItems"][0]["orderItemId"]
    bad_qc = {
        "orderId": r,
        "orderItems": [{"orderItemId": item, "quantity": 1, "reasonCode": "meh"}],
    }
    refused(api.post("oms/v3/shipment/return", json=[bad_qc]), "RT400")
    qc = {
        "orderId": r,
        "orderItems": [{"orderItemId": item, "quantity": 1, "reasonCode": "tag_missing"}],
    }
    ok(api.post("oms/v3/shipment/return", json=[qc]))
    for bucket in ("RETURN_ACCEPTED", "RETURN_COMPLETED"):
        listed = api.get("oms/v3/shipment", params={"orderId": r, "orderStatus": bucket}).json()
        assert [x["shipmentStatus"] for x in listed] == ["return_bag_accepted"]
    credit = {"orderId": r, "invoiceNumber": invoice_number("CN"), "invoiceType": "return"}
    ok(api.post("oms/v3/shipment/invoiceUpdate", json=[credit]))
    refused(api.post("oms/v3/shipment/invoiceUpdate", json=[credit]), "INV400")
    assert _shipment(api, r)["creditNoteNumber"] == credit["invoiceNumber"]
    invoice = api.post("oms/v3/shipment/invoice", json=[{"orderId": r}])
    assert "CREDIT NOTE" in PdfReader(io.BytesIO(invoice.content)).pages[0].extract_text()


def test_self_ship_return_chain(api):
    s = place_order("BLR-ST-01", self_ship=True).shipment_id
    drive(api, s, "dp_assigned")
    ok(
        api.put(
            "oms/v3/shipment/awb",
            json=[
                {"orderId": s, "awbNumber": "F1", "courierName": "Own Fleet", "autoDispatch": True}
            ],
        )
    )
    ok(api.put("oms/v3/shipment/status", json=[{"orderId": s, "orderStatus": "delivery_done"}]))
    r = api.post("_control/api/customer_return", json={"shipment_id": s}).json()["shipment"]["id"]
    assert api.post("_control/api/return_in_transit", json={"shipment_id": r}).status_code == 409
    auto = {"orderId": r, "awbNumber": "R1", "courierName": "Own Fleet", "autoDispatch": True}
    refused(api.put("oms/v3/shipment/awb", json=[auto]), "AWB400")
    in_transit = {"orderId": r, "orderStatus": "return_bag_in_transit"}
    refused(api.put("oms/v3/shipment/status", json=[in_transit]), "ST400")  # AWB first
    ok(api.put("oms/v3/shipment/awb", json=[{**auto, "autoDispatch": False}]))
    ok(api.put("oms/v3/shipment/status", json=[in_transit]))
    ok(
        api.put(
            "oms/v3/shipment/status", json=[{"orderId": r, "orderStatus": "return_bag_delivered"}]
        )
    )
    ok(api.post("oms/v3/shipment/return", json=[{"orderId": r}]))
    assert state_of(r) == "return_bag_accepted"


def test_rto_from_the_fynd_side(api):
    s = place_order().shipment_id
    drive(api, s, "bag_picked")
    shipment = api.post("_control/api/rto", json={"shipment_id": s}).json()["shipment"]
    assert (shipment["orderStatus"], shipment["isRto"]) == ("RETURN_DELIVERED", True)
    ok(api.post("oms/v3/shipment/return", json=[{"orderId": s}]))
    assert state_of(s) == "rto_bag_accepted"


def test_track_by_id_and_awb(api, location_api):
    s = place_order().shipment_id
    drive(api, s, "bag_picked")
    awb = Shipment.objects.get(shipment_id=s).awb_number
    by_id = api.post("oms/v3/shipment/track", json={"shipment_id": s}).json()
    by_awb = api.post("oms/v3/shipment/track", json={"awb_number": awb}).json()
    assert by_id == by_awb
    tracking = by_id["tracking"]
    assert tracking["current_status"] == "TRANSIT"
    assert tracking["journey"] == "forward"
    assert [e["status"] for e in tracking["events"]][-1] == "bag_picked"
    assert tracking["eta"] is not None
    assert tracking["tracking_url"]
    assert api.post("oms/v3/shipment/track", json={"shipment_id": "1"}).status_code == 404
    assert api.post("oms/v3/shipment/track", json={}).status_code == 400
    other = location_api("GGN-DS-01").post("oms/v3/shipment/track", json={"shipment_id": s})
    assert other.status_code == 403


def test_request_level_refusals_of_actions(api):
    assert api.post("oms/v3/shipment/confirm", json={"orderId": "1"}).status_code == 400
    assert api.post("oms/v3/shipment/confirm", json=[]).status_code == 400
    missing = api.post("oms/v3/shipment/confirm", json=[{"orderItems": []}])
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "[0].orderId"
    too_many = api.post("oms/v3/shipment/pack", json=[{"orderId": str(n)} for n in range(21)])
    assert (too_many.status_code, too_many.json()["code"]) == (400, "BATCH_LIMIT")
    twenty = api.post("oms/v3/shipment/pack", json=[{"orderId": str(n)} for n in range(20)])
    assert twenty.json()["failedCount"] == 20
    awb = api.put("oms/v3/shipment/awb", json=[{"orderId": "1", "awbNumber": "A"}])
    assert {e["field"] for e in awb.json()["errors"]} == {"[0].courierName", "[0].autoDispatch"}


ACTIONS: dict[str, tuple[str, dict[str, object], str, str]] = {
    # endpoint: (method, extra record fields, unknown code, other-location code)
    "confirm": ("POST", {}, "O404", "O422"),
    "cancel": ("POST", {"orderItems": []}, "CN404", "CN422"),
    "invoiceUpdate": ("POST", {"invoiceNumber": "X-1", "invoiceType": "sale"}, "INV404", "INV422"),
    "pack": ("POST", {}, "CR404", "CR422"),
    "dispatch": ("POST", {}, "D404", "D422"),
    "return": ("POST", {}, "RT404", "RT422"),
    "awb": (
        "PUT",
        {"awbNumber": "A", "courierName": "C", "autoDispatch": False},
        "AWB404",
        "AWB422",
    ),
    "status": ("PUT", {"orderStatus": "bag_picked"}, "ST404", "ST422"),
}


@pytest.mark.parametrize("endpoint", sorted(ACTIONS))
def test_unknown_and_other_location_codes(api, location_api, endpoint):
    method, extra, unknown_code, location_code = ACTIONS[endpoint]
    path = f"oms/v3/shipment/{endpoint}"
    unknown = api.request(method, path, json=[{"orderId": "17000000000000000042", **extra}])
    refused(unknown, unknown_code)
    other = place_order("BHW-WH-01").shipment_id
    elsewhere = location_api("GGN-DS-01").request(method, path, json=[{"orderId": other, **extra}])
    refused(elsewhere, location_code)
    assert state_of(other) == "placed"


@pytest.mark.parametrize(
    ("endpoint", "code"), [("labels", "L404"), ("invoice", "IN404"), ("courierDetails", "C404")]
)
def test_unknown_shipment_on_document_endpoints(api, endpoint, code):
    response = api.post(f"oms/v3/shipment/{endpoint}", json=[{"orderId": "17000000000000000043"}])
    body = response.json()
    errors = body["errors"] if isinstance(body, dict) else body
    assert [e["code"] for e in errors] == [code]
