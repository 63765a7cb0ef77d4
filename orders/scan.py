"""Scan-to-pack: verifying a shipment's items one scan at a time before it may be packed.

The state of a station lives in the user's session (the database), keyed by shipment, so a
page reload or a second tab shows the same counts and the server, not the browser, decides
when every item is verified.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from orders.models import Shipment

SESSION_KEY = "orders.scan"


@dataclass(frozen=True)
class Line:
    sku: str
    name: str
    size: str
    expected: int
    scanned: int

    @property
    def done(self) -> bool:
        return self.scanned >= self.expected


@dataclass(frozen=True)
class ScanResult:
    ok: bool
    message: str


def _expected(shipment: Shipment) -> dict[str, Line]:
    lines: dict[str, Line] = {}
    for item in shipment.items.all():
        if item.is_cancelled:
            continue
        key = item.sku.upper()
        known = lines.get(key)
        lines[key] = Line(
            item.sku,
            item.name,
            item.size,
            (known.expected if known else 0) + item.quantity,
            0,
        )
    return lines


def scan_state(session: MutableMapping[str, Any], shipment: Shipment) -> dict[str, Any]:
    """The station's state for `shipment` (a new shipment starts from zero)."""
    state = session.get(SESSION_KEY) or {}
    if state.get("shipment_id") != shipment.shipment_id:
        state = {"shipment_id": shipment.shipment_id, "counts": {}, "jobs": {}}
        session[SESSION_KEY] = state
    return dict(state)


def scan_lines(session: MutableMapping[str, Any], shipment: Shipment) -> list[Line]:
    counts = scan_state(session, shipment)["counts"]
    return [
        Line(line.sku, line.name, line.size, line.expected, int(counts.get(key, 0)))
        for key, line in _expected(shipment).items()
    ]


def all_verified(session: MutableMapping[str, Any], shipment: Shipment) -> bool:
    lines = scan_lines(session, shipment)
    return bool(lines) and all(line.done for line in lines)


def scan_item(session: MutableMapping[str, Any], shipment: Shipment, code: str) -> ScanResult:
    """Count one scanned SKU; wrong or extra items are refused and not counted."""
    key = code.strip().upper()
    expected = _expected(shipment)
    state = scan_state(session, shipment)
    counts: dict[str, int] = dict(state["counts"])
    if not key:
        return ScanResult(False, "Nothing was scanned. Scan the item's barcode.")
    line = expected.get(key)
    if line is None:
        return ScanResult(
            False,
            f"Wrong item: {code.strip()} is not in shipment {shipment.shipment_id}. Put it aside.",
        )
    have = int(counts.get(key, 0))
    if have >= line.expected:
        return ScanResult(
            False,
            f"Too many: all {line.expected} of {line.sku} are already scanned. Put this one back.",
        )
    counts[key] = have + 1
    state["counts"] = counts
    session[SESSION_KEY] = state
    remaining = sum(max(0, item.expected - int(counts.get(k, 0))) for k, item in expected.items())
    if remaining:
        return ScanResult(
            True,
            f"OK: {line.sku} ({have + 1} of {line.expected}). {remaining} item"
            f"{'s' if remaining != 1 else ''} left to scan.",
        )
    return ScanResult(True, f"OK: {line.sku}. All items verified: pack the shipment.")


def scan_reset(session: MutableMapping[str, Any], shipment: Shipment) -> None:
    session[SESSION_KEY] = {"shipment_id": shipment.shipment_id, "counts": {}, "jobs": {}}


def scan_remember_job(
    session: MutableMapping[str, Any], shipment: Shipment, name: str, job_id: int
) -> None:
    state = scan_state(session, shipment)
    state["jobs"] = {**state.get("jobs", {}), name: job_id}
    session[SESSION_KEY] = state


def scan_job_id(session: MutableMapping[str, Any], shipment: Shipment, name: str) -> int | None:
    value = scan_state(session, shipment).get("jobs", {}).get(name)
    return int(value) if value else None
