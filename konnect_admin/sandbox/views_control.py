"""The sandbox control (not part of Konnect): Fynd-side events, fault knobs, reset, effects.

Two faces over the same functions: a JSON API under _control/api/ for scripts and tests
(company token, no faults) and an HTML page under _control/ for any signed-in dashboard user
(POST forms with CSRF, no inline script or style).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from konnect_admin.access import requires
from konnect_admin.sandbox import auth, clock, due, effects, events, faults, seed
from konnect_admin.sandbox.api import Ctx, konnect_api
from konnect_admin.sandbox.models import FaultSettings, Shipment
from konnect_admin.sandbox.reference import location_codes
from konnect_admin.sandbox.serializers import shipment_json
from konnect_admin.sandbox.statemachine import (
    BUCKETS,
    FYND_EVENTS,
    Refusal,
    fynd_events_allowed,
)
from konnect_admin.sandbox.wire import ApiError, invalid, json_body, not_found

RATE_FIELDS = ("error_rate", "rate_limit_rate", "reset_rate", "timeout_rate")
PAGE_ROWS = 40


class FaultForm(forms.Form):
    latency_ms = forms.IntegerField(label="Added latency (ms)", min_value=0, max_value=60_000)
    error_rate = forms.FloatField(label="Error rate", min_value=0, max_value=1)
    error_status = forms.IntegerField(label="Error status", min_value=500, max_value=599)
    rate_limit_rate = forms.FloatField(label="429 rate", min_value=0, max_value=1)
    retry_after = forms.IntegerField(label="Retry-After (s)", min_value=0, max_value=3600)
    reset_rate = forms.FloatField(label="Connection reset rate", min_value=0, max_value=1)
    reset_apply_rate = forms.FloatField(
        label="Resets after applying (share)", min_value=0, max_value=1
    )
    timeout_rate = forms.FloatField(label="Timeout rate (applied)", min_value=0, max_value=1)
    timeout_seconds = forms.FloatField(label="Timeout wait (s)", min_value=0, max_value=600)
    outage = forms.BooleanField(label="Full outage (every call 503)", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rates = [data[name] for name in RATE_FIELDS if name in data]
        if len(rates) == len(RATE_FIELDS) and sum(rates) > 1:
            raise forms.ValidationError(
                "Error, 429, reset and timeout rates are shares of the same calls: "
                "together at most 1."
            )
        return data


def faults_save(values: dict[str, Any]) -> tuple[FaultSettings | None, dict[str, list[str]]]:
    """Overlay `values` on the knobs in force and save them if the result is valid."""
    knobs = FaultSettings.load()
    form = FaultForm(data={**knobs.as_dict(), **values})
    if not form.is_valid():
        return None, {k: [str(m) for m in v] for k, v in form.errors.items()}
    for name in FaultSettings.KNOBS:
        setattr(knobs, name, form.cleaned_data[name])
    knobs.save()
    return knobs, {}


# --- JSON API (company token) -------------------------------------------------------------------


@konnect_api("POST", control=True)
def api_action(request: HttpRequest, ctx: Ctx, action: str) -> JsonResponse:
    body: dict[str, Any] = {}
    if request.body:
        parsed = json_body(request)
        if not isinstance(parsed, dict):
            raise invalid("The body must be a JSON object.")
        body = parsed
    try:
        return JsonResponse(_action(action, body))
    except Refusal as refusal:
        if refusal.kind == "unknown":
            raise not_found(refusal.message) from None
        raise ApiError(409, "CONFLICT", refusal.message) from None


def _action(action: str, body: dict[str, Any]) -> dict[str, Any]:
    if action == "reset":
        summary = seed.reset()
        return {"status": "success", "seed": str(summary), "shipments": summary.shipments}
    if action == "tick":
        return {"status": "success", "done": events.auto_tick()}
    if action == "new_orders":
        count = body.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool):
            raise invalid("count must be an integer.", "count", "type")
        self_ship = body.get("self_ship")
        if self_ship is not None and not isinstance(self_ship, bool):
            raise invalid("self_ship must be true or false.", "self_ship", "type")
        created = events.new_orders(count, body.get("location_code"), self_ship)
        return {"status": "success", "shipments": [s.shipment_id for s in created]}
    if action not in FYND_EVENTS:
        raise not_found(f"Unknown control action {action!r}.")
    shipment_id = body.get("shipment_id")
    if not isinstance(shipment_id, str) or not shipment_id:
        raise invalid("shipment_id is required.", "shipment_id", "required")
    shipment = events.shipment_event(action, shipment_id, body)
    shipment = Shipment.objects.prefetch_related("items").get(pk=shipment.pk)
    return {"status": "success", "event": action, "shipment": shipment_json(shipment)}


@konnect_api("GET", "PUT", control=True)
def api_faults(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    if request.method == "PUT":
        body = json_body(request)
        if not isinstance(body, dict):
            raise invalid("The body must be a JSON object of knobs.")
        seed_value = body.pop("seed", None)
        if seed_value is not None and not isinstance(seed_value, int):
            raise invalid("seed must be an integer.", "seed", "type")
        unknown = set(body) - set(FaultSettings.KNOBS)
        if unknown:
            raise invalid(f"Unknown knobs: {', '.join(sorted(unknown))}.")
        knobs, errors = faults_save(body)
        if knobs is None:
            raise ApiError(
                400,
                "VALIDATION_FAILED",
                "Invalid fault knobs.",
                [
                    {"field": f, "code": "invalid", "message": m}
                    for f, ms in errors.items()
                    for m in ms
                ],
            )
        if seed_value is not None:
            faults.reseed(seed_value)
    return JsonResponse({"faults": FaultSettings.load().as_dict()})


@konnect_api("GET", control=True)
def api_effects(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    operation = request.GET.get("operation") or None
    with_keys = request.GET.get("keys", "") in ("1", "true")
    return JsonResponse(effects.summary(operation, with_keys))


# --- HTML page (any signed-in user) -------------------------------------------------------------


@requires()
def control_page(request: HttpRequest) -> HttpResponse:
    due.process(clock.now())
    bucket = request.GET.get("bucket", "")
    query = request.GET.get("q", "").strip()
    rows = Shipment.objects.order_by("-updated_at", "-id")
    if bucket in BUCKETS:
        rows = rows.filter(bucket=bucket)
    if query:
        rows = rows.filter(Q(shipment_id__startswith=query) | Q(customer_name__icontains=query))
    shipments = list(rows[:PAGE_ROWS])
    with_return = set(
        Shipment.objects.filter(
            is_return=True, forward_id__in=[s.shipment_id for s in shipments]
        ).values_list("forward_id", flat=True)
    )
    table = [
        (
            s,
            [
                (e, e.replace("_", " "))
                for e in fynd_events_allowed(s, s.shipment_id in with_return)
            ],
        )
        for s in shipments
    ]
    counts = dict(
        Shipment.objects.values_list("bucket").annotate(n=Count("id")).values_list("bucket", "n")
    )
    knobs = FaultSettings.load()
    context = {
        "table": table,
        "buckets": [(b, counts.get(b, 0)) for b in BUCKETS],
        "bucket": bucket,
        "q": query,
        "fault_form": FaultForm(initial=knobs.as_dict()),
        "effects": effects.summary(),
        "locations": location_codes(),
        "credentials": [("Company", settings.SANDBOX_COMPANY_USERNAME, "SANDBOX_COMPANY_PASSWORD")]
        + [
            (code, auth.location_username(code), "SANDBOX_LOCATION_PASSWORD_PREFIX + code")
            for code in location_codes()
        ],
    }
    return render(request, "sandbox/control.html", context)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    base = reverse("sandbox:control")
    return redirect(target if target.startswith(base) else base)


@requires()
@require_POST
def control_event(request: HttpRequest) -> HttpResponseRedirect:
    name = request.POST.get("event", "")
    shipment_id = request.POST.get("shipment_id", "")
    try:
        if name == "new_orders":
            location = request.POST.get("location") or None
            self_ship = {"yes": True, "no": False}.get(request.POST.get("self_ship", ""))
            count = int(request.POST.get("count") or 1)
            created = events.new_orders(count, location, self_ship)
            messages.success(request, f"{len(created)} new order(s) arrived.")
        else:
            events.shipment_event(name, shipment_id)
            messages.success(request, f"{name.replace('_', ' ').capitalize()}: {shipment_id}.")
    except (Refusal, ValueError) as exc:
        messages.error(request, str(exc))
    return _back(request)


@requires()
@require_POST
def control_faults(request: HttpRequest) -> HttpResponseRedirect:
    form = FaultForm(request.POST)
    if form.is_valid():
        faults_save(form.cleaned_data)
        messages.success(request, "Fault knobs saved.")
    else:
        problems = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items())
        messages.error(request, f"Fault knobs not saved: {problems}")
    return _back(request)


@requires()
@require_POST
def control_reset(request: HttpRequest) -> HttpResponseRedirect:
    summary = seed.reset()
    messages.success(request, f"Sandbox reset: {summary}.")
    return _back(request)
