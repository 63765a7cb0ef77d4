"""The live JSON preview: the payload that would be sent, even while the form has errors.

Valid fields contribute their cleaned values (exactly what will be sent); fields that do not
validate yet show what was typed, so the preview follows the merchandiser keystroke by keystroke.
"""

from __future__ import annotations

from typing import Any

from catalog.forms import ProductForm
from catalog.payloads import product_input
from catalog.validation import to_decimal


def _merged(form: Any) -> dict[str, Any]:
    form.is_valid()
    raw = {name: form[name].value() for name in form.fields}
    cleaned = getattr(form, "cleaned_data", {}) or {}
    return {**raw, **{k: v for k, v in cleaned.items() if k not in form.errors}}


def _rows(formset: Any) -> list[dict[str, Any]]:
    rows = []
    for sub in formset.forms:
        data = _merged(sub)
        if data.get("DELETE") or not any(
            v for k, v in data.items() if k not in ("track_inventory", "type")
        ):
            continue
        for key in (
            "price",
            "price_effective",
            "item_length",
            "item_width",
            "item_height",
            "item_weight",
        ):
            if isinstance(data.get(key), str):
                data[key] = to_decimal(data[key])
        rows.append(
            {
                **{
                    "primary_identifier": "",
                    "size": "",
                    "price": None,
                    "price_effective": None,
                    "type": "",
                    "name": "",
                    "address": "",
                },
                **data,
            }
        )
    return rows


def preview_payload(form: ProductForm, sizes: Any, traders: Any) -> dict[str, Any]:
    data = _merged(form)
    if form.mode == "update" and form.product is not None:
        for key in ProductForm.IMMUTABLE:
            data[key] = getattr(form.product, key)
    data["category_name"] = form.category_obj.name if form.category_obj else ""
    for key in (
        "name",
        "slug",
        "item_code",
        "brand",
        "country_of_origin",
        "tax_rule",
        "hs_code",
        "department",
    ):
        data[key] = data.get(key) or ""
    slugs = [d.slug for d in form.attribute_definitions]
    product = product_input(
        data=data, sizes=_rows(sizes), traders=_rows(traders), mode=form.mode, attribute_slugs=slugs
    )
    if product["departments"] == [""]:
        product["departments"] = []
    return {"products": [product], "template": data.get("template") or ""}
