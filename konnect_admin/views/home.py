"""Home page (the numbers per role), its charts, and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from konnect_admin import charts, dashboard
from konnect_admin.access import VIEW_SHIPMENTS, public, requires


@require_GET
@requires()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", dashboard.home_context(user=request.user))


def _svg(body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_GET
@requires(VIEW_SHIPMENTS)
def chart_shipments_by_lane(request: HttpRequest) -> HttpResponse:
    numbers = dashboard.shipment_numbers(user=request.user)
    lanes = numbers.lanes
    return _svg(
        charts.bar_chart(
            [lane["label"] for lane in lanes],
            [lane["count"] for lane in lanes],
            title="Shipments by status",
            highlight=[False] * len(lanes),
        )
    )


@require_GET
@requires(VIEW_SHIPMENTS)
def chart_shipments_per_day(request: HttpRequest) -> HttpResponse:
    days = dashboard.shipments_per_day(user=request.user)
    return _svg(
        charts.line_chart(
            [d.strftime("%d %b") for d, _ in days],
            [n for _, n in days],
            title=f"Orders per day, last {len(days)} days",
        )
    )


@require_GET
@public
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
