"""Template helpers of the shipment pages."""

from __future__ import annotations

from typing import Any

from django import template

from konnect_admin.models import Job, JobItem
from orders import workflow

register = template.Library()


@register.simple_tag
def job_refusals(job: Job, limit: int = 20) -> list[JobItem]:
    """The shipments a finished Job could not act on, with Konnect's code and message."""
    if not job.is_terminal or not job.failed:
        return []
    return list(job.items.filter(status=JobItem.Status.FAILED).order_by("seq")[:limit])


@register.filter
def state_label(state: str) -> str:
    return workflow.state_label(state)


@register.filter
def lane_label(lane: str) -> str:
    found = workflow.LANE_BY_KEY.get(lane)
    return found.label if found else lane


@register.filter
def reason_label(code: Any) -> str:
    return workflow.CANCEL_REASON_LABELS.get(str(code or ""), str(code or ""))


@register.filter
def action_doing(name: str) -> str:
    spec = workflow.ACTIONS.get(name)
    return spec.doing if spec else name
