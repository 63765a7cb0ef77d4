from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from konnect_admin.formatting import format_inr, format_when


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "₹0.00"),
        (999, "₹999.00"),
        (1000, "₹1,000.00"),
        (123456, "₹1,23,456.00"),
        (Decimal("12345678.5"), "₹1,23,45,678.50"),
        (-1500.255, "-₹1,500.26"),
        (None, "—"),
    ],
)
def test_amounts_use_indian_grouping(value: object, text: str) -> None:
    assert format_inr(value) == text


def test_times_are_shown_in_the_seller_time_zone(settings: object) -> None:
    moment = datetime(2026, 11, 28, 8, 35, tzinfo=UTC)
    assert format_when(moment) == "28 Nov 2026, 14:05 IST"
