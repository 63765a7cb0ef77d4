"""Home page and health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from konnect_admin.access import public, requires
from konnect_admin.selectors import job_list


@require_GET
@requires()
def home(request: HttpRequest) -> HttpResponse:
    jobs = list(job_list(user=request.user, status="active")[:10])
    return render(request, "home.html", {"active_jobs": jobs})


@require_GET
@public
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
