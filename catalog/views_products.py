"""Product list, detail, and the HTMX create/update form with its fragments."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from catalog import selectors
from catalog.forms import (
    ProductFilterForm,
    ProductForm,
    SizeFormSetFactory,
    TraderFormSetFactory,
    size_initial,
)
from catalog.models import HsCode, Product, ProductSize
from catalog.payloads import form_location, initial_from_product, traders_initial
from catalog.preview import preview_payload
from catalog.product_writes import product_errors
from catalog.services import (
    attributes_ensure,
    product_create_submit,
    product_delete_submit,
    product_sync_start,
    product_update_submit,
)
from catalog.views_stock import stock_section_context
from konnect_admin.access import MANAGE_CATALOG, VIEW_CATALOG, requires
from konnect_admin.htmx import page_or_partial
from konnect_admin.models import Job
from konnect_admin.paging import window_page
from konnect_admin.selectors import job_get

FORM_TEMPLATE = "catalog/product_form.html"


# --- list and detail -------------------------------------------------------------------------


@require_GET
@requires(VIEW_CATALOG)
@vary_on_headers("HX-Request")
def product_list(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    page = window_page(
        selectors.product_search(q=data.get("q") or "", state=data.get("state") or ""),
        page=request.GET.get("page"),
        per_page=50,
    )
    state = selectors.sync_state("products")
    local_skus = ProductSize.objects.exclude(product__state=Product.State.DELETED).count()
    template = page_or_partial(request, "catalog/product_list.html", "product-results")
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "sync": state,
            "stale": selectors.is_stale(state),
            "local_skus": local_skus,
            "mismatch": state is not None
            and state.remote_count is not None
            and state.remote_count != local_skus,
        },
    )


@require_POST
@requires(VIEW_CATALOG)
def product_refresh(request: HttpRequest) -> HttpResponse:
    job = product_sync_start(user=request.user, request=request)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "components/_job_progress.html", {"job": job, "poll_seconds": 1}, status=202
        )
    return redirect("catalog:product_list")


def _product_or_404(product_id: int) -> Product:
    product = selectors.product_get(pk=product_id)
    if product is None:
        raise Http404
    return product


@require_GET
@requires(VIEW_CATALOG)
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product_or_404(product_id)
    job = product.last_job
    return render(
        request,
        "catalog/product_detail.html",
        {
            "product": product,
            "job": job,
            "errors": product_errors(job) if job else [],
            "payload": json.dumps(product.data, indent=2, ensure_ascii=False),
            "attributes": _attribute_rows(product),
            **stock_section_context(product),
        },
    )


def _attribute_rows(product: Product) -> list[tuple[str, Any]]:
    names = {
        d.slug: d.name
        for d in (product.category.attribute_definitions.all() if product.category else [])
    }
    return [
        (names.get(k, k), ", ".join(v) if isinstance(v, list) else v)
        for k, v in (product.data.get("attributes") or {}).items()
    ]


# --- the form ----------------------------------------------------------------------------------


def _formsets(
    request: HttpRequest,
    *,
    sizes: list[dict[str, Any]] | None = None,
    traders: list[dict[str, Any]] | None = None,
    data: Any = None,
) -> tuple[Any, Any]:
    sizes_fs = SizeFormSetFactory(data, prefix="sizes", initial=sizes)
    traders_fs = TraderFormSetFactory(
        data,
        prefix="traders",
        initial=traders or [{"type": "Manufacturer", "name": "", "address": ""}],
    )
    return sizes_fs, traders_fs


def _render_form(
    request: HttpRequest,
    form: ProductForm,
    sizes: Any,
    traders: Any,
    *,
    status: int = 200,
    attr_job: Job | None = None,
    product: Product | None = None,
) -> HttpResponse:
    payload = preview_payload(form, sizes, traders)
    return render(
        request,
        FORM_TEMPLATE,
        {
            "form": form,
            "sizes": sizes,
            "traders": traders,
            "product": product,
            "attr_job": attr_job,
            "payload": json.dumps(payload, indent=2, ensure_ascii=False),
        },
        status=status,
    )


def _apply_remote_errors(
    form: ProductForm, sizes: Any, traders: Any, errors: list[dict[str, str]]
) -> None:
    """Put Konnect's per-record errors back on the fields and size rows they concern."""
    for error in errors:
        where, row, field = form_location(error.get("field", ""))
        target = {"sizes": sizes, "traders": traders}.get(where)
        message = error.get("message") or "Konnect refused this value."
        if target is not None and row is not None and row < len(target.forms):
            sub = target.forms[row]
            sub.add_error(field if field in sub.fields else None, message)
        elif field in form.fields:
            form.add_error(field, message)
        else:
            form.add_error(None, f"{error.get('field') or 'Product'}: {message}")


def _from_job(request: HttpRequest) -> Job | None:
    job_id = request.GET.get("from_job")
    return job_get(user=request.user, job_id=int(job_id)) if job_id and job_id.isdigit() else None


@require_http_methods(["GET", "POST"])
@requires(MANAGE_CATALOG)
def product_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProductForm(request.POST)
        sizes, traders = _formsets(request, data=request.POST)
        if form.is_valid() and sizes.is_valid() and traders.is_valid():
            created_job = product_create_submit(
                form=form, sizes=sizes, traders=traders, user=request.user, request=request
            )
            messages.success(
                request, f"Sent to Konnect: {created_job.title}. Progress is shown below."
            )
            created = Product.objects.get(item_code=form.cleaned_data["item_code"])
            url = reverse("catalog:product_detail", args=[created.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)  # type: ignore[attr-defined]
        return _render_form(request, form, sizes, traders, status=422)
    source_job = _from_job(request)
    if source_job is not None and source_job.params.get("form_data"):
        from django.http import QueryDict

        data = QueryDict(mutable=True)
        for key, value in source_job.params["form_data"].items():
            data.setlist(key, value if isinstance(value, list) else [value])
        form = ProductForm(data)
        sizes, traders = _formsets(request, data=data)
        form.is_valid(), sizes.is_valid(), traders.is_valid()
        _apply_remote_errors(form, sizes, traders, product_errors(source_job))
        return _render_form(request, form, sizes, traders)
    form = ProductForm(initial={"template": request.GET.get("template", "")})
    sizes, traders = _formsets(request, sizes=[{}])
    return _render_form(request, form, sizes, traders)


@require_http_methods(["GET", "POST"])
@requires(MANAGE_CATALOG)
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product_or_404(product_id)
    initial = initial_from_product(product)
    if request.method == "POST":
        form = ProductForm(request.POST, initial=initial, mode="update", product=product)
        sizes, traders = _formsets(request, data=request.POST)
        if form.is_valid() and sizes.is_valid() and traders.is_valid():
            update_job = product_update_submit(
                form=form,
                sizes=sizes,
                traders=traders,
                product=product,
                user=request.user,
                request=request,
            )
            messages.success(request, f"Sent to Konnect: {update_job.title}.")
            url = reverse("catalog:product_detail", args=[product.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)  # type: ignore[attr-defined]
        return _render_form(request, form, sizes, traders, status=422, product=product)
    form = ProductForm(initial=initial, mode="update", product=product)
    sizes, traders = _formsets(
        request,
        sizes=[size_initial(s) for s in product.sizes.all()],
        traders=traders_initial(product),
    )
    job = _from_job(request)
    if job is not None:
        _apply_remote_errors(form, sizes, traders, product_errors(job))
    return _render_form(request, form, sizes, traders, product=product)


@require_POST
@requires(MANAGE_CATALOG)
def product_delete(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product_or_404(product_id)
    job = product_delete_submit(product=product, user=request.user, request=request)
    messages.success(request, f"Sent to Konnect: {job.title}.")
    return redirect("catalog:product_detail", product_id=product.pk)


@require_POST
@requires(MANAGE_CATALOG)
def product_size_delete(request: HttpRequest, product_id: int, sku: str) -> HttpResponse:
    product = _product_or_404(product_id)
    if not product.sizes.filter(sku=sku).exists():
        raise Http404
    if product.sizes.count() == 1:
        messages.error(
            request, "This is the product's only size: delete the whole product instead."
        )
        return redirect("catalog:product_detail", product_id=product.pk)
    job = product_delete_submit(product=product, user=request.user, skus=[sku], request=request)
    messages.success(request, f"Sent to Konnect: {job.title}.")
    return redirect("catalog:product_detail", product_id=product.pk)


# --- form fragments ------------------------------------------------------------------------------


def _fragment_form(request: HttpRequest) -> ProductForm:
    """The form as the browser has it now; hidden _mode/_product fields mark the update form."""
    data = request.POST if request.method == "POST" else request.GET
    product = None
    if data.get("_mode") == "update" and str(data.get("_product", "")).isdigit():
        product = selectors.product_get(pk=int(data["_product"]))
    if product is None:
        return ProductForm(data)
    return ProductForm(data, initial=initial_from_product(product), mode="update", product=product)


@require_GET
@requires(MANAGE_CATALOG)
def product_category_block(request: HttpRequest) -> HttpResponse:
    """Template or department changed: new department/category choices, empty attributes."""
    form = _fragment_form(request).unjudged()
    return render(request, f"{FORM_TEMPLATE}#category-block", {"form": form, "oob_brand": True})


@require_POST
@requires(MANAGE_CATALOG)
def product_attribute_fields(request: HttpRequest) -> HttpResponse:
    """Category changed: its attribute fieldset, or a progress bar while they are fetched.

    A POST because it may start a Job that fetches the attributes (no state changes on GET)."""
    form = _fragment_form(request).unjudged()
    attr_job = (
        attributes_ensure(category=form.category_obj, user=request.user)
        if form.category_obj
        else None
    )
    if attr_job is not None:
        attr_job.refresh_from_db()  # with an eager queue it may have finished already
        if attr_job.is_terminal:
            form = _fragment_form(request).unjudged()
            attr_job = attr_job if attr_job.status == Job.Status.FAILED else None
    suggestion = None
    if form.category_obj is not None and form.category_obj.hs_code:
        hs = HsCode.objects.filter(code=form.category_obj.hs_code).first()
        rule = form.tax_rule_for_hs(form.category_obj.hs_code)
        suggestion = {"hs": hs, "rule": rule}
    return render(
        request,
        f"{FORM_TEMPLATE}#attribute-fields",
        {"form": form, "attr_job": attr_job, "suggestion": suggestion, "oob_suggestion": True},
    )


@require_POST
@requires(MANAGE_CATALOG)
def product_field_validate(request: HttpRequest, name: str) -> HttpResponse:
    form = _fragment_form(request)
    if name not in ("slug", "item_code", "name"):
        raise Http404
    form.is_valid()
    return render(request, "components/_field.html", {"field": form[name], "validated": True})


@require_POST
@requires(MANAGE_CATALOG)
def product_preview(request: HttpRequest) -> HttpResponse:
    form = _fragment_form(request)
    sizes, traders = _formsets(request, data=request.POST)
    payload = preview_payload(form, sizes, traders)
    return render(
        request,
        f"{FORM_TEMPLATE}#payload-preview",
        {"payload": json.dumps(payload, indent=2, ensure_ascii=False), "form": form},
    )


@require_GET
@requires(MANAGE_CATALOG)
def hs_code_options(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("hs_code") or request.GET.get("q") or "").strip().split(" ")[0]
    codes = (
        HsCode.objects.filter(Q(code__startswith=q) | Q(description__icontains=q))
        if q
        else HsCode.objects.all()
    )
    return render(request, "catalog/_hs_code_options.html", {"codes": codes.order_by("code")[:30]})
