"""Template helpers of the returns pages."""

from __future__ import annotations

from typing import Any

from django import template

from orders import workflow

register = template.Library()


@register.filter
def qc_label(slug: Any) -> str:
    """ "Good condition", or "BAD · Tag missing" (reference 13.2)."""
    return workflow.qc_reason_label(str(slug or ""))


@register.filter
def return_kind(shipment: Any) -> str:
    return "RTO" if getattr(shipment, "is_rto", False) else "Return"


@register.filter
def return_lane_label(key: str) -> str:
    lane = workflow.RETURN_LANE_BY_KEY.get(key)
    return lane.label if lane else key
