"""The effect ledger: one row per applied record of every write (see models.Effect).

Operations: product.create / product.update / product.delete (key item_code), size.delete
(key SKU), price / inventory (key "SKU@LOCATION"), oms.<action> (key shipment id, plus
":<detail>" where one shipment legitimately takes the action more than once, e.g. status
pushes and partial cancellations).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Count

from konnect_admin.sandbox.models import Effect


def record(operation: str, key: str, request_id: str, at: datetime) -> None:
    Effect.objects.create(operation=operation, key=key, request_id=request_id, at=at)


def record_many(operation: str, keys: Iterable[str], request_id: str, at: datetime) -> None:
    Effect.objects.bulk_create(
        Effect(operation=operation, key=key, request_id=request_id, at=at) for key in keys
    )


def summary(operation: str | None = None, with_keys: bool = False) -> dict[str, Any]:
    """Counts per operation, the (operation, key) pairs applied more than once, and on request
    every key with its count (for a soak run to compare with its own ledger)."""
    rows = Effect.objects.all()
    if operation:
        rows = rows.filter(operation=operation)
    per_key = list(
        rows.values("operation", "key").annotate(count=Count("id")).order_by("operation", "key")
    )
    by_operation: dict[str, dict[str, int]] = {}
    for row in per_key:
        entry = by_operation.setdefault(row["operation"], {"effects": 0, "keys": 0})
        entry["effects"] += row["count"]
        entry["keys"] += 1
    result: dict[str, Any] = {
        "total": sum(e["effects"] for e in by_operation.values()),
        "by_operation": by_operation,
        "duplicated": [r for r in per_key if r["count"] > 1],
    }
    if with_keys:
        result["keys"] = per_key
    return result
