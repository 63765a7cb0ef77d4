"""The jobs page: every background operation with live progress."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from konnect_admin.access import requires
from konnect_admin.forms import JobFilterForm
from konnect_admin.htmx import page_or_partial
from konnect_admin.jobs.services import job_cancel, job_retry_failed
from konnect_admin.models import Job, JobItem
from konnect_admin.selectors import job_get, job_kinds_visible_to, job_list

PAGE_SIZE = 50


def _poll_seconds(job: Job) -> int:
    """Poll quickly while a job is young, more slowly once it has been running a while."""
    return 1 if job.updated_at and (job.updated_at - job.created_at).total_seconds() < 30 else 3


@require_GET
@requires()
@vary_on_headers("HX-Request")
def job_list_view(request: HttpRequest) -> HttpResponse:
    form = JobFilterForm(request.GET or None, kinds=job_kinds_visible_to(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    jobs = job_list(
        user=request.user,
        kind=filters.get("kind") or "",
        status=filters.get("status") or "",
        created_by=filters.get("created_by"),
    )
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = page_or_partial(request, "jobs/list.html", "job-results")
    return render(request, template, {"form": form, "page": page})


@require_GET
@requires()
def job_row(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    return render(request, "jobs/_job_row.html", {"job": job, "poll_seconds": _poll_seconds(job)})


@require_GET
@requires()
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    response = render(
        request, "components/_job_progress.html", {"job": job, "poll_seconds": _poll_seconds(job)}
    )
    if job.is_terminal:
        response["HX-Trigger"] = "job-finished"
    return response


@require_GET
@requires()
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    items = job.items.order_by("seq")
    only_failed = request.GET.get("failed") == "1"
    if only_failed:
        items = items.filter(status=JobItem.Status.FAILED)
    page = Paginator(items, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "jobs/detail.html",
        {"job": job, "page": page, "only_failed": only_failed, "poll_seconds": _poll_seconds(job)},
    )


@require_POST
@requires()
def job_cancel_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    if job_cancel(job=job, user=request.user):
        messages.success(request, f"Job {job.pk} cancelled.")
    else:
        messages.error(
            request, f"Job {job.pk} is already under way or finished; it cannot be cancelled."
        )
    return redirect("jobs:detail", job_id=job.pk)


@require_POST
@requires()
def job_retry_view(request: HttpRequest, job_id: int) -> HttpResponse:
    """Retry the failed records of a finished job as a new job."""
    job = job_get(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    if not job.is_terminal or (not job.failed and job.status != Job.Status.FAILED):
        messages.error(request, f"Job {job.pk} has nothing to retry.")
        return redirect("jobs:detail", job_id=job.pk)
    try:
        retry = job_retry_failed(job=job, user=request.user, request=request)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("jobs:detail", job_id=job.pk)
    messages.success(request, f"Retrying {retry.total} record(s) as job {retry.pk}.")
    return redirect("jobs:detail", job_id=retry.pk)
