"""Catalog writes, as the views call them: each one stores a Job and returns it."""

from __future__ import annotations

from typing import Any

from catalog.forms import ATTR_PREFIX, ProductForm
from catalog.models import Category, Product
from catalog.payloads import delete_input, product_input
from catalog.product_cache import product_sync_start
from catalog.product_writes import KIND_CREATE, KIND_DELETE, KIND_UPDATE, product_write_start
from catalog.selectors import attributes_are_fresh
from catalog.sync import category_attributes_sync_start, reference_sync_start
from konnect_admin.models import Job

__all__ = [
    "attributes_ensure",
    "product_build_payload",
    "product_create_submit",
    "product_delete_submit",
    "product_sync_start",
    "product_update_submit",
    "reference_sync_start",
]


def _form_snapshot(data: Any) -> dict[str, Any]:
    """The submitted form fields (for "fix and resubmit"); never anything secret in here."""
    return {
        key: data.getlist(key) if len(data.getlist(key)) > 1 else data.get(key)
        for key in data
        if key != "csrfmiddlewaretoken"
    }


def product_build_payload(
    form: ProductForm, sizes: list[dict[str, Any]], traders: list[dict[str, Any]]
) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["category_name"] = form.category_obj.name if form.category_obj else ""
    if form.mode == "update" and form.product is not None:
        for key in ProductForm.IMMUTABLE:
            data[key] = getattr(form.product, key)
    slugs = [d.slug for d in form.attribute_definitions]
    return product_input(
        data=data, sizes=sizes, traders=traders, mode=form.mode, attribute_slugs=slugs
    )


def _rows(formset: Any) -> list[dict[str, Any]]:
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def product_create_submit(
    *, form: ProductForm, sizes: Any, traders: Any, user: Any, request: Any = None
) -> Job:
    payload = product_build_payload(form, _rows(sizes), _rows(traders))
    return product_write_start(
        kind=KIND_CREATE,
        user=user,
        template=form.cleaned_data["template"],
        payload=payload,
        title=f"Create {payload['name']} ({payload['item_code']})",
        form_data=_form_snapshot(request.POST),
        request=request,
    )


def product_update_submit(
    *, form: ProductForm, sizes: Any, traders: Any, product: Product, user: Any, request: Any = None
) -> Job:
    payload = product_build_payload(form, _rows(sizes), _rows(traders))
    return product_write_start(
        kind=KIND_UPDATE,
        user=user,
        template=product.template,
        payload=payload,
        before=product.data,
        title=f"Update {payload['name']} ({product.item_code})",
        form_data=_form_snapshot(request.POST),
        request=request,
    )


def product_delete_submit(
    *, product: Product, user: Any, skus: list[str] | None = None, request: Any = None
) -> Job:
    payload = delete_input(product, skus=skus)
    what = f"size {', '.join(skus)} of" if skus else ""
    return product_write_start(
        kind=KIND_DELETE,
        user=user,
        template=product.template,
        payload=payload,
        before=product.data,
        title=f"Delete {what} {product.name} ({product.item_code})".replace("  ", " "),
        request=request,
    )


def attributes_ensure(*, category: Category, user: Any) -> Job | None:
    """Start fetching a category's attributes if they are missing or stale (once at a time)."""
    if attributes_are_fresh(category=category) and category.attribute_definitions.exists():
        return None
    running = (
        Job.objects.filter(kind="category_attributes_sync", params__category_uid=category.uid)
        .exclude(status__in=Job.TERMINAL)
        .first()
    )
    return running or category_attributes_sync_start(category=category, user=user)


def attribute_field_names(form: ProductForm) -> list[str]:
    return [ATTR_PREFIX + d.slug for d in form.attribute_definitions]
