"""Record-level schema checks of the catalog writes, done synchronously at submit (contract
3a): required fields, types, lengths, enums, the slug pattern, numbers >= 0, non-empty arrays.

A record that fails here is counted in the write's `failed` and never reaches the trace. The
reference checks (does the category exist, are the mandatory attributes there...) happen when
the trace is processed, in catalog_writes.py, as on Konnect.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HS_CODE_PATTERN = re.compile(r"^\d{4}(?:\d{2}){0,2}$")  # 4, 6 or 8 digits (update schema)
ITEM_TYPES = ("standard", "set", "composite", "digital")
TRADER_TYPES = ("Manufacturer", "Importer", "Packer", "Seller")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)

Errors = list[dict[str, str]]


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Checker:
    """Collects {"field", "message"} errors for one record; paths are relative to it."""

    def __init__(self) -> None:
        self.errors: Errors = []

    def add(self, field: str, message: str) -> None:
        self.errors.append({"field": field, "message": message})

    def _present(self, obj: Mapping[str, Any], key: str, path: str, required: bool) -> bool:
        if key not in obj or obj[key] is None:
            if required:
                self.add(path, "is required")
            return False
        return True

    def string(
        self,
        obj: Mapping[str, Any],
        key: str,
        prefix: str = "",
        *,
        required: bool = False,
        min_length: int = 0,
        max_length: int | None = None,
        pattern: re.Pattern[str] | None = None,
        enum: tuple[str, ...] | None = None,
    ) -> None:
        path = prefix + key
        if not self._present(obj, key, path, required):
            return
        value = obj[key]
        if not isinstance(value, str):
            self.add(path, "must be a string")
            return
        if required and min_length == 0 and not value.strip():
            self.add(path, "must not be empty")
        elif len(value) < min_length:
            self.add(path, f"must have at least {min_length} character(s)")
        if max_length is not None and len(value) > max_length:
            self.add(path, f"must have at most {max_length} characters (has {len(value)})")
        if pattern is not None and value and not pattern.match(value):
            self.add(path, f"must match {pattern.pattern}")
        if enum is not None and value not in enum:
            self.add(path, f"must be one of {', '.join(enum)}")

    def number(
        self, obj: Mapping[str, Any], key: str, prefix: str = "", *, required: bool = False
    ) -> None:
        path = prefix + key
        if not self._present(obj, key, path, required):
            return
        if not is_number(obj[key]):
            self.add(path, "must be a number")
        elif obj[key] < 0:
            self.add(path, "must be >= 0")

    def integer(
        self, obj: Mapping[str, Any], key: str, prefix: str = "", *, required: bool = False
    ) -> None:
        path = prefix + key
        if not self._present(obj, key, path, required):
            return
        if not is_integer(obj[key]):
            self.add(path, "must be an integer")
        elif obj[key] < 0:
            self.add(path, "must be >= 0")

    def boolean(
        self, obj: Mapping[str, Any], key: str, prefix: str = "", *, required: bool = False
    ) -> None:
        path = prefix + key
        if self._present(obj, key, path, required) and not isinstance(obj[key], bool):
            self.add(path, "must be true or false")

    def date_time(self, obj: Mapping[str, Any], key: str, prefix: str = "") -> None:
        path = prefix + key
        if not self._present(obj, key, path, False):
            return
        value = obj[key]
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.add(path, "must be an ISO-8601 date-time")

    def array(
        self,
        obj: Mapping[str, Any],
        key: str,
        prefix: str = "",
        *,
        required: bool = False,
        non_empty: bool = False,
        each: Callable[[Any, str], None] | None = None,
    ) -> None:
        path = prefix + key
        if not self._present(obj, key, path, required):
            return
        value = obj[key]
        if not isinstance(value, list):
            self.add(path, "must be an array")
            return
        if non_empty and not value:
            self.add(path, "must not be empty")
        if each is not None:
            for index, element in enumerate(value):
                each(element, f"{path}[{index}]")

    def obj(
        self,
        obj: Mapping[str, Any],
        key: str,
        prefix: str = "",
        *,
        required: bool = False,
        inner: Callable[[Mapping[str, Any], str], None] | None = None,
    ) -> None:
        path = prefix + key
        if not self._present(obj, key, path, required):
            return
        value = obj[key]
        if not isinstance(value, dict):
            self.add(path, "must be an object")
            return
        if inner is not None:
            inner(value, path + ".")

    # element checkers, for `array(each=...)`

    def each_string(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            self.add(path, "must be a string")

    def each_department(self, value: Any, path: str) -> None:
        # Documented as strings (department UIDs); integers are accepted too (C).
        if is_integer(value) or (isinstance(value, str) and value.strip().isdigit()):
            return
        self.add(path, "must be a department UID")

    def each_object(
        self, inner: Callable[[Mapping[str, Any], str], None]
    ) -> Callable[[Any, str], None]:
        def check(value: Any, path: str) -> None:
            if not isinstance(value, dict):
                self.add(path, "must be an object")
                return
            inner(value, path + ".")

        return check


# --- the three record schemas ---------------------------------------------------------------


def _size(c: Checker, *, require_prices: bool) -> Callable[[Mapping[str, Any], str], None]:
    def check(size: Mapping[str, Any], p: str) -> None:
        c.string(size, "primary_identifier", p, required=True)
        c.string(size, "size", p, required=True)
        c.number(size, "price", p, required=require_prices)
        c.number(size, "price_effective", p, required=require_prices)
        for key in ("item_length", "item_width", "item_height", "item_weight"):
            c.number(size, key, p)
        c.boolean(size, "track_inventory", p)
        c.array(size, "identifiers", p, each=c.each_object(_identifier(c)))

    return check


def _identifier(c: Checker) -> Callable[[Mapping[str, Any], str], None]:
    def check(ident: Mapping[str, Any], p: str) -> None:
        c.string(ident, "gtin_value", p, required=True)
        c.string(ident, "gtin_type", p)
        c.boolean(ident, "primary", p)

    return check


def _trader(c: Checker) -> Callable[[Mapping[str, Any], str], None]:
    def check(trader: Mapping[str, Any], p: str) -> None:
        c.string(trader, "type", p, required=True, enum=TRADER_TYPES)
        c.string(trader, "name", p, required=True)
        c.array(trader, "address", p, required=True, each=c.each_string)

    return check


def _media(c: Checker) -> Callable[[Mapping[str, Any], str], None]:
    def check(media: Mapping[str, Any], p: str) -> None:
        c.string(media, "url", p, required=True, pattern=URL_PATTERN)
        c.string(media, "type", p)

    return check


def _common_optional(c: Checker, rec: Mapping[str, Any]) -> None:
    """Fields with the same rules in create and update."""

    def net_quantity(obj: Mapping[str, Any], p: str) -> None:
        c.string(obj, "unit", p)
        c.number(obj, "value", p)

    def publish(obj: Mapping[str, Any], p: str) -> None:
        c.date_time(obj, "product_online_date", p)
        c.boolean(obj, "is_set", p)

    def return_config(obj: Mapping[str, Any], p: str) -> None:
        c.string(obj, "returnable", p)
        c.integer(obj, "time", p)
        c.string(obj, "unit", p)

    def custom_order(obj: Mapping[str, Any], p: str) -> None:
        c.string(obj, "is_custom_order", p)
        c.integer(obj, "manufacturing_time", p)
        c.string(obj, "manufacturing_time_unit", p)

    c.obj(rec, "net_quantity", inner=net_quantity)
    c.integer(rec, "no_of_boxes")
    c.array(rec, "media", each=c.each_object(_media(c)))
    c.string(rec, "short_description", max_length=50)
    c.string(rec, "description", max_length=5000)
    c.array(rec, "highlights", each=c.each_string)
    c.obj(rec, "product_publish", inner=publish)
    c.array(rec, "tags", each=c.each_string)
    c.obj(rec, "return_config", inner=return_config)
    c.obj(rec, "custom_order", inner=custom_order)


def _tax_identifier(c: Checker) -> Callable[[Mapping[str, Any], str], None]:
    def check(obj: Mapping[str, Any], p: str) -> None:
        c.string(obj, "tax_rule_id", p, required=True)

    return check


def _duplicate_skus(c: Checker, rec: Mapping[str, Any]) -> None:
    sizes = rec.get("sizes")
    if not isinstance(sizes, list):
        return
    seen: set[str] = set()
    for index, size in enumerate(sizes):
        sku = size.get("primary_identifier") if isinstance(size, dict) else None
        if isinstance(sku, str):
            if sku in seen:
                c.add(f"sizes[{index}].primary_identifier", f"{sku} appears twice")
            seen.add(sku)


def product_create_errors(rec: Mapping[str, Any]) -> Errors:
    c = Checker()
    c.string(rec, "item_type", enum=ITEM_TYPES)
    c.string(rec, "name", required=True, min_length=1, max_length=300)
    c.string(rec, "slug", required=True, pattern=SLUG_PATTERN)
    c.array(rec, "departments", required=True, non_empty=True, each=c.each_department)
    c.string(rec, "category", required=True)
    c.string(rec, "brand", required=True)
    c.string(rec, "item_code", required=True)
    c.string(rec, "country_of_origin", required=True)
    c.obj(rec, "tax_identifier", required=True, inner=_tax_identifier(c))
    c.string(rec, "hs_code", required=True)
    c.array(
        rec,
        "sizes",
        required=True,
        non_empty=True,
        each=c.each_object(_size(c, require_prices=True)),
    )
    c.array(rec, "trader", required=True, each=c.each_object(_trader(c)))
    c.obj(rec, "attributes", required=True)
    c.boolean(rec, "is_dependent", required=True)
    _common_optional(c, rec)
    _duplicate_skus(c, rec)
    return c.errors


def product_update_errors(rec: Mapping[str, Any]) -> Errors:
    c = Checker()
    c.string(rec, "item_code", required=True)  # identifies the product (C)
    c.string(rec, "item_type", required=True, enum=ITEM_TYPES)
    c.string(rec, "name", required=True, min_length=1, max_length=300)
    c.array(rec, "departments", required=True, non_empty=True, each=c.each_department)
    c.string(rec, "category", required=True)
    c.string(rec, "country_of_origin", required=True)
    c.obj(rec, "tax_identifier", required=True, inner=_tax_identifier(c))
    c.string(rec, "hs_code", required=True, pattern=HS_CODE_PATTERN)
    c.array(
        rec,
        "sizes",
        required=True,
        non_empty=True,
        each=c.each_object(_size(c, require_prices=True)),
    )
    c.array(rec, "trader", each=c.each_object(_trader(c)))
    c.obj(rec, "attributes")
    c.string(rec, "is_dependent", enum=("Yes", "No"))
    c.string(rec, "slug", pattern=SLUG_PATTERN)  # immutable; checked against the product later
    c.string(rec, "brand")
    _common_optional(c, rec)
    _duplicate_skus(c, rec)
    return c.errors


def product_delete_errors(rec: Mapping[str, Any]) -> Errors:
    c = Checker()
    for key in ("name", "slug", "brand", "item_code"):
        c.string(rec, key, required=True)
    if rec.get("brand_uid") is None:
        c.add("brand_uid", "is required")
    elif not (is_integer(rec["brand_uid"]) or isinstance(rec["brand_uid"], str)):
        c.add("brand_uid", "must be a string")  # integers accepted too (C)

    def size(obj: Mapping[str, Any], p: str) -> None:
        c.string(obj, "primary_identifier", p, required=True)
        c.string(obj, "size", p)
        c.array(obj, "identifiers", p, each=c.each_object(_identifier(c)))

    c.array(rec, "sizes", non_empty=True, each=c.each_object(size))
    return c.errors


# --- attribute values (checked while a trace is processed) -----------------------------------


def attribute_errors(attributes: Mapping[str, Any], spec: list[dict[str, Any]]) -> Errors:
    """Mandatory attributes present; every known attribute valid for its type and values."""
    c = Checker()
    for attr in spec:
        slug = attr["slug"]
        path = f"attributes.{slug}"
        value = attributes.get(slug)
        if value is None or value == "" or value == []:
            if attr["required"]:
                c.add(path, f"{attr['name']} is mandatory for this category")
            continue
        problem = _attribute_problem(attr, value)
        if problem:
            c.add(path, problem)
    return c.errors


def _attribute_problem(attr: Mapping[str, Any], value: Any) -> str:
    kind = attr["type"]
    if kind in ("str", "html"):
        if not isinstance(value, str):
            return "must be a string"
        limit = attr.get("max_length")
        if limit and len(value) > limit:
            return f"must have at most {limit} characters"
    elif kind == "int":
        if not is_integer(value):
            return "must be an integer"
    elif kind == "float":
        if not is_number(value):
            return "must be a number"
    elif kind == "bool":
        if not isinstance(value, bool):
            return "must be true or false"
    elif kind == "enum":
        if value not in attr["values"]:
            return f"{value!r} is not one of the allowed values"
    elif kind == "multi-enum":
        if not isinstance(value, list) or not all(v in attr["values"] for v in value):
            return "must be a list of allowed values"
    elif kind == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return "must be a date (YYYY-MM-DD)"
    elif kind == "url" and not (isinstance(value, str) and URL_PATTERN.match(value)):
        return "must be an http(s) URL"
    return ""
