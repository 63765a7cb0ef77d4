"""The bulk upload pages: choose, upload, preview every row's verdict, commit, follow the Job,
download the result files. Views store and read rows only; Konnect is called by Jobs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from catalog import selectors
from catalog.ims_writes import IMS_KINDS, KIND_INVENTORY, value_text
from catalog.models import Category, Upload, UploadRow
from catalog.services import attributes_ensure
from catalog.stock import LISTINGS_ENTITY, stock_sync_start
from catalog.uploads.checking import UploadError, upload_commit, upload_receive
from catalog.uploads.forms import UploadForm
from catalog.uploads.parsing import UploadRefused
from catalog.uploads.results import result_file
from catalog.uploads.specs import INVENTORY, PRICES
from catalog.uploads.templates_files import template_file
from catalog.uploads.undo import revert_blocker
from konnect_admin.access import BULK_UPLOAD, MANAGE_PRICES_INVENTORY, requires
from konnect_admin.models import JobItem
from konnect_admin.paging import window_page

ROWS_PER_PAGE = 50
SHOW = {
    "all": "All rows",
    "errors": "Only rows with errors",
    "change": "Will change",
    "same": "Unchanged",
}


def _upload_or_404(upload_id: int) -> Upload:
    upload = (
        Upload.objects.defer("content")
        .select_related("check_job", "commit_job", "category", "created_by")
        .filter(pk=upload_id)
        .first()
    )
    if upload is None:
        raise Http404
    return upload


def _list_context(form: UploadForm) -> dict[str, Any]:
    uploads = (
        Upload.objects.defer("content")
        .select_related("commit_job", "check_job", "created_by", "category")
        .order_by("-created_at", "-id")[:25]
    )
    return {
        "form": form,
        "uploads": uploads,
        "specs": {"inventory": INVENTORY, "prices": PRICES},
        "listings": selectors.sync_state(LISTINGS_ENTITY),
    }


@require_GET
@requires(BULK_UPLOAD)
def upload_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(initial={"kind": request.GET.get("kind") or "inventory"})
    return render(request, "catalog/uploads/list.html", _list_context(form))


@require_POST
@requires(BULK_UPLOAD)
def upload_create(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            upload = upload_receive(
                kind=form.cleaned_data["kind"],
                filename=uploaded.name or "upload",
                data=uploaded.read(),
                user=request.user,
                category=form.cleaned_data["category_obj"],
                request=request,
            )
        except UploadError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("catalog:upload_detail", upload_id=upload.pk)
    return render(request, "catalog/uploads/list.html", _list_context(form), status=422)


@require_GET
@requires(BULK_UPLOAD)
def upload_category(request: HttpRequest) -> HttpResponse:
    """The products card after a category is chosen: its columns, or their loading progress."""
    uid = request.GET.get("category") or ""
    category = Category.objects.filter(uid=uid, level=3).first() if uid.isdigit() else None
    job = None
    definitions: list[Any] = []
    if category is not None:
        job = attributes_ensure(category=category, user=request.user)
        definitions = selectors.attribute_definitions(category=category)
    return render(
        request,
        "catalog/uploads/_category.html",
        {
            "category": category,
            "attr_job": job,
            "definitions": definitions,
            "required": [d for d in definitions if d.required],
        },
    )


@require_GET
@requires(BULK_UPLOAD)
def upload_template(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    category = None
    if kind == Upload.Kind.PRODUCTS:
        uid = request.GET.get("category") or ""
        category = Category.objects.filter(uid=uid, level=3).first() if uid.isdigit() else None
        if category is None or not category.attribute_definitions.exists():
            raise Http404("Choose a category whose attributes are loaded.")
    elif kind not in (Upload.Kind.PRICES, Upload.Kind.INVENTORY):
        raise Http404
    content, filename, content_type = template_file(kind, file_format, category)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bar(upload: Upload) -> list[dict[str, Any]]:
    """Segments of the small valid/invalid picture, in percent of the rows."""
    total = upload.total_rows or 1
    parts = [
        ("change", upload.changed_rows, "will change"),
        ("same", upload.unchanged_rows, "unchanged"),
        ("invalid", upload.invalid_rows, "with errors"),
    ]
    x = 0.0
    segments = []
    for css, count, label in parts:
        width = 100.0 * count / total
        if count:
            segments.append(
                {
                    "css": css,
                    "x": f"{x:.3f}",
                    "width": f"{width:.3f}",
                    "count": count,
                    "label": label,
                }
            )
        x += width
    return segments


def _outcomes(upload: Upload) -> dict[str, int]:
    if upload.commit_job is None:
        return {}
    counts = dict(upload.commit_job.items.values_list("status").annotate(n=Count("id")).order_by())
    return {str(k): int(v) for k, v in counts.items()}


@require_GET
@requires(BULK_UPLOAD)
@vary_on_headers("HX-Request")
def upload_detail(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload_or_404(upload_id)
    show = request.GET.get("show", "all")
    show = show if show in SHOW else "all"
    rows = upload.rows.all()
    if show == "errors":
        rows = rows.filter(status=UploadRow.Status.INVALID)
    elif show in ("change", "same"):
        rows = rows.filter(status=show)
    page = window_page(rows.order_by("row"), page=request.GET.get("page"), per_page=ROWS_PER_PAGE)
    outcomes: dict[Any, JobItem] = {}
    job = upload.commit_job
    if job is not None and page.object_list:
        if upload.kind == Upload.Kind.PRODUCTS:
            keys = [r.key for r in page.object_list]
            outcomes = {i.key: i for i in job.items.filter(key__in=keys)}
        else:
            seqs = [r.row for r in page.object_list]
            outcomes = {i.seq: i for i in job.items.filter(seq__in=seqs)}
    lines = []
    for row in page.object_list:
        item = outcomes.get(row.key if upload.kind == Upload.Kind.PRODUCTS else row.row)
        lines.append({"row": row, "item": item, "change": _change_text(upload, row, item)})
    context = {
        "upload": upload,
        "page": page,
        "lines": lines,
        "show": show,
        "shows": SHOW,
        "bar": _bar(upload),
        "outcomes": _outcomes(upload),
        "revert_blocker": revert_blocker(job)
        if job is not None and job.kind in IMS_KINDS
        else None,
        "is_ims": upload.kind != Upload.Kind.PRODUCTS,
        "columns": _columns(upload),
    }
    htmx = getattr(request, "htmx", None)
    rows_only = (
        htmx is not None
        and bool(htmx)
        and htmx.target == "upload-rows"
        and not htmx.history_restore_request
    )
    template = "catalog/uploads/detail.html" + ("#upload-rows" if rows_only else "")
    return render(request, template, context)


def _columns(upload: Upload) -> list[str]:
    if upload.kind == Upload.Kind.INVENTORY:
        return ["SKU", "Location", "Quantity"]
    if upload.kind == Upload.Kind.PRICES:
        return ["SKU", "Location", "MRP / selling price"]
    return ["Item code", "SKU", "Size"]


def _change_text(upload: Upload, row: UploadRow, item: JobItem | None) -> str:
    """Before → after: the value the job replaced once sent, the cached one before that."""
    if upload.kind == Upload.Kind.PRODUCTS or row.status == UploadRow.Status.INVALID:
        return ""
    kind = KIND_INVENTORY if upload.kind == Upload.Kind.INVENTORY else "price_update"
    known = item.before if item is not None and item.before else row.before
    before = value_text(kind, known) if known else "not read yet"
    after = value_text(kind, row.payload)
    return f"{before} → {after}"


@require_POST
@requires(BULK_UPLOAD)
def upload_commit_view(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = _upload_or_404(upload_id)
    try:
        job = upload_commit(upload=upload, user=request.user, request=request)
    except UploadError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Sending to Konnect: {job.title}. Progress is shown below.")
    return redirect("catalog:upload_detail", upload_id=upload.pk)


@require_GET
@requires(BULK_UPLOAD)
def upload_result(request: HttpRequest, upload_id: int) -> HttpResponse:
    upload = Upload.objects.select_related("commit_job").filter(pk=upload_id).first()
    if upload is None or upload.status in (Upload.Status.CHECKING, Upload.Status.REFUSED):
        raise Http404
    only_failed = request.GET.get("rows") == "failed"
    try:
        content, filename, content_type = result_file(upload, only_failed=only_failed)
    except UploadRefused:
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@requires(MANAGE_PRICES_INVENTORY)
def stock_refresh(request: HttpRequest) -> HttpResponse:
    job = stock_sync_start(user=request.user, request=request)
    if getattr(request, "htmx", False):
        return render(
            request, "components/_job_progress.html", {"job": job, "poll_seconds": 1}, status=202
        )
    messages.success(request, "Reading stock and prices from Konnect.")
    return redirect("catalog:upload_list")
