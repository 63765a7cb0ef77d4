"""oms/v3/shipment...: fetch, info, the bulk actions, PDFs and tracking (contract 5-6).

Actions share one runner: the body is a JSON array of at most 20 records, each with an
orderId; each record is applied in its own savepoint or refused with the endpoint's code
(unknown id: prefix + 404; other location: *422 / C400 / L400 / IN400; cancelled; illegal
state). The rules themselves live in statemachine.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse

from konnect_admin.sandbox import ids, pdf, statemachine
from konnect_admin.sandbox.api import Ctx, konnect_api
from konnect_admin.sandbox.models import Shipment
from konnect_admin.sandbox.reference import reference
from konnect_admin.sandbox.serializers import (
    courier_json,
    shipment_info_json,
    shipment_json,
    tracking_json,
)
from konnect_admin.sandbox.statemachine import By, Refusal
from konnect_admin.sandbox.validation import is_integer, is_number
from konnect_admin.sandbox.wire import (
    ApiError,
    batch_limit,
    forbidden,
    ims_envelope,
    int_param,
    invalid,
    json_body,
    not_found,
    oms_envelope,
)

OMS_BATCH_LIMIT = 20
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
IST = ZoneInfo("Asia/Kolkata")

# Refusal kind -> code, per endpoint (reference 2.5; contract 6 where undocumented).
CODES: dict[str, dict[str, str]] = {
    "confirm": {"unknown": "O404", "location": "O422", "cancelled": "O400", "state": "O400"},
    "cancel": {"unknown": "CN404", "location": "CN422", "cancelled": "CN400", "state": "CN400"},
    "invoiceUpdate": {
        "unknown": "INV404",
        "location": "INV422",
        "cancelled": "INV400",
        "state": "INV400",
        "duplicate": "INV409",
    },
    "pack": {"unknown": "CR404", "location": "CR422", "cancelled": "CR401", "state": "CR400"},
    "dispatch": {"unknown": "D404", "location": "D422", "cancelled": "D401", "state": "D400"},
    "courierDetails": {"unknown": "C404", "location": "C400"},
    "labels": {"unknown": "L404", "location": "L400", "cancelled": "L403", "state": "L403"},
    "invoice": {"unknown": "IN404", "location": "IN400", "cancelled": "IN403", "state": "IN403"},
    "awb": {"unknown": "AWB404", "location": "AWB422", "cancelled": "AWB400", "state": "AWB400"},
    "status": {"unknown": "ST404", "location": "ST422", "cancelled": "ST400", "state": "ST400"},
    "return": {"unknown": "RT404", "location": "RT422", "cancelled": "RT400", "state": "RT400"},
}

Record = dict[str, Any]
Apply = Callable[[Shipment, Mapping[str, Any], By], None]


# --- reads ------------------------------------------------------------------------------------


def _location(request: HttpRequest, ctx: Ctx, *, required: bool) -> str | None:
    """The location to read: locationCode if given (within the token's scope), else the
    location token's own; a company token must name one when `required`."""
    code = request.GET.get("locationCode", "")
    if code:
        if code not in reference().location_by_code:
            raise invalid(f"Unknown locationCode {code}.", "locationCode", "unknown")
        if not ctx.auth.covers(code):
            raise forbidden(f"This token is for location {ctx.auth.location_code}, not {code}.")
        return code
    if ctx.auth.is_company:
        if required:
            raise invalid(
                "locationCode is required with a company token.", "locationCode", "required"
            )
        return None
    return ctx.auth.location_code


def _bucket(request: HttpRequest, name: str = "orderStatus") -> str | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if value not in statemachine.FETCHABLE_BUCKETS:
        raise invalid(
            f"{name} must be one of {', '.join(statemachine.FETCHABLE_BUCKETS)}.", name, "enum"
        )
    return value


DATE_DMY = re.compile(r"^(\d{2})-(\d{2})-(\d{4})$")


def _date_bound(request: HttpRequest, name: str, *, upper: bool) -> tuple[datetime, bool] | None:
    """(bound, inclusive) from dd-mm-yyyy, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (IST if no
    offset). A date-only upper bound covers that whole day."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        if match := DATE_DMY.match(raw):
            day = date(int(match[3]), int(match[2]), int(match[1]))
        elif len(raw) == 10:
            day = date.fromisoformat(raw)
        else:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=IST)
            return moment, True
    except ValueError:
        raise invalid(
            f"{name} must be dd-mm-yyyy, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.", name, "format"
        ) from None
    start = datetime.combine(day, time.min, tzinfo=IST)
    return (start + timedelta(days=1), False) if upper else (start, True)


def _filtered(request: HttpRequest, ctx: Ctx, order_id: str) -> QuerySet[Shipment]:
    bucket = _bucket(request)
    if not order_id and not bucket:
        raise invalid("orderStatus is required (or orderId).", "orderStatus", "required")
    rows = Shipment.objects.all()
    location = _location(request, ctx, required=not order_id)
    if location:
        rows = rows.filter(location_code=location)
    if order_id:
        rows = rows.filter(shipment_id=order_id)
    if bucket:
        rows = rows.filter(bucket=statemachine.BUCKET_ALIASES.get(bucket, bucket))
    return rows


@konnect_api("GET")
def shipments(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    order_id = request.GET.get("orderId", "")
    page_number = int_param(request, "pageNumber", 1, 1)
    page_size = int_param(request, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    rows = _filtered(request, ctx, order_id)
    if channel := request.GET.get("orderingChannel"):
        rows = rows.filter(channel=channel)
    if lower := _date_bound(request, "orderDateFrom", upper=False):
        rows = rows.filter(order_date__gte=lower[0])
    if upper := _date_bound(request, "orderDateTo", upper=True):
        bound, inclusive = upper
        rows = (
            rows.filter(order_date__lte=bound) if inclusive else rows.filter(order_date__lt=bound)
        )
    start = (page_number - 1) * page_size
    page = rows.order_by("order_date", "shipment_id").prefetch_related("items")
    data = [shipment_json(s) for s in page[start : start + page_size]]
    return JsonResponse(data, safe=False)


@konnect_api("GET")
def shipment_info(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    order_id = request.GET.get("orderId", "")
    rows = _filtered(request, ctx, order_id).order_by("order_date", "shipment_id")
    return JsonResponse({"orders": [shipment_info_json(s) for s in rows]})


# --- the action runner --------------------------------------------------------------------------


def _records(
    request: HttpRequest, check: Callable[[Record], list[tuple[str, str]]] | None = None
) -> list[Record]:
    body = json_body(request)
    if not isinstance(body, list):
        raise invalid("The body must be a JSON array of orders.")
    if not body:
        raise invalid("The body must not be an empty array.")
    if len(body) > OMS_BATCH_LIMIT:
        raise batch_limit(OMS_BATCH_LIMIT, len(body))
    problems: list[dict[str, str]] = []
    for index, record in enumerate(body):
        path = f"[{index}]"
        if not isinstance(record, dict):
            problems.append({"field": path, "code": "type", "message": "must be an object"})
            continue
        order_id = record.get("orderId")
        if not isinstance(order_id, str) or not order_id:
            problems.append(
                {"field": f"{path}.orderId", "code": "required", "message": "is required"}
            )
        items = record.get("orderItems")
        if items is not None and not (
            isinstance(items, list) and all(isinstance(i, dict) for i in items)
        ):
            problems.append(
                {
                    "field": f"{path}.orderItems",
                    "code": "type",
                    "message": "must be an array of objects",
                }
            )
        if check is not None:
            problems.extend(
                {"field": f"{path}.{field}", "code": "invalid", "message": message}
                for field, message in check(record)
            )
    if problems:
        raise ApiError(400, "VALIDATION_FAILED", "The request has invalid records.", problems)
    return body


def _run(ctx: Ctx, action: str, records: list[Record], apply: Apply) -> list[dict[str, Any]]:
    """Apply each record in its own savepoint; return the per-record errors."""
    codes = CODES[action]
    by = By(at=ctx.now, request_id=ctx.request_id)
    errors: list[dict[str, Any]] = []
    with transaction.atomic():
        found = Shipment.objects.select_for_update().in_bulk(
            [r["orderId"] for r in records], field_name="shipment_id"
        )
        for index, record in enumerate(records):
            shipment = found.get(record["orderId"])
            try:
                shipment = _in_scope(ctx, record["orderId"], shipment)
                with transaction.atomic():
                    apply(shipment, record, by)
            except Refusal as refusal:
                if shipment is not None:
                    shipment.refresh_from_db()
                errors.append(
                    {
                        "index": index,
                        "orderId": record["orderId"],
                        "code": codes[refusal.kind],
                        "message": refusal.message,
                    }
                )
    return errors


def _in_scope(ctx: Ctx, order_id: str, shipment: Shipment | None) -> Shipment:
    if shipment is None:
        raise Refusal("unknown", f"Unknown orderId {order_id}.")
    if not ctx.auth.covers(shipment.location_code):
        raise Refusal(
            "location",
            f"orderId {order_id} does not belong to location {ctx.auth.location_code}.",
        )
    return shipment


def _envelope_b(records: list[Record], errors: list[dict[str, Any]]) -> JsonResponse:
    for error in errors:
        error.pop("index", None)
    return JsonResponse(oms_envelope(len(records), errors))


# --- checks of record fields that make the whole request invalid -------------------------------


def _invoice_fields(record: Record) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    number = record.get("invoiceNumber")
    if not isinstance(number, str) or not number.strip():
        problems.append(("invoiceNumber", "is required"))
    if record.get("invoiceType") not in ("sale", "return"):
        problems.append(("invoiceType", "must be sale or return"))
    packages = record.get("packages")
    if packages is not None:
        if not isinstance(packages, list) or not all(isinstance(p, dict) for p in packages):
            problems.append(("packages", "must be an array of objects"))
        else:
            for n, package in enumerate(packages):
                for key in (
                    "packageLengthCm",
                    "packageWidthCm",
                    "packageHeightCm",
                    "packageWeightGms",
                ):
                    value = package.get(key)
                    if value is not None and not (is_number(value) and value >= 0):
                        problems.append((f"packages[{n}].{key}", "must be a number >= 0"))
    for n, line in enumerate(record.get("orderItems") or []):
        if (
            isinstance(line, dict)
            and "quantity" in line
            and not (is_integer(line["quantity"]) and line["quantity"] >= 1)
        ):
            problems.append((f"orderItems[{n}].quantity", "must be an integer >= 1"))
    return problems


def _awb_fields(record: Record) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for key in ("awbNumber", "courierName"):
        value = record.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append((key, "is required"))
    if not isinstance(record.get("autoDispatch"), bool):
        problems.append(("autoDispatch", "must be true or false"))
    return problems


def _status_fields(record: Record) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if record.get("orderStatus") not in statemachine.SELF_SHIP_PUSHES:
        problems.append(
            ("orderStatus", f"must be one of {', '.join(statemachine.SELF_SHIP_PUSHES)}")
        )
    meta = record.get("meta")
    if meta is not None and not isinstance(meta, dict):
        problems.append(("meta", "must be an object"))
    return problems


# --- actions ------------------------------------------------------------------------------------


@konnect_api("POST")
def confirm(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    records = _records(request)
    return _envelope_b(records, _run(ctx, "confirm", records, statemachine.confirm))


@konnect_api("POST")
def cancel(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    records = _records(request)
    return _envelope_b(records, _run(ctx, "cancel", records, statemachine.cancel_by_seller))


def _invoice_update(shipment: Shipment, record: Mapping[str, Any], by: By) -> None:
    if record["invoiceType"] == "return":
        statemachine.credit_note(shipment, record, by)
    else:
        statemachine.invoice_sale(shipment, record, by)


@konnect_api("POST")
def invoice_update(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    records = _records(request, _invoice_fields)
    return _envelope_b(records, _run(ctx, "invoiceUpdate", records, _invoice_update))


@konnect_api("POST")
def pack(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    records = _records(request)
    return _envelope_b(records, _run(ctx, "pack", records, statemachine.pack))


@konnect_api("POST")
def dispatch(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    records = _records(request)
    return _envelope_b(records, _run(ctx, "dispatch", records, statemachine.dispatch))


@konnect_api("POST")
def qc_return(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    records = _records(request)
    return _envelope_b(records, _run(ctx, "return", records, statemachine.qc_accept))


def _envelope_a(ctx: Ctx, records: list[Record], errors: list[dict[str, Any]]) -> JsonResponse:
    return JsonResponse(
        ims_envelope(
            len(records),
            errors,
            ack_id=ctx.request_id,
            integration_id=ids.integration_id(ctx.auth.username),
            at=ctx.now,
        )
    )


@konnect_api("PUT")
def awb(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    records = _records(request, _awb_fields)
    return _envelope_a(ctx, records, _run(ctx, "awb", records, statemachine.awb))


@konnect_api("PUT")
def status(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    records = _records(request, _status_fields)
    return _envelope_a(ctx, records, _run(ctx, "status", records, statemachine.push_status))


# --- reads shaped as actions: courier details, PDFs, tracking -----------------------------------


def _lookup(
    ctx: Ctx, action: str, records: list[Record]
) -> list[tuple[Record, Shipment | None, dict[str, Any]]]:
    """Each record with its shipment, or with the error that refuses it."""
    codes = CODES[action]
    found = Shipment.objects.prefetch_related("items").in_bulk(
        [r["orderId"] for r in records], field_name="shipment_id"
    )
    out: list[tuple[Record, Shipment | None, dict[str, Any]]] = []
    for record in records:
        try:
            shipment = _in_scope(ctx, record["orderId"], found.get(record["orderId"]))
        except Refusal as refusal:
            error = {
                "orderId": record["orderId"],
                "code": codes[refusal.kind],
                "message": refusal.message,
            }
            out.append((record, None, error))
            continue
        out.append((record, shipment, {}))
    return out


@konnect_api("POST")
def courier_details(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    records = _records(request)
    result = []
    for record, shipment, error in _lookup(ctx, "courierDetails", records):
        if shipment is not None:
            result.append(courier_json(shipment))
        else:  # refused records stay in the array, with the code (C)
            result.append(
                {
                    "orderId": record["orderId"],
                    "courierName": "",
                    "courierCode": "",
                    "awbNumber": [],
                    "additionalInfo": "",
                    **error,
                }
            )
    return JsonResponse(result, safe=False)


def _document(shipment: Shipment) -> pdf.ShipmentDoc:
    location = reference().location_by_code.get(shipment.location_code, {})
    lines = tuple(
        pdf.Line(i.sku, i.name, i.size, i.quantity, i.mrp, i.esp)
        for i in shipment.items.all()
        if i.state not in statemachine.CANCELLED_STATES
    )
    return pdf.ShipmentDoc(
        shipment_id=shipment.shipment_id,
        order_id=shipment.order_id,
        channel=shipment.channel,
        order_date=shipment.order_date.astimezone(IST).strftime("%d %b %Y"),
        courier=shipment.courier_name,
        awb=shipment.awb_number,
        is_return=shipment.is_return,
        invoice_number=(
            shipment.credit_note_number if shipment.is_return else shipment.invoice_number
        )
        or "",
        ship_to=shipment.shipping_address,
        ship_from=location,
        lines=lines,
        shipping=shipment.shipping_charge,
    )


def _pdf_response(request: HttpRequest, ctx: Ctx, action: str) -> HttpResponse:
    records = _records(request)
    errors = []
    docs = []
    for index, (_record, shipment, error) in enumerate(_lookup(ctx, action, records)):
        if (
            shipment is not None
            and not shipment.is_return
            and (shipment.state not in statemachine.PACKED_OR_LATER)
        ):
            what = "label" if action == "labels" else "invoice"
            error = {
                "orderId": shipment.shipment_id,
                "code": CODES[action]["state"],
                "message": f"The {what} is available once the shipment is packed "
                f"(state is {shipment.state}).",
            }
        if error:
            errors.append({"field": f"[{index}].orderId", **error})
        elif shipment is not None:
            docs.append(_document(shipment))
    if errors:
        raise ApiError(400, "VALIDATION_FAILED", "Some shipments have no document yet.", errors)
    render = pdf.label_page if action == "labels" else pdf.invoice_page
    title = "Shipping labels" if action == "labels" else "Customer invoices"
    body = pdf.document([render(doc) for doc in docs], title)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{action}-{ctx.request_id[:8]}.pdf"'
    return response


@konnect_api("POST")
def labels(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    return _pdf_response(request, ctx, "labels")


@konnect_api("POST")
def customer_invoice(request: HttpRequest, ctx: Ctx) -> HttpResponse:
    return _pdf_response(request, ctx, "invoice")


@konnect_api("POST")
def track(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    body = json_body(request)
    if not isinstance(body, dict):
        raise invalid("The body must be a JSON object with shipment_id or awb_number.")
    shipment_id, awb_number = body.get("shipment_id"), body.get("awb_number")
    if shipment_id:
        shipment = Shipment.objects.filter(shipment_id=str(shipment_id)).first()
    elif awb_number:
        shipment = Shipment.objects.filter(awb_number=str(awb_number)).first()
    else:
        raise invalid("shipment_id or awb_number is required.", "shipment_id", "required")
    if shipment is None:
        raise not_found(f"No shipment for {shipment_id or awb_number}.")
    if not ctx.auth.covers(shipment.location_code):
        raise forbidden(f"Shipment {shipment.shipment_id} is not at this token's location.")
    events = list(shipment.events.all())
    return JsonResponse({"status": "success", "tracking": tracking_json(shipment, events)})
