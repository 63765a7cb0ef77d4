"""Price and stock on the product page, the page of one price or stock job, and its revert."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import selectors
from catalog.ims_writes import IMS_KINDS, KIND_INVENTORY, split_key, value_text
from catalog.models import Product, Upload
from catalog.stock import stock_edit_submit, stock_grid, stock_jobs_for, stock_refresh_start
from catalog.uploads.undo import RevertRefused, revert_blocker, revert_plan, revert_start
from konnect_admin.access import MANAGE_PRICES_INVENTORY, requires
from konnect_admin.models import Job, JobItem
from konnect_admin.paging import window_page
from konnect_admin.selectors import job_get

SECTION = "catalog/_stock_section.html"


def _money(value: Any) -> str:
    text = f"{value:.2f}"
    return text[:-3] if text.endswith(".00") else text


def stock_section_context(
    product: Product,
    *,
    stock_errors: dict[str, str] | None = None,
    posted: Any = None,
    started: list[Job] | None = None,
) -> dict[str, Any]:
    """What the product page's price and stock section needs (also used by product_detail)."""
    cells = stock_grid(product)
    errors = stock_errors or {}
    rows = []
    for cell in cells:
        shown = {
            "qty": "" if cell.quantity is None else str(cell.quantity),
            "mrp": _money(cell.mrp),
            "esp": _money(cell.esp),
        }
        inputs = {}
        for part, value in shown.items():
            name = f"{part}-{cell.key}"
            inputs[part] = {
                "name": name,
                "value": posted.get(name, value) if posted is not None else value,
                "error": errors.get(name, ""),
            }
        rows.append({"cell": cell, **inputs})
    read = [c.level.synced_at for c in cells if c.level is not None]
    return {
        "product": product,
        "stock_rows": rows,
        "stock_jobs": stock_jobs_for(product),
        "stock_read_at": min(read) if read else None,
        "stock_unread": sum(1 for c in cells if c.level is None),
        "stock_total": len(cells),
        "stock_errors": errors,
        "started": started or [],
    }


def _product_or_404(product_id: int) -> Product:
    product = selectors.product_get(pk=product_id)
    if product is None or product.state == Product.State.DELETED:
        raise Http404
    return product


@require_POST
@requires(MANAGE_PRICES_INVENTORY)
def product_stock_save(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product_or_404(product_id)
    jobs, errors = stock_edit_submit(
        product=product, data=request.POST, user=request.user, request=request
    )
    status = 422 if errors else 200
    if not errors and not jobs:
        messages.info(request, "Nothing changed, so nothing was sent.")
    elif jobs:
        messages.success(request, "Sent to Konnect: " + "; ".join(j.title for j in jobs) + ".")
    if not getattr(request, "htmx", False):
        for field, problem in errors.items():
            messages.error(request, f"{field.split('-', 1)[1]}: {problem}")
        return redirect("catalog:product_detail", product_id=product.pk)
    context = stock_section_context(
        product, stock_errors=errors, posted=request.POST if errors else None, started=jobs
    )
    return render(request, f"{SECTION}#stock-section", context, status=status)


@require_POST
@requires(MANAGE_PRICES_INVENTORY)
def product_stock_refresh(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product_or_404(product_id)
    job = stock_refresh_start(product=product, user=request.user, request=request)
    if getattr(request, "htmx", False):
        return render(
            request, "components/_job_progress.html", {"job": job, "poll_seconds": 1}, status=202
        )
    return redirect("catalog:product_detail", product_id=product.pk)


def _ims_job_or_404(request: HttpRequest, job_id: int) -> Job:
    job = job_get(user=request.user, job_id=job_id)
    if job is None or job.kind not in IMS_KINDS:
        raise Http404
    return job


@require_GET
@requires(MANAGE_PRICES_INVENTORY)
def stock_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A price or stock job record by record: before → after, outcome, and "Revert"."""
    job = _ims_job_or_404(request, job_id)
    items = job.items.order_by("seq")
    show = request.GET.get("show", "")
    if show in JobItem.Status.values:
        items = items.filter(status=show)
    page = window_page(items, page=request.GET.get("page"), per_page=100)
    rows = []
    for item in page.object_list:
        sku, location = split_key(item.key)
        rows.append(
            {
                "item": item,
                "sku": sku,
                "location": location,
                "before": value_text(job.kind, item.before) if item.before else "—",
                "after": value_text(job.kind, item.payload),
            }
        )
    upload = Upload.objects.defer("content").filter(commit_job=job).first()
    return render(
        request,
        "catalog/stock_job.html",
        {
            "job": job,
            "page": page,
            "rows": rows,
            "show": show,
            "statuses": JobItem.Status.choices,
            "upload": upload,
            "what": "Stock" if job.kind == KIND_INVENTORY else "Prices",
            "revert_blocker": revert_blocker(job),
            "reverts": job.children.filter(kind=job.kind, params__revert_of=job.pk).order_by(
                "-created_at"
            ),
            "poll_seconds": 1,
        },
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE_PRICES_INVENTORY)
def stock_job_revert(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _ims_job_or_404(request, job_id)
    if request.method == "POST":
        try:
            revert = revert_start(job=job, user=request.user, request=request)
        except RevertRefused as exc:
            messages.error(request, exc.message)
            return redirect("catalog:stock_job", job_id=job.pk)
        messages.success(request, f"Started: {revert.title}.")
        return redirect("catalog:stock_job", job_id=revert.pk)
    blocker = revert_blocker(job)
    plan = revert_plan(job) if blocker is None else None
    changed = [
        {
            "key": item.key,
            "set": value_text(job.kind, item.payload),
            "now": value_text(job.kind, now),
            "before": value_text(job.kind, item.before),
        }
        for item, now in (plan.changed[:50] if plan else [])
    ]
    return render(
        request,
        "catalog/stock_job_revert.html",
        {"job": job, "plan": plan, "blocker": blocker, "changed": changed},
    )
