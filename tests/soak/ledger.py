"""The soak's verdict: the app's ledger (Job items) against the sandbox's effect ledger, retry
amplification from the calls the sandbox received, and the printed table.

Plain data in, plain data out (no Django), so tests/soak/test_compare.py proves quickly that a
lost write, a duplicated one and an untruthful status are each caught.

Definitions (the ones of the quality targets, section 1.3):
- lost: a write the app was asked for (an item that was not skipped) that the sandbox never
  applied, whatever the item says; `failed_items` tells how many of them the app at least
  reported as failed;
- duplicated: a write applied more often than it was asked for;
- untruthful: an item that says succeeded but was not applied, says failed but was applied, or
  says skipped but was sent; a finished Job whose status or counters do not match its items;
- unexpected: an effect of a compared operation on a key no item asked for.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# The sandbox effect operation each write Job kind produces (docs/sandbox.md, "effect ledger").
OPERATION_OF_KIND: dict[str, str] = {
    "product_bulk_create": "product.create",
    "product_create": "product.create",
    "inventory_update": "inventory",
    "price_update": "price",
    "shipment_confirm": "oms.confirm",
    "shipment_invoice": "oms.invoice",
    "shipment_pack": "oms.pack",
    "shipment_dispatch": "oms.dispatch",
}
# The Konnect write call behind each operation, as (method, path under /sandbox/).
WRITE_CALLS: dict[tuple[str, str], str] = {
    ("POST", "v3/catalog/product"): "product.create",
    ("PUT", "ims/v3/inventory"): "inventory",
    ("PUT", "ims/v3/price"): "price",
    ("POST", "oms/v3/shipment/confirm"): "oms.confirm",
    ("POST", "oms/v3/shipment/invoiceUpdate"): "oms.invoice",
    ("POST", "oms/v3/shipment/pack"): "oms.pack",
    ("POST", "oms/v3/shipment/dispatch"): "oms.dispatch",
}
# Records per Konnect call (konnect_admin/konnect/limits.py): the fewest calls a fault-free run
# needs is ceil(records / limit) per Job (per location for shipments).
BATCH_LIMIT: dict[str, int] = {
    "product.create": 100,
    "inventory": 500,
    "price": 500,
    "oms.confirm": 20,
    "oms.invoice": 20,
    "oms.pack": 20,
    "oms.dispatch": 20,
}
TERMINAL_JOB = frozenset({"succeeded", "partial", "failed", "cancelled"})
UNSETTLED_ITEM = frozenset({"pending", "sending"})
EXAMPLES = 5  # examples of each problem kept in the report


@dataclass(frozen=True)
class Item:
    """One JobItem of a write Job: which effect it asked for and what it says happened."""

    job: int
    operation: str
    key: str
    status: str
    group: str = ""  # the location (shipments), for the fewest-calls count


@dataclass(frozen=True)
class JobRow:
    id: int
    kind: str
    status: str
    done: int
    failed: int
    total: int
    message: str = ""


@dataclass(frozen=True)
class Call:
    """One HTTP request the sandbox received (counted before any fault is injected)."""

    at: float
    method: str
    path: str  # relative to /sandbox/
    records: int = 0


@dataclass
class Comparison:
    items: int = 0
    applied: int = 0
    lost: list[dict[str, Any]] = field(default_factory=list)
    duplicated: list[dict[str, Any]] = field(default_factory=list)
    untruthful_items: list[dict[str, Any]] = field(default_factory=list)
    unexpected: list[dict[str, Any]] = field(default_factory=list)
    non_terminal_jobs: list[dict[str, Any]] = field(default_factory=list)
    untruthful_jobs: list[dict[str, Any]] = field(default_factory=list)
    failed_items: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.untruthful_items
            or self.unexpected
            or self.non_terminal_jobs
            or self.untruthful_jobs
        )

    def summary(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "items": self.items,
            "applied": self.applied,
            "item_statuses": self.statuses,
            "lost": sum(int(x["count"]) for x in self.lost),
            "lost_reported_failed": self.failed_items,
            "duplicated": sum(int(x["extra"]) for x in self.duplicated),
            "untruthful_items": sum(int(x["count"]) for x in self.untruthful_items),
            "unexpected_effects": sum(int(x["effects"]) for x in self.unexpected),
            "non_terminal_jobs": len(self.non_terminal_jobs),
            "untruthful_jobs": len(self.untruthful_jobs),
            "examples": {
                name: rows[:EXAMPLES]
                for name, rows in (
                    ("lost", self.lost),
                    ("duplicated", self.duplicated),
                    ("untruthful_items", self.untruthful_items),
                    ("unexpected", self.unexpected),
                    ("non_terminal_jobs", self.non_terminal_jobs),
                    ("untruthful_jobs", self.untruthful_jobs),
                )
                if rows
            },
        }


def effect_counts(keys: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], int]:
    """The `keys` list of GET /sandbox/_control/api/effects?keys=1 as {(operation, key): n}."""
    return {(str(r["operation"]), str(r["key"])): int(r["count"]) for r in keys}


def compare(
    items: Sequence[Item],
    effects: Mapping[tuple[str, str], int],
    jobs: Sequence[JobRow],
) -> Comparison:
    """Check every item against the effects on its key, and every Job against its items.

    `jobs` may include Jobs without items here (syncs, upload checks): those are only required
    to be finished. Effects of other operations than the items' are ignored."""
    result = Comparison(items=len(items), statuses=dict(Counter(i.status for i in items)))
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        groups[(item.operation, item.key)].append(item)
    for (operation, key), members in groups.items():
        _check_key(result, operation, key, members, effects.get((operation, key), 0))
    operations = {operation for operation, _ in groups}
    for (operation, key), n in sorted(effects.items()):
        if operation in operations and (operation, key) not in groups and n:
            result.unexpected.append({"operation": operation, "key": key, "effects": n})
    by_job: dict[int, Counter[str]] = defaultdict(Counter)
    for item in items:
        by_job[item.job][item.status] += 1
    for job in jobs:
        _check_job(result, job, by_job.get(job.id))
    return result


def _check_key(
    result: Comparison, operation: str, key: str, members: list[Item], applied: int
) -> None:
    statuses = Counter(m.status for m in members)
    succeeded, failed, skipped = statuses["succeeded"], statuses["failed"], statuses["skipped"]
    asked = len(members) - skipped
    where = {"operation": operation, "key": key, "jobs": sorted({m.job for m in members})}
    result.applied += min(applied, asked)
    if applied < asked:
        result.lost.append({**where, "count": asked - applied, "statuses": dict(statuses)})
        result.failed_items += min(failed, asked - applied)
    if applied > asked:
        result.duplicated.append({**where, "extra": applied - asked, "effects": applied})
    if applied < succeeded:
        result.untruthful_items.append(
            {**where, "count": succeeded - applied, "why": "succeeded but never applied"}
        )
    if failed and applied > succeeded:
        result.untruthful_items.append(
            {**where, "count": min(failed, applied - succeeded), "why": "failed but applied"}
        )
    if skipped and applied > asked:
        result.untruthful_items.append(
            {**where, "count": min(skipped, applied - asked), "why": "skipped but applied"}
        )


def _check_job(result: Comparison, job: JobRow, statuses: Counter[str] | None) -> None:
    row = {"job": job.id, "kind": job.kind, "status": job.status, "message": job.message}
    if job.status not in TERMINAL_JOB:
        result.non_terminal_jobs.append(row)
        return
    if statuses is None:
        return  # not a write Job of the soak: finishing is all that is asked of it
    done = statuses["succeeded"] + statuses["skipped"]
    failed = statuses["failed"]
    unsettled = sum(statuses[s] for s in UNSETTLED_ITEM)
    if unsettled:
        result.untruthful_jobs.append({**row, "why": f"finished with {unsettled} unsettled items"})
        return
    if (job.done, job.failed) != (done, failed):
        result.untruthful_jobs.append(
            {
                **row,
                "why": f"counters {job.done} done/{job.failed} failed, items {done}/{failed}",
            }
        )
        return
    expected = "succeeded" if not failed else ("partial" if done else "failed")
    if job.status != expected:
        result.untruthful_jobs.append({**row, "why": f"items say {expected}"})


# --- amplification -------------------------------------------------------------------------


def fewest_calls(items: Sequence[Item]) -> dict[str, int]:
    """Write calls a fault-free run needs, per operation: ceil(records / limit) per Job and
    group (shipment batches hold one location each); skipped items are never sent."""
    counts: Counter[tuple[str, int, str]] = Counter(
        (i.operation, i.job, i.group) for i in items if i.status != "skipped"
    )
    fewest: Counter[str] = Counter()
    for (operation, _job, _group), n in counts.items():
        fewest[operation] += math.ceil(n / BATCH_LIMIT.get(operation, 1))
    return dict(fewest)


def amplification(calls: Iterable[Call], items: Sequence[Item]) -> dict[str, Any]:
    """Write calls the sandbox received per write a fault-free run would make (`call_ratio`),
    and records carried per logical record (`record_ratio`), per operation and in total."""
    sent: Counter[str] = Counter()
    records: Counter[str] = Counter()
    reads = 0
    for call in calls:
        operation = WRITE_CALLS.get((call.method, call.path))
        if operation is not None:
            sent[operation] += 1
            records[operation] += call.records
        elif call.method == "GET" and "token" not in call.path:
            reads += 1
    logical = Counter(i.operation for i in items if i.status != "skipped")
    fewest = fewest_calls(items)
    rows: dict[str, Any] = {}
    for operation in sorted(set(logical) | set(sent)):
        rows[operation] = _ratios(
            sent[operation], fewest.get(operation, 0), records[operation], logical[operation]
        )
    total = _ratios(
        sum(sent.values()), sum(fewest.values()), sum(records.values()), sum(logical.values())
    )
    return {"by_operation": rows, "total": total, "reads": reads}


def _ratios(calls: int, fewest: int, records: int, logical: int) -> dict[str, Any]:
    return {
        "write_calls": calls,
        "fewest_calls": fewest,
        "call_ratio": round(calls / fewest, 3) if fewest else None,
        "records_sent": records,
        "logical_records": logical,
        "record_ratio": round(records / logical, 3) if logical else None,
    }


# --- the printed table ---------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def report_table(report: Mapping[str, Any]) -> str:
    """A compact, human-readable table of a soak report (the JSON holds everything)."""
    check = report.get("comparison") or {}
    amp = (report.get("amplification") or {}).get("total") or {}
    lines = [
        f"Soak {report.get('broker')} broker, {report.get('database')} / {report.get('scale')}:"
        f" {'PASS' if report.get('ok') else 'FAIL'}",
        f"  {'work':<28}{_fmt(report.get('work'))}",
        f"  {'faults':<28}{_fmt(report.get('faults_summary'))}",
        f"  {'items / applied':<28}{_fmt(check.get('items'))} / {_fmt(check.get('applied'))}",
        f"  {'lost (reported failed)':<28}{_fmt(check.get('lost'))}"
        f" ({_fmt(check.get('lost_reported_failed'))})",
        f"  {'duplicated':<28}{_fmt(check.get('duplicated'))}",
        f"  {'unexpected effects':<28}{_fmt(check.get('unexpected_effects'))}",
        f"  {'untruthful items / jobs':<28}{_fmt(check.get('untruthful_items'))}"
        f" / {_fmt(check.get('untruthful_jobs'))}",
        f"  {'non-terminal jobs':<28}{_fmt(check.get('non_terminal_jobs'))}",
        f"  {'write calls / fewest':<28}{_fmt(amp.get('write_calls'))} /"
        f" {_fmt(amp.get('fewest_calls'))} = {_fmt(amp.get('call_ratio'))}",
        f"  {'records sent / logical':<28}{_fmt(amp.get('records_sent'))} /"
        f" {_fmt(amp.get('logical_records'))} = {_fmt(amp.get('record_ratio'))}",
    ]
    for operation, row in ((report.get("amplification") or {}).get("by_operation") or {}).items():
        lines.append(
            f"    {operation:<26}calls {_fmt(row['write_calls'])}/{_fmt(row['fewest_calls'])}"
            f" = {_fmt(row['call_ratio'])}, records {_fmt(row['record_ratio'])}"
        )
    for kill in report.get("kills") or []:
        what = (
            f"the pool took a task again after {_fmt(kill.get('recovery_s'))} s"
            if kill.get("idle")
            else f"{_fmt(kill['in_flight_items'])} items unsettled in"
            f" {kill['leased_jobs']} leased jobs, all settled after"
            f" {_fmt(kill.get('recovery_s'))} s (bound {_fmt(kill.get('bound_s'))} s)"
        )
        lines.append(f"  kill {kill['what']:<23}at {_fmt(kill['at_s'])} s: {what}")
    outage = report.get("outage") or {}
    if outage:
        lines += [
            f"  {'outage':<28}{_fmt(outage.get('seconds'))} s down during a"
            f" {_fmt(outage.get('rows'))}-row stock Job: {outage.get('job_status')},"
            f" lost {_fmt(outage.get('lost'))}, duplicated {_fmt(outage.get('duplicated'))}",
            f"  {'':<28}waiting on the breaker after {_fmt(outage.get('waiting_after_s'))} s;"
            f" {_fmt(outage.get('konnect_calls_while_down'))} calls reached Konnect while down",
            f"  {'':<28}after restore: resumed {_fmt(outage.get('resumed_after_restore_s'))} s,"
            f" finished {_fmt(outage.get('finished_after_restore_s'))} s (breaker pause"
            f" {_fmt(outage.get('breaker_open_seconds'))} s)",
        ]
    lines.append(
        f"  {'wall time':<28}{_fmt(report.get('wall_seconds'))} s"
        f" (main phase {_fmt(report.get('main_seconds'))} s)"
    )
    for problem in report.get("problems") or []:
        lines.append(f"  PROBLEM: {problem}")
    return "\n".join(lines)
