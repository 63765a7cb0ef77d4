"""Returns pages: the returns queue, the return page, its QC and credit note, QC photos.

As on the shipment pages, no view calls Konnect: each step stores a Job and the page shows
the cached return and the Job's progress. Reading needs VIEW_SHIPMENTS; the QC and the credit
note need MANAGE_RETURNS.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from konnect_admin.access import MANAGE_RETURNS, VIEW_SHIPMENTS, has_all, requires
from konnect_admin.htmx import page_or_partial
from konnect_admin.models import Job
from konnect_admin.selectors import job_get
from orders import photos, returns, selectors, workflow
from orders.forms_returns import CreditNoteForm, QcForm, ReturnFilterForm, return_filter_query
from orders.models import Shipment
from orders.services import ActionRefused, ActionStarted
from orders.views import _refused

LIST_TEMPLATE = "orders/returns/return_list.html"
DETAIL_TEMPLATE = "orders/returns/return_detail.html"


def _can_manage(request: HttpRequest) -> bool:
    return has_all(request.user, [MANAGE_RETURNS])


# --- the queue ---------------------------------------------------------------------------------


@require_GET
@requires(VIEW_SHIPMENTS)
@vary_on_headers("HX-Request")
def return_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ReturnFilterForm(request.GET or None, locations=selectors.location_choices(user))
    filters = form.filters()
    kind = form.kind_value()
    page = returns.return_queue(
        user=user,
        filters=filters,
        kind=kind,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    template = page_or_partial(request, LIST_TEMPLATE, "return-results")
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "kind": kind,
        "page": page,
        "lanes": returns.return_lane_counts(user=user, filters=filters, kind=kind),
        "lane": workflow.RETURN_LANE_BY_KEY[filters.lane],
        "query": return_filter_query(request.GET),
        "lane_query": return_filter_query(request.GET, lane=""),
        "scoped": selectors.location_scope(user) is not None,
    }
    if template == LIST_TEMPLATE:
        context["last_synced_at"] = selectors.last_synced_at()
    return render(request, template, context)


# --- the return page ----------------------------------------------------------------------------


def _return_or_404(request: HttpRequest, shipment_id: str) -> Shipment:
    shipment = returns.return_get(user=request.user, shipment_id=shipment_id)
    if shipment is None:
        raise Http404
    return shipment


def _shown_job(request: HttpRequest, shipment: Shipment) -> Job | None:
    """The Job a step just stored (`?job=` after the redirect), shown with its outcome."""
    raw = request.GET.get("job", "")
    if not raw.isdigit():
        return None
    job = job_get(user=request.user, job_id=int(raw))
    if job is None or job.kind not in workflow.RETURN_JOB_KINDS:
        return None
    return job if job.items.filter(key=shipment.shipment_id).exists() else None


def _detail_context(
    request: HttpRequest,
    shipment: Shipment,
    *,
    qc_form: QcForm | None = None,
    credit_form: CreditNoteForm | None = None,
) -> dict[str, Any]:
    can_manage = _can_manage(request)
    items = list(shipment.items.all())
    pending = shipment.pending_job if shipment.pending_job_id else None
    if pending is not None and pending.is_terminal:
        pending = None
    allowed = (
        {spec.name: spec for spec in workflow.return_actions_for(shipment)}
        if can_manage and pending is None
        else {}
    )
    checks = returns.return_checks(shipment=shipment)
    standing = returns.standing_check(checks)
    decisions = {line.order_item_id: line for line in standing.lines.all()} if standing else {}
    last = checks[0] if checks else None
    can_check = "qc_accept" in allowed or "qc_reject" in allowed
    return {
        "shipment": shipment,
        "items": items,
        "rows": [(item, decisions.get(item.order_item_id)) for item in items],
        "standing": standing,
        "refused_check": last if last and last.status == "refused" else None,
        "allowed": allowed,
        "pending": pending,
        "can_manage": can_manage,
        "qc_form": qc_form
        or (QcForm(items=items, allow_reject="qc_reject" in allowed) if can_check else None),
        "credit_form": credit_form
        or (
            CreditNoteForm(initial={"credit_note_date": timezone.localdate()})
            if "credit_note" in allowed
            else None
        ),
        "reasons": workflow.QC_REASONS,
        "photo_limits": photos.describe_limits(),
        "photo_accept": photos.ACCEPTED_TYPES,
        "forward": returns.forward_of(user=request.user, shipment=shipment),
        "events": selectors.shipment_events(shipment=shipment),
        "job_items": returns.return_job_items(shipment=shipment),
        "lane": workflow.RETURN_LANE_BY_KEY.get(workflow.return_lane_of(shipment)),
        "today": timezone.localdate(),
        "shown_job": _shown_job(request, shipment),
    }


@require_GET
@requires(VIEW_SHIPMENTS)
@vary_on_headers("HX-Request")
def return_detail(request: HttpRequest, shipment_id: str) -> HttpResponse:
    shipment = _return_or_404(request, shipment_id)
    template = page_or_partial(request, DETAIL_TEMPLATE, "return-main")
    return render(request, template, _detail_context(request, shipment))


def _after(started: ActionStarted, back: str) -> HttpResponse:
    """Back to the return page, which shows the stored Job's progress and outcome."""
    return redirect(f"{back}?job={started.job.pk}")


@require_POST
@requires(MANAGE_RETURNS)
def return_qc(request: HttpRequest, shipment_id: str) -> HttpResponse:
    """Record the quality check: accepted on Konnect when every item is accepted, rejected in
    the dashboard only when any item is rejected."""
    shipment = _return_or_404(request, shipment_id)
    back = reverse("orders:return_detail", args=[shipment.shipment_id])
    spec = workflow.RETURN_ACTIONS["qc_accept"]
    reason = workflow.refusal(spec, shipment)
    if reason:  # checked first: a crafted POST learns why, not that a field is missing
        returns.return_step_refused(
            user=request.user,
            spec=spec,
            shipment_id=shipment.shipment_id,
            reason=reason,
            request=request,
        )
        return _refused(request, reason, status=409, back=back)
    form = QcForm(request.POST, request.FILES, items=list(shipment.items.all()))
    if not form.is_valid():
        context = _detail_context(request, shipment, qc_form=form)
        return render(request, DETAIL_TEMPLATE, context, status=422)
    try:
        started = returns.return_qc_start(
            user=request.user,
            shipment_id=shipment.shipment_id,
            lines=form.lines(),
            request=request,
        )
    except ActionRefused as exc:
        return _refused(request, exc.message, status=409, back=back)
    return _after(started, back)


@require_POST
@requires(MANAGE_RETURNS)
def return_credit_note(request: HttpRequest, shipment_id: str) -> HttpResponse:
    shipment = _return_or_404(request, shipment_id)
    back = reverse("orders:return_detail", args=[shipment.shipment_id])
    spec = workflow.RETURN_ACTIONS["credit_note"]
    reason = workflow.refusal(spec, shipment)
    if reason:  # checked first: a crafted POST learns why, not that a field is missing
        returns.return_step_refused(
            user=request.user,
            spec=spec,
            shipment_id=shipment.shipment_id,
            reason=reason,
            request=request,
        )
        return _refused(request, reason, status=409, back=back)
    form = CreditNoteForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, shipment, credit_form=form)
        return render(request, DETAIL_TEMPLATE, context, status=422)
    try:
        started = returns.return_credit_note_start(
            user=request.user,
            shipment_id=shipment.shipment_id,
            number=form.cleaned_data["credit_note_number"],
            when=form.cleaned_data["credit_note_date"],
            request=request,
        )
    except ActionRefused as exc:
        return _refused(request, exc.message, status=409, back=back)
    return _after(started, back)


@require_GET
@requires(VIEW_SHIPMENTS)
def return_photo(request: HttpRequest, photo_id: int) -> FileResponse:
    """A QC photo, only for users who may see its shipment; never from a public URL."""
    photo = returns.photo_get(user=request.user, photo_id=photo_id)
    if photo is None:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    ext = photo.image.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="qc-{photo.pk}.{ext}"'
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


__all__ = [
    "return_credit_note",
    "return_detail",
    "return_list",
    "return_photo",
    "return_qc",
]
