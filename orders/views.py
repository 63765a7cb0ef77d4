"""Shipment pages: the queue, the detail page, actions, documents, the scan-to-pack station.

Views are thin: bind a form, call one selector or service, pick the page or its partial.
None of them calls Konnect: every read or write of Konnect is a Job, and the pages show the
cached rows and the Job's progress.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from konnect_admin.access import MANAGE_SHIPMENTS, VIEW_SHIPMENTS, has_all, requires
from konnect_admin.htmx import page_or_partial
from konnect_admin.models import Job
from konnect_admin.selectors import job_get
from orders import scan, selectors, workflow
from orders.actions import REFRESH_KIND
from orders.forms import (
    ActionForm,
    QueueFilterForm,
    SavedViewForm,
    ScanItemForm,
    ScanLookupForm,
    filter_query,
)
from orders.models import Shipment, ShipmentDocument
from orders.services import (
    ActionRefused,
    saved_view_delete,
    saved_view_save,
    shipment_action_start,
    shipment_refresh_start,
    shipment_sync_start,
)

LIST_TEMPLATE = "orders/shipment_list.html"
DETAIL_TEMPLATE = "orders/shipment_detail.html"
SCAN_TEMPLATE = "orders/scan_station.html"
INFO_STALE_AFTER = 120  # seconds: the detail page asks for a refresh of older info


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _can_manage(request: HttpRequest) -> bool:
    return has_all(request.user, [MANAGE_SHIPMENTS])


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _refused(request: HttpRequest, message: str, *, status: int, back: str) -> HttpResponse:
    """A refusal in words: a toast for htmx, a page of its own otherwise."""
    if _is_htmx(request):
        response = render(request, "orders/_toast.html", {"message": message}, status=status)
        return reswap(retarget(response, "#toasts"), "beforeend")
    return render(
        request, "orders/action_refused.html", {"message": message, "back": back}, status=status
    )


# --- the queue ---------------------------------------------------------------------------------


@require_GET
@requires(VIEW_SHIPMENTS)
@vary_on_headers("HX-Request")
def shipment_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = QueueFilterForm(request.GET or None, locations=selectors.location_choices(user))
    filters = form.filters()
    page = selectors.shipment_queue(
        user=user,
        filters=filters,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    template = page_or_partial(request, LIST_TEMPLATE, "shipment-results")
    partial = template != LIST_TEMPLATE
    can_manage = _can_manage(request)
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "page": page,
        "lanes": selectors.lane_counts(user=user, filters=filters),
        "lane": workflow.LANE_BY_KEY[filters.lane],
        "bulk_actions": workflow.lane_actions(filters.lane) if can_manage else [],
        "reasons": workflow.CANCEL_REASONS,
        "can_manage": can_manage,
        "query": filter_query(request.GET),
        "lane_query": filter_query(request.GET, lane=""),
        "scoped": selectors.location_scope(user) is not None,
    }
    if not partial:
        context["saved_views"] = selectors.saved_views_for(user=user)
        context["last_synced_at"] = selectors.last_synced_at()
    return render(request, template, context)


@require_POST
@requires(VIEW_SHIPMENTS)
def shipment_sync(request: HttpRequest) -> HttpResponse:
    job = shipment_sync_start(
        user=request.user, locations=selectors.location_scope(request.user), request=request
    )
    if _is_htmx(request):
        job.refresh_from_db()
        return render(request, "orders/_job.html", {"job": job}, status=202)
    messages.info(request, "Sync started: the list updates when it finishes.")
    return redirect("orders:shipment_list")


@require_POST
@requires(VIEW_SHIPMENTS)
def saved_view_create(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the view a name (up to 60 characters).")
        return redirect(reverse("orders:shipment_list") + "?" + (request.POST.get("query") or ""))
    view = saved_view_save(
        user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
    )
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(reverse("orders:shipment_list") + ("?" + view.query if view.query else ""))


@require_POST
@requires(VIEW_SHIPMENTS)
def saved_view_delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    if not saved_view_delete(user=request.user, view_id=view_id):
        raise Http404
    messages.success(request, "Saved view removed.")
    return redirect("orders:shipment_list")


# --- actions -----------------------------------------------------------------------------------


@require_POST
@requires(MANAGE_SHIPMENTS)
def shipment_action(request: HttpRequest) -> HttpResponse:
    form = ActionForm(request.POST)
    back = _safe_next(request, reverse("orders:shipment_list"))
    if not form.is_valid():
        return _refused(request, form.error_text(), status=422, back=back)
    spec = workflow.ACTIONS[form.cleaned_data["action"]]
    try:
        started = shipment_action_start(
            user=request.user,
            action=spec.name,
            shipment_ids=form.ids,
            options=form.options(),
            request=request,
        )
    except ActionRefused as exc:
        return _refused(request, exc.message, status=409, back=back)
    if _is_htmx(request):
        started.job.refresh_from_db()
        response = render(
            request,
            "orders/_action_started.html",
            {"job": started.job, "refused": started.refused, "spec": spec},
            status=202,
        )
        response["HX-Trigger"] = "shipments-changed"
        return response
    count = len(started.accepted)
    messages.success(
        request, f"{spec.doing} {count} shipment{'s' if count != 1 else ''} (job {started.job.pk})."
    )
    for sid, reason in started.refused[:5]:
        messages.warning(request, reason or f"Skipped {sid}.")
    return redirect(back)


@require_GET
@requires(VIEW_SHIPMENTS)
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """A shipment Job's progress, its per-shipment refusals and (for documents) the PDF."""
    job = job_get(user=request.user, job_id=job_id)
    kinds = {*workflow.JOB_KINDS, *workflow.RETURN_JOB_KINDS, REFRESH_KIND, "shipment_sync"}
    if job is None or job.kind not in kinds:
        raise Http404
    if not selectors.job_in_scope(user=request.user, job=job):
        raise Http404
    compact = request.GET.get("compact") == "1"
    response = render(request, "orders/_job.html", {"job": job, "compact": compact})
    if job.is_terminal:
        response["HX-Trigger"] = "job-finished"
    return response


@require_GET
@requires(VIEW_SHIPMENTS)
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = selectors.document_get(user=request.user, document_id=document_id)
    if doc is None or not doc.pdf:
        raise Http404
    response = HttpResponse(bytes(doc.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{doc.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- detail ------------------------------------------------------------------------------------


def _shipment_or_404(request: HttpRequest, shipment_id: str) -> Shipment:
    shipment = selectors.shipment_get(user=request.user, shipment_id=shipment_id)
    if shipment is None:
        raise Http404
    return shipment


@require_GET
@requires(VIEW_SHIPMENTS)
@vary_on_headers("HX-Request")
def shipment_detail(request: HttpRequest, shipment_id: str) -> HttpResponse:
    shipment = _shipment_or_404(request, shipment_id)
    can_manage = _can_manage(request)
    allowed = {spec.name: spec for spec in workflow.actions_for(shipment)} if can_manage else {}
    pending = shipment.pending_job if shipment.pending_job_id else None
    if pending is not None and pending.is_terminal:
        pending = None
    refreshed = shipment.info_refreshed_at
    stale = refreshed is None or (timezone.now() - refreshed).total_seconds() > INFO_STALE_AFTER
    template = page_or_partial(request, DETAIL_TEMPLATE, "detail-main")
    return render(
        request,
        template,
        {
            "shipment": shipment,
            "items": list(shipment.items.all()),
            "allowed": allowed if pending is None else {},
            "pending": pending,
            "events": selectors.shipment_events(shipment=shipment),
            "job_items": selectors.shipment_job_items(shipment=shipment),
            "reasons": workflow.CANCEL_REASONS,
            "info_stale": stale,
            "can_manage": can_manage,
            "tracking": shipment.tracking or {},
        },
    )


@require_POST
@requires(VIEW_SHIPMENTS)
def shipment_refresh(request: HttpRequest, shipment_id: str) -> HttpResponse:
    shipment = _shipment_or_404(request, shipment_id)
    job = shipment_refresh_start(
        user=request.user, shipment=shipment, force=request.POST.get("force") == "1"
    )
    if not _is_htmx(request):
        if job is not None:
            messages.info(request, "Refreshing from Konnect.")
        return redirect("orders:shipment_detail", shipment_id=shipment.shipment_id)
    if job is None:
        return HttpResponse(status=204)
    job.refresh_from_db()
    return render(request, "orders/_job.html", {"job": job, "compact": True}, status=202)


# --- scan to pack ------------------------------------------------------------------------------


def _job_or_none(request: HttpRequest, job_id: int | None) -> Job | None:
    return job_get(user=request.user, job_id=job_id) if job_id else None


def _scan_context(
    request: HttpRequest, shipment: Shipment | None, code: str, result: scan.ScanResult | None
) -> dict[str, Any]:
    context: dict[str, Any] = {"shipment": shipment, "code": code, "result": result}
    if shipment is None:
        return context
    session = request.session
    lines = scan.scan_lines(session, shipment)
    pack_job = _job_or_none(request, scan.scan_job_id(session, shipment, "pack"))
    label_job = _job_or_none(request, scan.scan_job_id(session, shipment, "labels"))
    document = (
        ShipmentDocument.objects.filter(job=label_job).only("pk", "pages", "job").first()
        if label_job is not None and label_job.is_terminal
        else None
    )
    packed = shipment.state in workflow.PACKED_OR_LATER
    ready = document is not None and document.pages > 0
    if result is None and ready:
        context["result"] = scan.ScanResult(
            True, "Packed. The label is ready: press Enter to print it."
        )
    elif result is None and packed and pack_job is not None:
        context["result"] = scan.ScanResult(True, "Packed. Preparing the label…")
    context.update(
        lines=lines,
        verified=bool(lines) and all(line.done for line in lines),
        pack_refusal=workflow.refusal(workflow.ACTIONS["pack"], shipment),
        pack_job=pack_job,
        packed=packed,
        label_job=label_job,
        document=document if ready else None,
    )
    return context


@require_GET
@requires(MANAGE_SHIPMENTS)
@vary_on_headers("HX-Request")
def scan_station(request: HttpRequest) -> HttpResponse:
    form = ScanLookupForm(request.GET or None)
    code = form.cleaned_data.get("code", "").strip() if form.is_valid() else ""
    shipment = selectors.shipment_find(user=request.user, code=code) if code else None
    result = None
    if code and shipment is None:
        result = scan.ScanResult(False, f"No shipment {code} at your locations.")
    elif shipment is not None and request.GET.get("fresh") == "1":
        scan.scan_reset(request.session, shipment)
    template = page_or_partial(request, SCAN_TEMPLATE, "scan-panel")
    context = _scan_context(request, shipment, code, result)
    context["announce"] = context["result"] is not None or request.GET.get("fresh") == "1"
    return render(request, template, context)


@require_POST
@requires(MANAGE_SHIPMENTS)
def scan_verify(request: HttpRequest, shipment_id: str) -> HttpResponse:
    shipment = _shipment_or_404(request, shipment_id)
    form = ScanItemForm(request.POST)
    sku = form.cleaned_data.get("sku", "") if form.is_valid() else ""
    result = scan.scan_item(request.session, shipment, sku)
    context = _scan_context(request, shipment, shipment.shipment_id, result)
    context["announce"] = True
    return render(request, f"{SCAN_TEMPLATE}#scan-panel", context, status=200 if result.ok else 422)


@require_POST
@requires(MANAGE_SHIPMENTS)
def scan_pack(request: HttpRequest, shipment_id: str) -> HttpResponse:
    shipment = _shipment_or_404(request, shipment_id)
    if not scan.all_verified(request.session, shipment):
        result = scan.ScanResult(False, "Scan every item before packing.")
    else:
        try:
            started = shipment_action_start(
                user=request.user,
                action="pack",
                shipment_ids=[shipment.shipment_id],
                request=request,
                source="scan",
            )
        except ActionRefused as exc:
            result = scan.ScanResult(False, exc.message)
        else:
            scan.scan_remember_job(request.session, shipment, "pack", started.job.pk)
            result = scan.ScanResult(True, "Packing… the label is prepared next.")
    context = _scan_context(request, shipment, shipment.shipment_id, result)
    context["announce"] = True
    return render(request, f"{SCAN_TEMPLATE}#scan-panel", context, status=200 if result.ok else 409)


@require_POST
@requires(MANAGE_SHIPMENTS)
def scan_label(request: HttpRequest, shipment_id: str) -> HttpResponse:
    shipment = _shipment_or_404(request, shipment_id)
    known = _job_or_none(request, scan.scan_job_id(request.session, shipment, "labels"))
    result = None
    if known is None or known.status == Job.Status.FAILED:
        try:
            started = shipment_action_start(
                user=request.user,
                action="labels",
                shipment_ids=[shipment.shipment_id],
                request=request,
                source="scan",
            )
        except ActionRefused as exc:
            result = scan.ScanResult(False, exc.message)
        else:
            scan.scan_remember_job(request.session, shipment, "labels", started.job.pk)
    context = _scan_context(request, shipment, shipment.shipment_id, result)
    context["announce"] = context["result"] is not None
    return render(request, f"{SCAN_TEMPLATE}#scan-panel", context)


__all__ = [
    "document_download",
    "job_status",
    "saved_view_create",
    "saved_view_delete_view",
    "scan_label",
    "scan_pack",
    "scan_station",
    "scan_verify",
    "shipment_action",
    "shipment_detail",
    "shipment_list",
    "shipment_refresh",
    "shipment_sync",
]
