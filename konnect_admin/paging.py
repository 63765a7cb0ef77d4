"""Pagination that stays fast on big tables: no COUNT(*) over the whole table per request.

`window_page` fetches one row more than it shows to know whether a next page exists, and
counts at most `count_cap` rows, so a list of 100,000 rows costs the same as one of 1,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet

T = TypeVar("T")


@dataclass
class WindowPage(Generic[T]):
    object_list: list[T]
    number: int
    per_page: int
    has_next: bool
    count: int
    count_capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def count_label(self) -> str:
        return f"{self.count - 1:,}+" if self.count_capped else f"{self.count:,}"


def parse_page(value: Any, *, max_page: int = 10_000) -> int:
    try:
        return max(1, min(int(value), max_page))
    except (TypeError, ValueError):
        return 1


def window_page(
    qs: QuerySet[Any], *, page: Any, per_page: int = 50, count_cap: int = 10_001
) -> WindowPage[Any]:
    number = parse_page(page)
    offset = (number - 1) * per_page
    rows = list(qs[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    capped_count = qs.order_by()[:count_cap].count()
    return WindowPage(
        object_list=rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=has_next,
        count=capped_count,
        count_capped=capped_count >= count_cap,
    )
