"""The soak's verdict catches what it is there to catch (fast: plain data, no processes)."""

from __future__ import annotations

from typing import Any

from tests.soak import ledger
from tests.soak.ledger import Call, Item, JobRow


def _job(job_id: int = 1, status: str = "succeeded", done: int = 3, failed: int = 0) -> JobRow:
    return JobRow(job_id, "inventory_update", status, done, failed, done + failed)


def _items(*statuses: str, job: int = 1) -> list[Item]:
    return [Item(job, "inventory", f"SKU-{n}@BLR", s) for n, s in enumerate(statuses)]


def _effects(*counts: int) -> dict[tuple[str, str], int]:
    return {("inventory", f"SKU-{n}@BLR"): c for n, c in enumerate(counts) if c}


def test_a_clean_run_passes() -> None:
    result = ledger.compare(
        _items("succeeded", "succeeded", "skipped"), _effects(1, 1, 0), [_job()]
    )
    summary = result.summary()
    assert result.ok, summary
    assert summary["lost"] == summary["duplicated"] == summary["untruthful_items"] == 0
    assert summary["applied"] == 2


def test_a_lost_write_is_caught_even_when_the_item_says_it_succeeded() -> None:
    result = ledger.compare(
        _items("succeeded", "succeeded", "succeeded"), _effects(1, 0, 1), [_job()]
    )
    summary = result.summary()
    assert not result.ok
    assert summary["lost"] == 1
    assert result.lost[0]["key"] == "SKU-1@BLR"
    assert summary["untruthful_items"] == 1  # it claims success


def test_a_write_reported_failed_and_never_applied_is_lost_but_truthful() -> None:
    items = _items("succeeded", "failed")
    result = ledger.compare(items, _effects(1, 0), [_job(status="partial", done=1, failed=1)])
    summary = result.summary()
    assert summary["lost"] == 1 and summary["lost_reported_failed"] == 1
    assert summary["untruthful_items"] == 0 and summary["untruthful_jobs"] == 0
    assert not result.ok


def test_a_duplicated_write_is_caught() -> None:
    result = ledger.compare(
        _items("succeeded", "succeeded", "succeeded"), _effects(1, 2, 1), [_job()]
    )
    summary = result.summary()
    assert not result.ok
    assert summary["duplicated"] == 1 and summary["lost"] == 0
    assert result.duplicated[0] == {
        "operation": "inventory",
        "key": "SKU-1@BLR",
        "jobs": [1],
        "extra": 1,
        "effects": 2,
    }


def test_an_item_reported_failed_that_was_applied_is_untruthful() -> None:
    items = _items("succeeded", "failed")
    result = ledger.compare(items, _effects(1, 1), [_job(status="partial", done=1, failed=1)])
    assert not result.ok
    assert result.untruthful_items[0]["why"] == "failed but applied"


def test_an_effect_nobody_asked_for_is_caught() -> None:
    effects = {**_effects(1), ("inventory", "STRAY@BLR"): 1, ("oms.pack", "S1"): 1}
    result = ledger.compare(_items("succeeded"), effects, [_job(done=1)])
    assert not result.ok
    assert result.unexpected == [{"operation": "inventory", "key": "STRAY@BLR", "effects": 1}]


def test_jobs_must_finish_and_say_what_their_items_say() -> None:
    items = _items("succeeded", "failed", job=1) + _items("succeeded", job=2)
    effects = {**_effects(1), ("inventory", "SKU-0@BLR"): 2}
    jobs = [
        _job(1, status="succeeded", done=1, failed=1),  # should be partial
        _job(2, status="running", done=0),
        JobRow(3, "shipment_sync", "waiting", 0, 0, 0),  # no items: only has to finish
    ]
    result = ledger.compare(items, effects, jobs)
    assert [j["job"] for j in result.non_terminal_jobs] == [2, 3]
    assert result.untruthful_jobs[0]["job"] == 1 and "partial" in result.untruthful_jobs[0]["why"]


def test_a_finished_job_with_unsettled_items_or_wrong_counters_is_untruthful() -> None:
    result = ledger.compare(
        _items("succeeded", "sending", job=1) + _items("succeeded", job=2),
        {("inventory", "SKU-0@BLR"): 2, ("inventory", "SKU-1@BLR"): 1},
        [_job(1, done=2), _job(2, done=2)],
    )
    whys = {j["job"]: j["why"] for j in result.untruthful_jobs}
    assert "unsettled" in whys[1]
    assert "counters" in whys[2]


def test_amplification_counts_write_calls_and_records_against_the_fewest_needed() -> None:
    items = [Item(1, "inventory", f"K{n}", "succeeded") for n in range(600)] + [
        Item(2, "oms.pack", f"S{n}", "succeeded", group="BLR" if n < 3 else "GGN") for n in range(5)
    ]
    calls = [
        Call(1.0, "PUT", "ims/v3/inventory", 500),
        Call(2.0, "PUT", "ims/v3/inventory", 500),  # the first batch again: 503 before apply
        Call(3.0, "PUT", "ims/v3/inventory", 100),
        Call(4.0, "POST", "oms/v3/shipment/pack", 3),
        Call(5.0, "POST", "oms/v3/shipment/pack", 2),
        Call(6.0, "GET", "ims/v3/listings", 0),
        Call(7.0, "GET", "aggregator/v1/token", 0),
        Call(8.0, "POST", "oms/v3/shipment/labels", 5),  # a read, not a write
    ]
    amp: dict[str, Any] = ledger.amplification(calls, items)
    inventory = amp["by_operation"]["inventory"]
    assert (inventory["write_calls"], inventory["fewest_calls"]) == (3, 2)
    assert inventory["call_ratio"] == 1.5
    assert inventory["record_ratio"] == round(1100 / 600, 3)
    assert amp["by_operation"]["oms.pack"]["fewest_calls"] == 2  # one batch per location
    assert amp["total"]["write_calls"] == 5 and amp["reads"] == 1


def test_the_table_shows_the_verdict_and_the_problems() -> None:
    report = {
        "broker": "filesystem",
        "scale": "small",
        "ok": False,
        "comparison": ledger.compare(_items("succeeded"), {}, [_job(done=1)]).summary(),
        "problems": ["the ledgers disagree (see comparison)"],
    }
    table = ledger.report_table(report)
    assert "FAIL" in table
    assert "lost (reported failed)      1 (0)" in table
    assert "PROBLEM: the ledgers disagree" in table
