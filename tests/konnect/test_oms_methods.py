"""OMS endpoints: shipment reads, actions, documents and tracking."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import responses
from responses import matchers

from konnect_admin.konnect import KonnectClient, KonnectValidationError, OmsResult
from tests.konnect import bodies
from tests.konnect.conftest import CANARY_TOKEN, add_token, error_body, url

SHIPMENT_ID = "17328629784861446350"
OTHER_ID = "17328629784861446351"


def test_shipments_sends_the_bucket_location_dates_and_page(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    api.get(
        url("oms/v3/shipment"),
        json=[bodies.SHIPMENT],
        match=[
            matchers.query_param_matcher(
                {
                    "orderStatus": "CREATED",
                    "locationCode": "BHW-WH-01",
                    "pageNumber": "2",
                    "pageSize": "50",
                    "orderingChannel": "FYND",
                    "orderDateFrom": "2025-01-01",
                    # 06:30 UTC is 12:00 in IST, the time zone of Konnect's date filters
                    "orderDateTo": "2025-01-02T12:00:00",
                }
            ),
            matchers.header_matcher({"x-access-token": CANARY_TOKEN}),
        ],
    )
    found = client.shipments(
        order_status="CREATED",
        location_code="BHW-WH-01",
        page_number=2,
        page_size=50,
        ordering_channel="FYND",
        date_from=date(2025, 1, 1),
        date_to=datetime(2025, 1, 2, 6, 30, tzinfo=UTC),
    )
    assert found == [bodies.SHIPMENT]
    assert found[0]["orderItems"][0]["orderItemId"] == "1234567"


def test_shipments_default_to_the_clients_location(
    make_client: Any, api: responses.RequestsMock
) -> None:
    client = make_client(location_code="BLR-ST-01")
    add_token(api)
    api.get(
        url("oms/v3/shipment"),
        json=[],
        match=[
            matchers.query_param_matcher(
                {
                    "orderStatus": "CONFIRMED",
                    "locationCode": "BLR-ST-01",
                    "pageNumber": "1",
                    "pageSize": "100",
                }
            )
        ],
    )
    assert client.shipments(order_status="CONFIRMED") == []


def test_shipment_by_id(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.get(
        url("oms/v3/shipment"),
        json=[bodies.SHIPMENT],
        match=[matchers.query_param_matcher({"orderId": SHIPMENT_ID, "locationCode": "BHW-WH-01"})],
    )
    found = client.shipment(order_id=SHIPMENT_ID, location_code="BHW-WH-01")
    assert found is not None
    assert found["id"] == SHIPMENT_ID


@pytest.mark.parametrize(
    "answer", [{"json": []}, {"status": 404, "json": error_body("NOT_FOUND", "x")}]
)
def test_unknown_shipment_is_none(
    client: KonnectClient, api: responses.RequestsMock, answer: dict[str, Any]
) -> None:
    add_token(api)
    api.get(url("oms/v3/shipment"), **answer)
    assert client.shipment(order_id="404") is None


def test_shipment_info(client: KonnectClient, api: responses.RequestsMock) -> None:
    info = {
        "id": SHIPMENT_ID,
        "orderStatus": "CREATED",
        "shipmentStatus": "placed",
        "orderType": "forward",
        "sla": "2025-01-26T12:00:00+00:00",
        "lockStatus": False,
        "processingDueTime": None,
    }
    add_token(api)
    api.get(
        url("oms/v3/shipment/info"),
        json={"orders": [info]},
        match=[matchers.query_param_matcher({"orderId": SHIPMENT_ID})],
    )
    assert client.shipment_info(order_id=SHIPMENT_ID) == [info]


def test_shipment_info_needs_an_id_or_a_bucket(client: KonnectClient) -> None:
    with pytest.raises(ValueError, match="order_id or order_status"):
        client.shipment_info()


CANCEL = {
    "orderId": SHIPMENT_ID,
    "orderItems": [{"orderItemId": "1234567", "quantity": 1, "reasonCode": "6"}],
}
CONFIRM = {"orderId": SHIPMENT_ID}
DISPATCH = {"orderId": SHIPMENT_ID, "orderItems": [{"orderItemId": "1234567", "quantity": 1}]}
QC = {
    "orderId": SHIPMENT_ID,
    "orderItems": [{"orderItemId": "1234567", "quantity": 1, "reasonCode": ""}],
}


@pytest.mark.parametrize(
    ("method", "action", "records"),
    [
        ("shipments_cancel", "cancel", [CANCEL]),
        ("shipments_confirm", "confirm", [CONFIRM]),
        ("shipments_dispatch", "dispatch", [DISPATCH]),
        ("returns_qc", "return", [QC]),
    ],
)
def test_actions_post_a_bare_array(
    client: KonnectClient,
    api: responses.RequestsMock,
    method: str,
    action: str,
    records: list[dict[str, Any]],
) -> None:
    add_token(api)
    api.post(
        url(f"oms/v3/shipment/{action}"),
        json=bodies.OMS_OK,
        match=[
            matchers.json_params_matcher(records),
            matchers.header_matcher(
                {"x-access-token": CANARY_TOKEN, "Content-Type": "application/json"}
            ),
        ],
    )
    result = getattr(client, method)(records)
    assert result == OmsResult(
        payload_count=2, success_count=2, failed_count=0, errors=[], status="SUCCESS"
    )


def test_pack_takes_shipment_ids_and_maps_errors_by_order_id(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    api.post(
        url("oms/v3/shipment/pack"),
        json=bodies.OMS_PARTIAL,
        match=[matchers.json_params_matcher([{"orderId": SHIPMENT_ID}, {"orderId": OTHER_ID}])],
    )
    result = client.shipments_pack([SHIPMENT_ID, OTHER_ID])
    assert result.error_for(SHIPMENT_ID) is None
    error = result.error_for(OTHER_ID)
    assert error is not None
    assert error["code"] == "CR400"
    assert result.failed_order_ids == [OTHER_ID]


def test_invoice_update_sends_sale_invoices(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    record = {"orderId": SHIPMENT_ID, "invoiceNumber": "INV-0001"}
    add_token(api)
    api.post(
        url("oms/v3/shipment/invoiceUpdate"),
        json=bodies.OMS_OK,
        match=[matchers.json_params_matcher([{**record, "invoiceType": "sale"}])],
    )
    client.invoice_update([record])
    assert "invoiceType" not in record  # the caller's record is left alone


def test_credit_notes_are_return_invoices(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    record = {"orderId": SHIPMENT_ID, "invoiceNumber": "CN-0001", "invoiceType": "return"}
    add_token(api)
    api.post(
        url("oms/v3/shipment/invoiceUpdate"),
        json=bodies.OMS_OK,
        match=[matchers.json_params_matcher([record])],
    )
    assert client.credit_notes([record]).status == "SUCCESS"


def test_a_sale_invoice_is_not_a_credit_note(client: KonnectClient) -> None:
    with pytest.raises(ValueError, match="invoiceType must be 'return'"):
        client.credit_notes([{"orderId": SHIPMENT_ID, "invoiceNumber": "X", "invoiceType": "sale"}])


def test_every_action_record_needs_an_order_id(client: KonnectClient) -> None:
    with pytest.raises(ValueError, match="needs an orderId"):
        client.shipments_confirm([{"orderItems": []}])


@pytest.mark.parametrize(("method", "path"), [("awb_update", "awb"), ("status_update", "status")])
def test_self_ship_updates_use_envelope_a(
    client: KonnectClient, api: responses.RequestsMock, method: str, path: str
) -> None:
    record = (
        {"orderId": SHIPMENT_ID, "awbNumber": "AWB1", "courierName": "Own", "autoDispatch": True}
        if method == "awb_update"
        else {"orderId": SHIPMENT_ID, "orderStatus": "delivery_done", "meta": {"remark": "ok"}}
    )
    add_token(api)
    api.put(
        url(f"oms/v3/shipment/{path}"),
        json={
            "data": {
                "payload_count": 1,
                "success_count": 0,
                "failed_count": 1,
                "errors": [{"orderId": SHIPMENT_ID, "code": "ST400", "message": "not self-ship"}],
            },
            "meta": {**bodies.IMS_META, "status": "FAILED"},
        },
        match=[matchers.json_params_matcher([record])],
    )
    result = getattr(client, method)([record])
    assert result.ack_id == "679c771cc8f3483beac7862d"
    assert result.error_for_order(SHIPMENT_ID)["code"] == "ST400"


def test_courier_details(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.post(
        url("oms/v3/shipment/courierDetails"),
        json=bodies.COURIER_DETAILS,
        match=[matchers.json_params_matcher([{"orderId": "17788083923861469968"}])],
    )
    assert client.courier_details(["17788083923861469968"]) == bodies.COURIER_DETAILS


@pytest.mark.parametrize(
    ("method", "path"), [("shipping_labels", "labels"), ("customer_invoices", "invoice")]
)
def test_documents_are_pdf_bytes(
    client: KonnectClient, api: responses.RequestsMock, method: str, path: str
) -> None:
    add_token(api)
    api.post(
        url(f"oms/v3/shipment/{path}"),
        body=bodies.PDF,
        content_type="application/pdf",
        match=[matchers.json_params_matcher([{"orderId": SHIPMENT_ID}])],
    )
    assert getattr(client, method)([SHIPMENT_ID]) == bodies.PDF


def test_label_refusal_names_the_shipment(
    client: KonnectClient, api: responses.RequestsMock
) -> None:
    add_token(api)
    api.post(
        url("oms/v3/shipment/labels"),
        status=400,
        json=error_body(
            "VALIDATION_FAILED",
            "Some shipments have no label yet",
            [{"orderId": SHIPMENT_ID, "code": "L403", "message": "not packed yet"}],
        ),
    )
    with pytest.raises(KonnectValidationError) as caught:
        client.shipping_labels([SHIPMENT_ID])
    assert str(caught.value) == f"Konnect refused the request: {SHIPMENT_ID}: not packed yet"
    assert caught.value.errors[0]["code"] == "L403"


def test_a_single_id_string_is_refused(client: KonnectClient) -> None:
    with pytest.raises(TypeError, match="list of shipment ids"):
        client.shipments_pack(SHIPMENT_ID)


def test_track(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.post(
        url("oms/v3/shipment/track"),
        json=bodies.TRACKING,
        match=[matchers.json_params_matcher({"shipment_id": SHIPMENT_ID})],
    )
    tracking = client.track(shipment_id=SHIPMENT_ID)
    assert tracking["current_status"] == "bag_picked"
    assert tracking["events"][0]["status"] == "bag_picked"


def test_track_by_awb(client: KonnectClient, api: responses.RequestsMock) -> None:
    add_token(api)
    api.post(
        url("oms/v3/shipment/track"),
        json=bodies.TRACKING,
        match=[matchers.json_params_matcher({"awb_number": "AWB123"})],
    )
    assert client.track(awb_number="AWB123")["awb_number"] == "AWB123"
