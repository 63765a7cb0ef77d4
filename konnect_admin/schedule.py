"""Periodic work for Celery beat, in one place. Apps add their entries to BEAT_ENTRIES."""

from __future__ import annotations

from typing import Any

# (name, task, seconds). Apps append their own entries in AppConfig.ready().
BEAT_ENTRIES: list[tuple[str, str, float]] = []


def beat_schedule(settings: Any) -> dict[str, dict[str, Any]]:
    entries = [
        ("jobs-sweep", "konnect_admin.jobs_sweep", settings.JOB_SWEEP_SECONDS),
        *BEAT_ENTRIES,
    ]
    return {name: {"task": task, "schedule": seconds} for name, task, seconds in entries}
