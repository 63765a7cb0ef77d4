"""The Admin Settings page: Konnect connection, location credentials, connection tests."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from konnect_admin.access import MANAGE_SETTINGS, requires
from konnect_admin.connection.forms import ConnectionTestForm, LocationCredentialForm
from konnect_admin.connection.selectors import (
    COMPANY,
    LocationRow,
    connection_overview,
    connection_test_targets,
)
from konnect_admin.connection.services import (
    connection_test,
    location_credential_remove,
    location_credential_save,
)
from konnect_admin.konnect.credentials import CredentialKeyError
from konnect_admin.models import Location, LocationCredential


def _blank_form(row: LocationRow) -> LocationCredentialForm:
    prefix = f"loc{row.location.pk}" if row.location else None
    initial = {"username": row.stored.username} if row.stored else {}
    return LocationCredentialForm(prefix=prefix, initial=initial, stored=row.stored)


def _index(
    request: HttpRequest, *, bound: LocationCredentialForm | None = None, code: str = ""
) -> HttpResponse:
    overview = connection_overview()
    rows = [
        (row, bound if bound is not None and row.code == code else _blank_form(row), f"loc-{i}")
        for i, row in enumerate(overview.locations)
    ]
    return render(
        request,
        "settings/index.html",
        {"overview": overview, "rows": rows, "open_code": code, "company": COMPANY},
        status=422 if bound is not None else 200,
    )


@require_GET
@requires(MANAGE_SETTINGS)
def settings_index(request: HttpRequest) -> HttpResponse:
    return _index(request)


@require_POST
@requires(MANAGE_SETTINGS)
def location_credential_save_view(request: HttpRequest, code: str) -> HttpResponse:
    location = get_object_or_404(Location, code=code)
    stored = LocationCredential.objects.filter(location=location).first()
    form = LocationCredentialForm(request.POST, prefix=f"loc{location.pk}", stored=stored)
    if form.is_valid():
        try:
            location_credential_save(
                location=location,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                actor=request.user,
                request=request,
            )
        except CredentialKeyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved the Konnect credentials of {location.code}.")
            return redirect("settings:index")
    return _index(request, bound=form, code=location.code)


@require_POST
@requires(MANAGE_SETTINGS)
def location_credential_remove_view(request: HttpRequest, code: str) -> HttpResponse:
    location = get_object_or_404(Location, code=code)
    if location_credential_remove(location=location, actor=request.user, request=request):
        messages.success(
            request,
            f"Removed the stored credentials of {location.code}; it now uses the company's.",
        )
    else:
        messages.info(request, f"{location.code} had no stored credentials.")
    return redirect("settings:index")


@require_POST
@requires(MANAGE_SETTINGS)
def connection_test_view(request: HttpRequest) -> HttpResponse:
    form = ConnectionTestForm(request.POST, targets=connection_test_targets())
    if not form.is_valid():
        return render(
            request, "settings/_test_result.html", {"error": form.errors["target"][0]}, status=422
        )
    target = form.cleaned_data["target"]
    result = connection_test(location_code=None if target == COMPANY else target)
    if getattr(request, "htmx", False):
        return render(request, "settings/_test_result.html", {"result": result})
    label = "Company credentials" if target == COMPANY else target
    if result.ok:
        messages.success(request, f"{label}: connected as {result.username}.")
    else:
        messages.error(request, f"{label}: {result.message}")
    return redirect("settings:index")
