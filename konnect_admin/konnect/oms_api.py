"""OMS endpoints (`oms/v3/shipment...`): shipment reads, actions, documents and tracking.

Reads and the read-only POSTs (courierDetails, labels, invoice, track) are safe to repeat and
are retried; the actions change shipment state and are sent exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

from konnect_admin.konnect import parsing
from konnect_admin.konnect.base import ClientBase, order_date, query, records_list
from konnect_admin.konnect.errors import KonnectNotFound
from konnect_admin.konnect.limits import OMS_PAGE_MAX, OMS_WRITE_LIMIT, check_batch, check_page_size
from konnect_admin.konnect.types import (
    AwbRecord,
    CourierDetails,
    ImsResult,
    InvoiceRecord,
    OmsResult,
    OrderRecord,
    Shipment,
    ShipmentInfo,
    StatusRecord,
    Tracking,
)

SHIPMENT_PATH = "oms/v3/shipment"
DateLike = date | datetime | str | None


def _order_refs(order_ids: Sequence[str], what: str) -> list[dict[str, str]]:
    if isinstance(order_ids, str):
        raise TypeError(f"{what}: pass a list of shipment ids, not one string")
    check_batch(order_ids, OMS_WRITE_LIMIT, what)
    return [{"orderId": str(order_id)} for order_id in order_ids]


def _with_invoice_type(
    records: Sequence[Mapping[str, Any]], invoice_type: str, what: str
) -> list[dict[str, Any]]:
    copies = records_list(records)
    for record in copies:
        given = record.setdefault("invoiceType", invoice_type)
        if given != invoice_type:
            raise ValueError(f"{what}: invoiceType must be {invoice_type!r}, not {given!r}")
    return copies


class OmsMethods(ClientBase):
    # --- reads -----------------------------------------------------------------------------------

    def shipments(
        self,
        *,
        order_status: str,
        location_code: str | None = None,
        page_number: int = 1,
        page_size: int = OMS_PAGE_MAX,
        ordering_channel: str | None = None,
        date_from: DateLike = None,
        date_to: DateLike = None,
    ) -> list[Shipment]:
        """One page of shipments in a status bucket (a bare array: page on until a short page).

        `location_code` defaults to the client's location; a company token must send one.
        """
        check_page_size(page_size, OMS_PAGE_MAX, SHIPMENT_PATH)
        params = query(
            orderStatus=order_status,
            locationCode=location_code or self.location_code,
            pageNumber=page_number,
            pageSize=page_size,
            orderingChannel=ordering_channel,
            orderDateFrom=order_date(date_from),
            orderDateTo=order_date(date_to),
        )
        body = self._json("GET", SHIPMENT_PATH, idempotent=True, params=params)
        return cast(list[Shipment], parsing.array(body, SHIPMENT_PATH))

    def shipment(self, *, order_id: str, location_code: str | None = None) -> Shipment | None:
        """One shipment by its id, or None when Konnect does not know it."""
        params = query(orderId=order_id, locationCode=location_code or self.location_code)
        try:
            body = self._json("GET", SHIPMENT_PATH, idempotent=True, params=params)
        except KonnectNotFound:
            return None
        found = parsing.array(body, SHIPMENT_PATH)
        return cast(Shipment, found[0]) if found else None

    def shipment_info(
        self, *, order_id: str | None = None, order_status: str | None = None
    ) -> list[ShipmentInfo]:
        """The light status view (state, SLA, lock) of one shipment or a whole bucket."""
        if not order_id and not order_status:
            raise ValueError("shipment_info: give order_id or order_status")
        path = f"{SHIPMENT_PATH}/info"
        params = query(orderId=order_id, orderStatus=order_status)
        body = self._json("GET", path, idempotent=True, params=params)
        orders = parsing.as_object(body, path).get("orders")
        return cast(list[ShipmentInfo], parsing.array(orders if orders is not None else [], path))

    # --- actions (sent once) -----------------------------------------------------------------

    def _action(
        self, method: str, action: str, records: Sequence[Mapping[str, Any]]
    ) -> tuple[Any, str]:
        path = f"{SHIPMENT_PATH}/{action}"
        check_batch(records, OMS_WRITE_LIMIT, f"{method} {path}")
        if any(not record.get("orderId") for record in records):
            raise ValueError(f"{method} {path}: every record needs an orderId")
        return self._json(method, path, idempotent=False, body=records_list(records)), path

    def _oms(self, action: str, records: Sequence[Mapping[str, Any]]) -> OmsResult:
        return parsing.oms_result(*self._action("POST", action, records))

    def shipments_cancel(self, records: Sequence[OrderRecord | Mapping[str, Any]]) -> OmsResult:
        """Each record: orderId and orderItems with orderItemId, quantity and reasonCode."""
        return self._oms("cancel", records)

    def shipments_confirm(self, records: Sequence[OrderRecord | Mapping[str, Any]]) -> OmsResult:
        return self._oms("confirm", records)

    def invoice_update(self, records: Sequence[InvoiceRecord | Mapping[str, Any]]) -> OmsResult:
        """Sale invoices (invoiceType "sale" is filled in)."""
        return self._oms("invoiceUpdate", _with_invoice_type(records, "sale", "invoice_update"))

    def credit_notes(self, records: Sequence[InvoiceRecord | Mapping[str, Any]]) -> OmsResult:
        """Credit notes for accepted returns and RTOs (invoiceUpdate with invoiceType "return")."""
        return self._oms("invoiceUpdate", _with_invoice_type(records, "return", "credit_notes"))

    def shipments_pack(self, order_ids: Sequence[str]) -> OmsResult:
        return self._oms("pack", _order_refs(order_ids, "shipments_pack"))

    def shipments_dispatch(self, records: Sequence[OrderRecord | Mapping[str, Any]]) -> OmsResult:
        return self._oms("dispatch", records)

    def returns_qc(self, records: Sequence[OrderRecord | Mapping[str, Any]]) -> OmsResult:
        """QC acceptance of delivered returns (reasonCode per item; empty = good condition)."""
        return self._oms("return", records)

    def awb_update(self, records: Sequence[AwbRecord | Mapping[str, Any]]) -> ImsResult:
        """Self-ship AWB and courier (envelope A: data + meta)."""
        return parsing.ims_result(*self._action("PUT", "awb", records))

    def status_update(self, records: Sequence[StatusRecord | Mapping[str, Any]]) -> ImsResult:
        """Self-ship milestones, one step per call (envelope A: data + meta)."""
        return parsing.ims_result(*self._action("PUT", "status", records))

    # --- read-only POSTs (retried) -------------------------------------------------------------

    def courier_details(self, order_ids: Sequence[str]) -> list[CourierDetails]:
        path = f"{SHIPMENT_PATH}/courierDetails"
        body = self._json(
            "POST", path, idempotent=True, body=_order_refs(order_ids, "courier_details")
        )
        return cast(list[CourierDetails], parsing.array(body, path))

    def shipping_labels(self, order_ids: Sequence[str]) -> bytes:
        """One PDF with a label page per shipment (only packed shipments have labels)."""
        return self._pdf(f"{SHIPMENT_PATH}/labels", _order_refs(order_ids, "shipping_labels"))

    def customer_invoices(self, order_ids: Sequence[str]) -> bytes:
        """One PDF with the customer invoice of each shipment."""
        return self._pdf(f"{SHIPMENT_PATH}/invoice", _order_refs(order_ids, "customer_invoices"))

    def track(self, *, shipment_id: str | None = None, awb_number: str | None = None) -> Tracking:
        """Tracking of one shipment, by its id (preferred) or its AWB number."""
        if not shipment_id and not awb_number:
            raise ValueError("track: give shipment_id or awb_number")
        path = f"{SHIPMENT_PATH}/track"
        ref = {"shipment_id": shipment_id} if shipment_id else {"awb_number": str(awb_number)}
        body = self._json("POST", path, idempotent=True, body=ref)
        tracking = parsing.as_object(body, path).get("tracking")
        return cast(Tracking, parsing.as_object(tracking, path))
