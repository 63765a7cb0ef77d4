"""v3/catalog/...: reference reads from memory, products from the database, writes as traces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse

from konnect_admin.sandbox import catalog_writes
from konnect_admin.sandbox.api import Ctx, konnect_api
from konnect_admin.sandbox.models import Product, Size
from konnect_admin.sandbox.reference import Item, reference
from konnect_admin.sandbox.serializers import PRODUCT_COLUMNS, product_json
from konnect_admin.sandbox.wire import (
    bool_param,
    catalog_page,
    csv_param,
    enum_param,
    int_param,
    invalid,
    json_body,
    not_found,
)

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 10


def _page(request: HttpRequest) -> tuple[int, int]:
    number = int_param(request, "page_number", 1, 1)
    size = int_param(request, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    return number, size


def _paged(request: HttpRequest, items: list[Item]) -> JsonResponse:
    number, size = _page(request)
    start = (number - 1) * size
    return JsonResponse(catalog_page(items[start : start + size], number, size, len(items)))


def _contains(needle: str) -> Callable[[str], bool]:
    lowered = needle.lower()
    return lambda text: lowered in text.lower()


@konnect_api("GET")
def departments(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    items = reference().departments
    if name := request.GET.get("name"):
        match = _contains(name)
        items = [d for d in items if match(d["name"])]
    if slug := request.GET.get("slug"):
        items = [d for d in items if d["slug"] == slug]
    active = bool_param(request, "is_active")
    if active is not None:
        items = [d for d in items if d["is_active"] is active]
    return _paged(request, items)


@konnect_api("GET")
def categories(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    items = reference().categories
    if slug := request.GET.get("slug"):
        items = [c for c in items if c["slug"] == slug]
    level = enum_param(request, "level", ("1", "2", "3"))
    if level:
        items = [c for c in items if c["level"] == int(level)]
    if request.GET.get("department"):
        department = int_param(request, "department", 0, 0)
        items = [c for c in items if department in c["department_uids"]]
    wanted = csv_param(request, "cat3_id")
    if wanted:
        if not all(w.isdigit() for w in wanted):
            raise invalid("cat3_id must be comma-separated integers.", "cat3_id", "type")
        uids = {int(w) for w in wanted}
        items = [c for c in items if c["uid"] in uids]
    return _paged(request, items)


@konnect_api("GET")
def brands(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    items = reference().brands
    if name := request.GET.get("brand_name"):
        match = _contains(name)
        items = [b for b in items if match(b["name"])]
    return _paged(request, items)


@konnect_api("GET")
def templates(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    items = reference().templates
    if department := request.GET.get("department"):
        items = [t for t in items if department in t["departments"]]
    return _paged(request, items)


@konnect_api("GET")
def product_attributes(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    name = request.GET.get("category", "")
    if not name:
        raise invalid("category is required (an L3 category name).", "category", "required")
    ref = reference()
    if name not in ref.l3_by_name:
        raise not_found(f"{name!r} is not an L3 category name (names are case-sensitive).")
    return JsonResponse({"items": ref.attributes_of(name)})


@konnect_api("GET")
def hs_codes(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    items = reference().hs_codes
    kind = enum_param(request, "type", ("HS", "SAC"))
    if kind:
        items = [h for h in items if h["type"] == kind]
    if search := request.GET.get("search", "").strip():
        match = _contains(search)
        items = [h for h in items if h["hs_code"].startswith(search) or match(h["description"])]
    return _paged(request, items)


@konnect_api("GET")
def tax_rules(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    items = reference().tax_rules
    if status := request.GET.get("status"):
        items = [t for t in items if t["status"] == status.upper()]
    if version := request.GET.get("version_status"):
        items = [t for t in items if t["version_status"] == version.upper()]
    if name := request.GET.get("rule_name"):
        match = _contains(name)
        items = [t for t in items if match(t["name"])]
    return _paged(request, items)


@konnect_api("GET", "POST", "PUT", "DELETE")
def products(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    if request.method == "GET":
        return _products_list(request)
    operation = {"POST": "create", "PUT": "update", "DELETE": "delete"}[str(request.method)]
    body = json_body(request)
    with transaction.atomic():
        result = catalog_writes.submit(operation, body, ctx.request_id, ctx.now)
    return JsonResponse(result)


def _products_list(request: HttpRequest) -> JsonResponse:
    number, size = _page(request)
    sort_on = enum_param(request, "sort_on", ("modified_on", "created")) or "modified_on"
    rows = Product.objects.all()
    if name := request.GET.get("name"):
        rows = rows.filter(name__icontains=name)
    if slug := request.GET.get("slug"):
        rows = rows.filter(slug=slug)
    codes = csv_param(request, "item_code")
    if codes:
        rows = rows.filter(item_code__in=codes)
    order = ("-modified_on", "-uid") if sort_on == "modified_on" else ("created_on", "uid")
    total = rows.count()
    start = (number - 1) * size
    # Plain values, not model instances: a 200-product page stays well under 20 ms.
    page = list(rows.order_by(*order).values(*PRODUCT_COLUMNS)[start : start + size])
    sizes: dict[int, list[dict[str, Any]]] = {row["pk"]: [] for row in page}
    for product_id, data in (
        Size.objects.filter(product_id__in=list(sizes))
        .order_by("product_id", "position", "id")
        .values_list("product_id", "data")
    ):
        sizes[product_id].append(data)
    items = [product_json(row, sizes[row["pk"]]) for row in page]
    return JsonResponse(catalog_page(items, number, size, total))


@konnect_api("GET")
def status(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    trace_id = request.GET.get("trace_id", "")
    if not trace_id:
        raise invalid("trace_id is required.", "trace_id", "required")
    return JsonResponse(catalog_writes.status_body(trace_id))
