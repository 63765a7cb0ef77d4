"""Konnect product payloads: built from validated form data, and mapped back onto the form.

`product_input()` produces exactly the ProductInput (create) or ProductUpdateInput (update) of
the reference, so what the preview shows is what is sent. `form_location()` turns the field
path of a Konnect per-record error ("sizes[1].price", "attributes.gender") into the form field
or size row it concerns.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from catalog.forms import ATTR_PREFIX
from catalog.models import Product

SIZE_NUMBERS = ("item_length", "item_width", "item_height", "item_weight")


def _number(value: Any) -> Any:
    """Decimals as JSON numbers: ints stay ints, other values keep their cents."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _attribute_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value]
    return _number(value)


def size_input(size: dict[str, Any]) -> dict[str, Any]:
    sku = size["primary_identifier"]
    identifiers = [{"gtin_value": sku, "gtin_type": "SKU", "primary": True}]
    if size.get("gtin_type") and size.get("gtin_value"):
        identifiers.append(
            {"gtin_value": size["gtin_value"], "gtin_type": size["gtin_type"], "primary": False}
        )
    out: dict[str, Any] = {
        "primary_identifier": sku,
        "size": size["size"],
        "price": _number(size["price"]),
        "price_effective": _number(size["price_effective"]),
    }
    for key in SIZE_NUMBERS:
        if size.get(key) is not None:
            out[key] = _number(size[key])
    out["track_inventory"] = bool(size.get("track_inventory"))
    out["identifiers"] = identifiers
    return out


def product_input(
    *,
    data: dict[str, Any],
    sizes: list[dict[str, Any]],
    traders: list[dict[str, Any]],
    mode: str = "create",
    attribute_slugs: list[str] | None = None,
) -> dict[str, Any]:
    """One product of the `products` array, from cleaned form data."""
    attributes = {
        key[len(ATTR_PREFIX) :]: _attribute_value(value)
        for key, value in data.items()
        if key.startswith(ATTR_PREFIX)
        and value not in (None, "", [])
        and (attribute_slugs is None or key[len(ATTR_PREFIX) :] in attribute_slugs)
    }
    product: dict[str, Any] = {
        "item_type": data.get("item_type") or "standard",
        "name": data["name"],
        "slug": data["slug"],
        "departments": [str(data["department"])],
        "category": data["category_name"],
        "brand": data["brand"],
        "item_code": data["item_code"],
        "country_of_origin": data["country_of_origin"],
        "tax_identifier": {"tax_rule_id": data["tax_rule"]},
        "hs_code": data["hs_code"],
        "sizes": [size_input(s) for s in sizes],
        "trader": [
            {"type": t["type"], "name": t["name"], "address": _lines(t["address"])} for t in traders
        ],
        "attributes": attributes,
        "is_dependent": bool(data.get("is_dependent")),
    }
    optional: dict[str, Any] = {
        "short_description": data.get("short_description") or None,
        "description": data.get("description") or None,
        "highlights": _lines(data.get("highlights") or "") or None,
        "tags": [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()] or None,
        "media": [{"url": u, "type": "image"} for u in _lines(data.get("media") or "")] or None,
        "no_of_boxes": data.get("no_of_boxes"),
    }
    if data.get("net_quantity_value") is not None and data.get("net_quantity_unit"):
        optional["net_quantity"] = {
            "unit": data["net_quantity_unit"],
            "value": _number(data["net_quantity_value"]),
        }
    if data.get("returnable"):
        optional["return_config"] = {
            "returnable": data["returnable"],
            "time": data.get("return_days") or 0,
            "unit": "days",
        }
    product.update({k: v for k, v in optional.items() if v is not None})
    if mode == "update":
        # ProductUpdateInput: is_dependent is "Yes"/"No"; slug, brand and item code identify the
        # product and must not change (the form locks them).
        product["is_dependent"] = "Yes" if data.get("is_dependent") else "No"
    return product


def delete_input(product: Product, *, skus: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": product.name,
        "slug": product.slug,
        "brand": product.brand,
        "brand_uid": str(product.brand_uid or ""),
        "item_code": product.item_code,
    }
    if skus:
        sizes = {s.sku: s for s in product.sizes.all()}
        body["sizes"] = [
            {
                "primary_identifier": sku,
                "size": sizes[sku].size if sku in sizes else "",
                "identifiers": [{"gtin_value": sku, "gtin_type": "SKU", "primary": True}],
            }
            for sku in skus
        ]
    return body


_SIZE_PATH = re.compile(r"^sizes\[(\d+)\]\.?(\w*)")
_TRADER_PATH = re.compile(r"^trader\[(\d+)\]\.?(\w*)")
_FIELD_ALIASES = {
    "tax_identifier.tax_rule_id": "tax_rule",
    "tax_identifier": "tax_rule",
    "departments": "department",
    "net_quantity": "net_quantity_value",
    "return_config": "returnable",
}


def form_location(path: str) -> tuple[str, int | None, str]:
    """('form'|'sizes'|'traders', row index or None, field name) for a Konnect error path."""
    path = (path or "").strip()
    if path.startswith("products[") and "]." in path:
        path = path.split("].", 1)[1]
    if m := _SIZE_PATH.match(path):
        field = m.group(2) or "primary_identifier"
        return "sizes", int(m.group(1)), field
    if m := _TRADER_PATH.match(path):
        return "traders", int(m.group(1)), m.group(2) or "name"
    if path.startswith("attributes."):
        return "form", None, ATTR_PREFIX + path.split(".", 1)[1]
    base = _FIELD_ALIASES.get(path) or _FIELD_ALIASES.get(path.split(".")[0]) or path.split(".")[0]
    return "form", None, base or "__all__"


def initial_from_product(product: Product) -> dict[str, Any]:
    """Form initial data from a cached product (for the update form)."""
    data = product.data or {}
    initial: dict[str, Any] = {
        "template": product.template,
        "department": (data.get("departments") or [""])[0],
        "category": product.category.uid if product.category else "",
        "brand": product.brand,
        "name": product.name,
        "slug": product.slug,
        "item_code": product.item_code,
        "item_type": data.get("item_type") or "standard",
        "country_of_origin": data.get("country_of_origin") or "India",
        "hs_code": product.hs_code,
        "tax_rule": product.tax_rule_id,
        "short_description": data.get("short_description", ""),
        "description": data.get("description", ""),
        "highlights": "\n".join(data.get("highlights") or []),
        "tags": ", ".join(data.get("tags") or []),
        "media": "\n".join(m.get("url", "") for m in data.get("media") or []),
        "no_of_boxes": data.get("no_of_boxes"),
        "is_dependent": data.get("is_dependent") in (True, "Yes"),
    }
    if data.get("net_quantity"):
        initial["net_quantity_value"] = data["net_quantity"].get("value")
        initial["net_quantity_unit"] = data["net_quantity"].get("unit")
    if data.get("return_config"):
        initial["returnable"] = data["return_config"].get("returnable", "Yes")
        initial["return_days"] = data["return_config"].get("time")
    for slug, value in (data.get("attributes") or {}).items():
        initial[ATTR_PREFIX + slug] = (
            "true" if value is True else "false" if value is False else value
        )
    return initial


def traders_initial(product: Product) -> list[dict[str, Any]]:
    return [
        {"type": t.get("type"), "name": t.get("name"), "address": "\n".join(t.get("address") or [])}
        for t in (product.data or {}).get("trader") or []
    ]
