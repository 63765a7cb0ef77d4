"""Browse pages for cached reference data, and the "Sync now" button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from catalog import selectors
from catalog.forms import BrowseFilterForm, CategoryFilterForm, HsCodeFilterForm, TaxRuleFilterForm
from catalog.models import Department
from catalog.services import reference_sync_start
from konnect_admin.access import VIEW_CATALOG, requires
from konnect_admin.htmx import page_or_partial

PER_PAGE = 50


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


def _context(
    request: HttpRequest, entity: str, form: Any, items: Any, **extra: Any
) -> dict[str, Any]:
    state = selectors.sync_state(entity)
    return {
        "form": form,
        "page": _page(request, items),
        "entity": entity,
        "sync": state,
        "stale": selectors.is_stale(state),
        **extra,
    }


def _clean(form: Any) -> dict[str, Any]:
    return form.cleaned_data if form.is_valid() else {}


@require_GET
@requires(VIEW_CATALOG)
def browse(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/browse.html", {"entities": selectors.browse_summary()})


@require_POST
@requires(VIEW_CATALOG)
def sync_start(request: HttpRequest) -> HttpResponse:
    entities = [e for e in request.POST.getlist("entity") if e in selectors.REFERENCE_ENTITIES]
    job = reference_sync_start(
        user=request.user, entities=entities or selectors.REFERENCE_ENTITIES, request=request
    )
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "components/_job_progress.html", {"job": job, "poll_seconds": 1}, status=202
        )
    messages.success(request, "Sync started.")
    return redirect("catalog:browse")


@require_GET
@requires(VIEW_CATALOG)
@vary_on_headers("HX-Request")
def departments(request: HttpRequest) -> HttpResponse:
    form = BrowseFilterForm(request.GET)
    items = selectors.department_list(q=_clean(form).get("q") or "")
    template = page_or_partial(request, "catalog/departments.html", "browse-results")
    return render(request, template, _context(request, "departments", form, items))


@require_GET
@requires(VIEW_CATALOG)
@vary_on_headers("HX-Request")
def categories(request: HttpRequest) -> HttpResponse:
    form = CategoryFilterForm(request.GET)
    data = _clean(form)
    searching = bool(data.get("q") or data.get("level") or data.get("department"))
    items = (
        selectors.category_search(
            q=data.get("q") or "", level=data.get("level"), department_uid=data.get("department")
        )
        if searching
        else []
    )
    roots = [] if searching else list(selectors.category_children(parent_id=None))
    template = page_or_partial(request, "catalog/categories.html", "browse-results")
    return render(
        request,
        template,
        _context(request, "categories", form, items, roots=roots, searching=searching),
    )


@require_GET
@requires(VIEW_CATALOG)
def category_children(request: HttpRequest, category_id: int) -> HttpResponse:
    children = list(selectors.category_children(parent_id=category_id))
    return render(
        request, "catalog/_category_children.html", {"children": children, "parent_id": category_id}
    )


@require_GET
@requires(VIEW_CATALOG)
@vary_on_headers("HX-Request")
def brands(request: HttpRequest) -> HttpResponse:
    form = BrowseFilterForm(request.GET)
    department = request.GET.get("department", "")
    items = selectors.brand_list(q=_clean(form).get("q") or "", department_slug=department)
    template = page_or_partial(request, "catalog/brands.html", "browse-results")
    departments = {d.slug: d.name for d in Department.objects.all()}
    return render(
        request, template, _context(request, "brands", form, items, department_names=departments)
    )


@require_GET
@requires(VIEW_CATALOG)
@vary_on_headers("HX-Request")
def hs_codes(request: HttpRequest) -> HttpResponse:
    form = HsCodeFilterForm(request.GET)
    data = _clean(form)
    items = selectors.hs_code_list(q=data.get("q") or "", type=data.get("type") or "")
    template = page_or_partial(request, "catalog/hs_codes.html", "browse-results")
    return render(request, template, _context(request, "hs_codes", form, items))


@require_GET
@requires(VIEW_CATALOG)
@vary_on_headers("HX-Request")
def tax_rules(request: HttpRequest) -> HttpResponse:
    form = TaxRuleFilterForm(request.GET)
    data = _clean(form)
    items = selectors.tax_rule_list(
        q=data.get("q") or "",
        status=data.get("status") or "",
        version_status=data.get("version_status") or "",
    )
    template = page_or_partial(request, "catalog/tax_rules.html", "browse-results")
    return render(request, template, _context(request, "tax_rules", form, items))


@require_GET
@requires(VIEW_CATALOG)
@vary_on_headers("HX-Request")
def templates(request: HttpRequest) -> HttpResponse:
    form = BrowseFilterForm(request.GET)
    items = selectors.template_list(q=_clean(form).get("q") or "")
    template = page_or_partial(request, "catalog/templates.html", "browse-results")
    departments = {d.slug: d.name for d in Department.objects.all()}
    return render(
        request, template, _context(request, "templates", form, items, department_names=departments)
    )
