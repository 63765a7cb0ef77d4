"""ims/v3/...: SKU listings and count, per-location price and inventory writes (contract 4).

Writes are applied synchronously. Per-record problems come back in `data.errors` with the
contract's codes, checked in this order: IMS404 unknown location, IMS403 location outside the
token's scope, IMS404 unknown SKU, IMS400 invalid value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse

from konnect_admin.sandbox import effects, ids
from konnect_admin.sandbox.api import Ctx, konnect_api
from konnect_admin.sandbox.models import Size, Stock
from konnect_admin.sandbox.reference import reference
from konnect_admin.sandbox.serializers import LISTING_COLUMNS, STOCK_COLUMNS, listing_json
from konnect_admin.sandbox.validation import is_integer, is_number
from konnect_admin.sandbox.wire import (
    ApiError,
    batch_limit,
    csv_param,
    ims_envelope,
    int_param,
    invalid,
    iso_ms,
    json_body,
)

IMS_BATCH_LIMIT = 500
LISTING_MAX_PAGE_SIZE = 500
LISTING_DEFAULT_PAGE_SIZE = 50
LISTING_MAX_SKUS = 10
PRICE_KEYS = ("location_id", "sku", "esp", "mrp", "currency")
INVENTORY_KEYS = ("location_id", "sku", "quantity")


def _meta(ctx: Ctx) -> dict[str, Any]:
    return {
        "ack_id": ctx.request_id,
        "integrationId": ids.integration_id(ctx.auth.username),
        "time": iso_ms(ctx.now),
        "status": "SUCCESS",
    }


@konnect_api("GET")
def listings(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    page_no = int_param(request, "page_no", 1, 1)
    page_size = int_param(request, "page_size", LISTING_DEFAULT_PAGE_SIZE, 1, LISTING_MAX_PAGE_SIZE)
    skus = csv_param(request, "skus")
    if len(skus) > LISTING_MAX_SKUS:
        raise invalid(f"skus takes at most {LISTING_MAX_SKUS} SKUs.", "skus", "max_items")
    rows = Size.objects.order_by("sku")
    if skus:
        rows = rows.filter(sku__in=skus)
    start = (page_no - 1) * page_size
    # Plain values, not model instances (no JSON decoding of product documents): fast pages.
    page = list(rows.values(*LISTING_COLUMNS)[start : start + page_size])
    stocks = Stock.objects.filter(size_id__in=[row["pk"] for row in page])
    if not ctx.auth.is_company:  # a location token sees its own location only
        stocks = stocks.filter(location_code=ctx.auth.location_code)
    by_size: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for stock in stocks.order_by("location_code").values(*STOCK_COLUMNS):
        by_size[stock["size_id"]].append(stock)
    data = [listing_json(row, by_size[row["pk"]]) for row in page]
    return JsonResponse({"data": data, "meta": _meta(ctx)})


@konnect_api("GET")
def listings_count(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    batch = request.headers.get("x-batch-product", "")
    if batch and batch.upper() not in ("TRUE", "FALSE"):
        raise invalid("x-batch-product must be TRUE or FALSE.", "x-batch-product", "enum")
    # The sandbox has no batch-tracked articles.
    count = 0 if batch.upper() == "TRUE" else Size.objects.count()
    return JsonResponse({"data": {"listing_count": count}, "meta": _meta(ctx)})


def _records(request: HttpRequest, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    body = json_body(request)
    if not isinstance(body, list):
        raise invalid("The body must be a JSON array of records.")
    if not body:
        raise invalid("The body must not be an empty array.")
    if len(body) > IMS_BATCH_LIMIT:
        raise batch_limit(IMS_BATCH_LIMIT, len(body))
    problems = []
    for index, record in enumerate(body):
        if not isinstance(record, dict):
            problems.append({"field": f"[{index}]", "code": "type", "message": "must be an object"})
            continue
        problems.extend(
            {"field": f"[{index}].{key}", "code": "required", "message": "is required"}
            for key in keys
            if record.get(key) is None
        )
    if problems:
        raise ApiError(400, "VALIDATION_FAILED", "Some records miss required fields.", problems)
    return body


def _write(
    request: HttpRequest,
    ctx: Ctx,
    keys: tuple[str, ...],
    operation: str,
    value_problem: Callable[[dict[str, Any]], str],
    apply: Callable[[Stock, dict[str, Any]], None],
    fields: tuple[str, ...],
) -> JsonResponse:
    records = _records(request, keys)
    locations = reference().location_by_code
    with transaction.atomic():
        sizes = Size.objects.in_bulk([str(r["sku"]) for r in records], field_name="sku")
        stocks = {
            (s.size_id, s.location_code): s
            for s in Stock.objects.filter(size__in=list(sizes.values()))
        }
        errors: list[dict[str, Any]] = []
        touched: dict[tuple[int, str], Stock] = {}
        applied_keys: list[str] = []
        for index, record in enumerate(records):
            sku, location = str(record["sku"]), str(record["location_id"])
            code, message = "", ""
            if location not in locations:
                code, message = "IMS404", f"Unknown location {location}."
            elif not ctx.auth.covers(location):
                code, message = "IMS403", f"Location {location} is outside this token's scope."
            elif sku not in sizes:
                code, message = "IMS404", f"Unknown SKU {sku}."
            elif problem := value_problem(record):
                code, message = "IMS400", problem
            if code:
                errors.append(
                    {
                        "index": index,
                        "sku": sku,
                        "location_id": location,
                        "code": code,
                        "message": message,
                    }
                )
                continue
            size = sizes[sku]
            key = (size.pk, location)
            stock = stocks.get(key) or Stock(size=size, location_code=location, quantity=0)
            stocks[key] = stock
            apply(stock, record)
            stock.modified_on = ctx.now
            touched[key] = stock
            applied_keys.append(f"{sku}@{location}")
        # One upsert writing only this operation's fields: a price write and a stock write
        # for the same SKU at the same moment must not undo each other (PostgreSQL runs them
        # side by side; rewriting every column lost one of them).
        Stock.objects.bulk_create(
            list(touched.values()),
            update_conflicts=True,
            unique_fields=["size", "location_code"],
            update_fields=[*fields, "modified_on"],
        )
        effects.record_many(operation, applied_keys, ctx.request_id, ctx.now)
    envelope = ims_envelope(
        len(records),
        errors,
        ack_id=ctx.request_id,
        integration_id=ids.integration_id(ctx.auth.username),
        at=ctx.now,
    )
    return JsonResponse(envelope)


def _price_problem(record: dict[str, Any]) -> str:
    esp, mrp = record["esp"], record["mrp"]
    if not is_number(esp) or not is_number(mrp):
        return "esp and mrp must be numbers."
    if esp < 0 or mrp < 0:
        return "esp and mrp must be >= 0."
    if esp > mrp:
        return f"esp {esp} is above mrp {mrp}."
    if record["currency"] != "INR":
        return f"Unknown currency {record['currency']!r}; the sandbox takes INR."
    return ""


def _price_apply(stock: Stock, record: dict[str, Any]) -> None:
    stock.mrp = Decimal(str(record["mrp"]))
    stock.esp = Decimal(str(record["esp"]))
    stock.currency = "INR"


def _quantity_problem(record: dict[str, Any]) -> str:
    quantity = record["quantity"]
    if not is_integer(quantity):
        return "quantity must be an integer."
    if quantity < 0:
        return "quantity must be >= 0 (negative stock is not supported)."
    return ""


def _quantity_apply(stock: Stock, record: dict[str, Any]) -> None:
    stock.quantity = record["quantity"]


@konnect_api("PUT")
def price(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    return _write(
        request, ctx, PRICE_KEYS, "price", _price_problem, _price_apply, ("mrp", "esp", "currency")
    )


@konnect_api("PUT")
def inventory(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    return _write(
        request, ctx, INVENTORY_KEYS, "inventory", _quantity_problem, _quantity_apply, ("quantity",)
    )
