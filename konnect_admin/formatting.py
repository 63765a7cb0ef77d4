"""Seller-locale formatting: INR amounts with Indian digit grouping, times in the seller's zone."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone


def indian_grouping(digits: str) -> str:
    """'12345678' -> '1,23,45,678' (last three digits, then groups of two)."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail])


def format_inr(value: Any, *, symbol: bool = True, paise: bool = True) -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    quant = Decimal("0.01") if paise else Decimal("1")
    amount = amount.quantize(quant, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    text = indian_grouping(whole) + (f".{fraction}" if paise else "")
    return f"{sign}{'₹' if symbol else ''}{text}"


def format_when(value: datetime | None, *, seconds: bool = False) -> str:
    """'28 Nov 2026, 14:05 IST' in the seller's time zone."""
    if not isinstance(value, datetime):  # None, or "" from a missing template variable
        return "—"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    pattern = "%d %b %Y, %H:%M:%S" if seconds else "%d %b %Y, %H:%M"
    return f"{local.strftime(pattern)} {local.tzname() or ''}".strip()
