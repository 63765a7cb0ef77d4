"""The home page per role: the numbers, their links, and the charts served as pictures."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from konnect_admin import charts
from konnect_admin.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(konnect_sandbox: None, drain_jobs: Any, admin_user: Any) -> None:
    from catalog.services import reference_sync_start
    from konnect_admin.demo import locations_seed
    from orders.sync import shipment_sync_start

    locations_seed()
    reference_sync_start(user=admin_user)
    shipment_sync_start(user=admin_user)
    drain_jobs()


def test_warehouse_home_shows_its_locations_numbers_with_links(
    synced: None, warehouse_client: Client
) -> None:
    page = warehouse_client.get("/").content.decode()
    assert "SLA breached" in page
    assert 'href="/orders/?breached=on"' in page
    assert "Returns waiting for QC" in page
    assert "BHW-WH-01" in page
    assert "BLR-ST-01" not in page  # bound to Bhiwandi only
    assert 'src="/charts/shipments-by-status.svg"' in page
    assert "Catalog data out of date" not in page  # not a warehouse concern


def test_merchandiser_home_shows_catalog_health_not_shipments(
    synced: None, merch_client: Client
) -> None:
    page = merch_client.get("/").content.decode()
    assert "Catalog data out of date" in page
    assert "Products whose last change failed" in page
    assert "SLA breached" not in page
    assert merch_client.get("/charts/shipments-per-day.svg").status_code == 403


def test_admin_home_has_everything_in_few_queries(synced: None, admin_client: Client) -> None:
    admin_client.get("/")
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get("/").content.decode()
    assert "SLA breached" in page
    assert "Catalog data out of date" in page
    assert "Jobs running" in page
    assert len(queries) <= 15


def test_lane_counts_on_the_home_page_match_the_queue(
    synced: None, warehouse_client: Client
) -> None:
    from orders.models import Shipment

    to_confirm = Shipment.objects.filter(lane="CREATED", location_code="BHW-WH-01").count()
    page = warehouse_client.get("/").content.decode()
    assert (
        f'<a href="/orders/?lane=CREATED"><span>To confirm</span> <strong>{to_confirm}</strong></a>'
        in page
    )


def test_charts_are_labelled_svg_pictures(synced: None, warehouse_client: Client) -> None:
    response = warehouse_client.get("/charts/shipments-per-day.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert "<title>Orders per day, last 30 days</title>" in svg
    assert "style=" not in svg
    bars = warehouse_client.get("/charts/shipments-by-status.svg").content.decode()
    assert "To confirm" in bars


def test_failed_jobs_are_counted_and_linked(admin_user: Any, admin_client: Client) -> None:
    from django.utils import timezone

    Job.objects.create(
        kind="housekeeping", title="x", status=Job.Status.FAILED, finished_at=timezone.now()
    )
    page = admin_client.get("/").content.decode()
    assert 'href="/jobs/?status=failed"' in page
    assert (
        '<span class="tile-value">1</span><span class="tile-label">Jobs failed (24 h)</span>'
        in page
    )


def test_bar_chart_scales_and_prints_values() -> None:
    svg = charts.bar_chart(["A", "B"], [3, 17], title="T")
    assert ">17<" in svg and ">20<" in svg  # value label and the rounded axis maximum


def test_chart_axes_are_labelled_in_round_steps() -> None:
    """A peak of 38 reads 0, 10, 20, 30, 40 on the axis, not 0, 12, 25, 38, 50."""
    import re

    def axis_labels(svg: str) -> list[str]:
        return re.findall(r'text-anchor="end" fill="[^"]+" font-weight="normal">([\d,]+)<', svg)

    days = [str(n) for n in range(30)]
    assert axis_labels(charts.line_chart(days, [3] * 29 + [38], title="T")) == [
        "0", "10", "20", "30", "40"
    ]  # fmt: skip
    assert axis_labels(charts.bar_chart(["A"], [3], title="T")) == ["0", "1", "2", "3"]
    assert axis_labels(charts.bar_chart(["A", "B"], [65, 1_234], title="T")) == [
        "0", "500", "1,000", "1,500"
    ]  # fmt: skip


def test_returns_tile_counts_the_to_check_lane_only(synced: None, warehouse_client: Client) -> None:
    """A return rejected at QC is no longer waiting: the tile and the lane it opens agree."""
    import re

    from orders import workflow
    from orders.models import Shipment

    waiting = Shipment.objects.filter(
        location_code="BHW-WH-01", lane="RETURNS", state__in=workflow.DELIVERED_BACK
    )
    first = waiting.first()
    assert first is not None, "the seed has returns delivered back to Bhiwandi"
    Shipment.objects.filter(pk=first.pk).update(return_qc=workflow.QC_REJECTED)

    def tile() -> int:
        page = warehouse_client.get("/").content.decode()
        found = re.search(r'tile-value">(\d+)</span><span class="tile-label">Returns waiting', page)
        assert found, "the returns tile shows a number"
        return int(found.group(1))

    to_check = warehouse_client.get("/orders/returns/?lane=TO_CHECK").content.decode()
    lane = re.search(r'To check</span> <span class="lane-count[^"]*">(\d+)<', to_check)
    assert lane, "the returns queue shows the To check count"
    assert tile() == int(lane.group(1)) == waiting.count() - 1
