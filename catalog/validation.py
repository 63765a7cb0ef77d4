"""The rules Konnect documents for product writes, in one place for forms, uploads and payloads.

Sources: konnect-api-reference.txt (ProductInput / ProductUpdateInput / ProductDeleteInput).
Messages are written for merchandisers, not developers.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_MAX = 300
SHORT_DESCRIPTION_MAX = 50
DESCRIPTION_MAX = 5000
ITEM_TYPES = ("standard", "set", "composite", "digital")
TRADER_TYPES = ("Manufacturer", "Importer", "Packer", "Seller")
GTIN_TYPES = ("SKU", "EAN", "UPC", "ISBN", "GTIN", "ALU")
HS_CODE_RE = re.compile(r"^(\d{4}|\d{6}|\d{8})$")
COUNTRIES = (
    "India",
    "Bangladesh",
    "China",
    "Indonesia",
    "Italy",
    "Japan",
    "Nepal",
    "Portugal",
    "South Korea",
    "Sri Lanka",
    "Thailand",
    "Turkey",
    "United Kingdom",
    "United States",
    "Vietnam",
)

SLUG_MESSAGE = (
    "Use lower-case letters and digits, with single hyphens between words (e.g. linen-shirt-blue)."
)


def slug_error(value: str) -> str | None:
    if not value:
        return "Enter a slug."
    if not SLUG_RE.match(value):
        return SLUG_MESSAGE
    return None


def suggest_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:NAME_MAX]


def to_decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def attribute_value_error(definition: Any, value: Any) -> str | None:
    """Check one attribute value against its definition (type, allowed values, length)."""
    kind = definition.type
    values = list(definition.values or [])
    if value in (None, "", []):
        return f"{definition.name} is required for this category." if definition.required else None
    if kind == "enum" and str(value) not in values:
        return f"“{value}” is not one of the allowed values for {definition.name}."
    if kind == "multi-enum":
        bad = [v for v in (value if isinstance(value, list) else [value]) if str(v) not in values]
        if bad:
            return f"{', '.join(map(str, bad))} not allowed for {definition.name}."
    if kind == "str" and definition.max_length and len(str(value)) > definition.max_length:
        return f"{definition.name} can be at most {definition.max_length} characters."
    return None
