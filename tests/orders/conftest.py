"""Fixtures for the shipment tests: the sandbox's seed synced into the local cache once per
module (committed, like the sandbox seed; each test rolls back on top of it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import override_settings

from konnect_admin.sandbox.models import Effect
from konnect_admin.sandbox.models import Shipment as RemoteShipment


@contextmanager
def inprocess_konnect() -> Iterator[None]:
    """The in-process sandbox transport outside a function-scoped fixture."""
    from konnect_admin.celery import app
    from konnect_admin.konnect import base
    from konnect_admin.sandbox.inprocess import SANDBOX_BASE_URL, sandbox_session

    patch = pytest.MonkeyPatch()
    patch.setattr(base, "build_session", lambda: sandbox_session(SANDBOX_BASE_URL))
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with override_settings(
            KONNECT_BASE_URL=SANDBOX_BASE_URL,
            SANDBOX_TRACE_DELAY_SECONDS=0,
            SANDBOX_DP_ASSIGN_SECONDS=0,
            CELERY_TASK_ALWAYS_EAGER=True,
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        ):
            yield
    finally:
        app.conf.task_always_eager = eager
        patch.undo()


def run_jobs() -> None:
    from django.utils import timezone

    from konnect_admin.jobs.runner import job_run
    from konnect_admin.models import Job

    for _ in range(500):
        open_jobs = list(Job.objects.exclude(status__in=Job.TERMINAL).values_list("pk", flat=True))
        if not open_jobs:
            return
        Job.objects.filter(pk__in=open_jobs).update(
            next_run_at=timezone.now(), lease_expires_at=None
        )
        for pk in open_jobs:
            job_run(job_id=pk)
    raise AssertionError("jobs did not finish")


@pytest.fixture(scope="module")
def orders_cache(sandbox_seeded: None, django_db_blocker: Any) -> None:
    """Locations and a full shipment sync, committed once per module."""
    from konnect_admin.demo import locations_seed
    from orders.models import Shipment
    from orders.sync import shipment_sync_start

    with django_db_blocker.unblock():
        locations_seed()
        if not Shipment.objects.exists():
            with inprocess_konnect():
                job = shipment_sync_start(user=None, source="test")
                run_jobs()
            # the cache stays committed; no Job or audit row for other modules to count
            from konnect_admin.models import AuditEvent

            AuditEvent.objects.filter(job=job).delete()
            job.delete()


@pytest.fixture
def synced(orders_cache: None, konnect_sandbox: None, db: Any) -> None:
    """The cache is synced and every Konnect call of app code goes to the sandbox."""


@pytest.fixture
def pick(synced: None) -> Callable[..., list[str]]:
    """Ids of seeded shipments in a Fynd state (at a location, self-ship or not)."""

    def find(
        state: str,
        n: int = 1,
        *,
        location: str | None = "BHW-WH-01",
        self_ship: bool | None = None,
        forward: bool = True,
        **extra: Any,
    ) -> list[str]:
        qs = RemoteShipment.objects.filter(state=state, **extra).order_by(
            "order_date", "shipment_id"
        )
        if location:
            qs = qs.filter(location_code=location)
        if self_ship is not None:
            qs = qs.filter(is_self_ship=self_ship)
        if forward:
            qs = qs.filter(is_return=False)
        ids = list(qs.values_list("shipment_id", flat=True)[:n])
        assert len(ids) == n, f"the seed has only {len(ids)} {state} shipments here"
        return ids

    return find


def remote_state(shipment_id: str) -> str:
    return str(RemoteShipment.objects.get(shipment_id=shipment_id).state)


def effects(operation: str) -> list[Effect]:
    return list(Effect.objects.filter(operation=operation).order_by("pk"))
