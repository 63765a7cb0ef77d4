"""Downloadable templates: the headers of each kind of upload and one example row, as CSV or
XLSX. The products template is per category and carries the category's attribute columns; the
XLSX has a second sheet explaining every column (the first sheet is the one that is read)."""

from __future__ import annotations

import csv
import io
from typing import Any

from catalog.models import Brand, Category, Department, HsCode, ProductSize, TaxRule
from catalog.uploads.specs import INVENTORY, PRICES, Column, Spec, products_spec
from konnect_admin.models import Location


def _example_sku() -> tuple[str, str, str]:
    size = ProductSize.objects.order_by("sku").first()
    if size is None:
        return "SKU-001-M", "999", "799"
    return (
        size.sku,
        f"{size.price:f}".rstrip("0").rstrip("."),
        f"{size.price_effective:f}".rstrip("0").rstrip("."),
    )


def _example_location() -> str:
    return (
        Location.objects.filter(is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
        or "BHW-WH-01"
    )


def _attribute_example(definition: Any) -> str:
    values = list(definition.values or [])
    return {
        "enum": values[0] if values else "",
        "multi-enum": " | ".join(values[:2]),
        "int": "1",
        "float": "1.5",
        "bool": "No",
        "date": "2026-01-31",
        "url": "https://example.com/size-chart",
    }.get(definition.type, "")


def product_example(category: Category, spec: Spec) -> list[dict[str, str]]:
    """Two rows (two sizes of one product) with values valid for the category."""
    from catalog.selectors import attribute_definitions

    department = (
        Department.objects.filter(categories=category, is_active=True)
        .order_by("priority_order", "uid")
        .first()
    )
    brand = next(
        (
            b
            for b in Brand.objects.order_by("name")
            if department is None or not b.department_slugs or department.slug in b.department_slugs
        ),
        None,
    )
    hs = HsCode.objects.filter(code=category.hs_code).first() or HsCode.objects.first()
    hs_code = hs.code if hs else ""
    rule = next(
        (
            r
            for r in TaxRule.objects.filter(status="ACTIVE", version_status="CURRENT").order_by(
                "name"
            )
            if not r.hs_codes or hs_code in r.hs_codes or hs_code[:4] in r.hs_codes
        ),
        None,
    )
    common = {
        "item_code": "EXAMPLE-001",
        "name": f"Example {category.name.rstrip('s')}",
        "slug": f"example-{category.slug}"[:60],
        "brand": brand.name if brand else "",
        "department": department.name if department else "",
        "item_type": "standard",
        "country_of_origin": "India",
        "hs_code": hs_code,
        "tax_rule": rule.name if rule else "",
        "short_description": "One line about it",
        "highlights": "First highlight | Second highlight",
        "returnable": "Yes",
        "return_days": "7",
        "trader_type": "Manufacturer",
        "trader_name": "Example Manufacturing Pvt Ltd",
        "trader_address": "Plot 1, Industrial Area | Pune, Maharashtra 411001",
    }
    for definition in attribute_definitions(category=category):
        common[f"attr__{definition.slug}"] = _attribute_example(definition)
    sizes = [
        {"sku": "EXAMPLE-001-M", "size": "M", "mrp": "999", "esp": "799", "item_weight": "200"},
        {"sku": "EXAMPLE-001-L", "size": "L", "mrp": "999", "esp": "799", "item_weight": "220"},
    ]
    return [{**common, **size} for size in sizes]


def template_rows(kind: str, category: Category | None = None) -> tuple[Spec, list[dict[str, str]]]:
    if kind == "inventory":
        sku, _, _ = _example_sku()
        return INVENTORY, [{"sku": sku, "location": _example_location(), "quantity": "25"}]
    if kind == "prices":
        sku, mrp, esp = _example_sku()
        return PRICES, [
            {"sku": sku, "location": _example_location(), "mrp": mrp, "esp": esp, "currency": "INR"}
        ]
    if category is None:
        raise ValueError("the products template needs a category")
    from catalog.selectors import attribute_definitions

    spec = products_spec(attribute_definitions(category=category), category_name=category.name)
    return spec, product_example(category, spec)


def template_file(
    kind: str, file_format: str, category: Category | None = None
) -> tuple[bytes, str, str]:
    spec, examples = template_rows(kind, category)
    name = f"{kind}-template" + (f"-{category.slug}" if category else "")
    header = [c.label for c in spec.columns]
    rows = [[example.get(c.key, "") for c in spec.columns] for example in examples]
    if file_format == "xlsx":
        return (
            _xlsx(spec, header, rows),
            f"{name}.xlsx",
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    # With a BOM, Excel opens the file as UTF-8 (₹, é ...) instead of the local code page.
    return out.getvalue().encode("utf-8-sig"), f"{name}.csv", "text/csv; charset=utf-8"


def _xlsx(spec: Spec, header: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(header)
    for cell, column in zip(sheet[1], spec.columns, strict=True):
        cell.font = Font(bold=column.required)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[_letter(index)].width = max(12, min(40, len(column.label) + 4))
    help_sheet = book.create_sheet("How to fill")
    help_sheet.append(["Column", "Required", "What to write"])
    for column in spec.columns:
        help_sheet.append([column.label, "Yes" if column.required else "", _rule(column)])
    help_sheet.column_dimensions["A"].width = 28
    help_sheet.column_dimensions["C"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rule(column: Column) -> str:
    return column.rule or ""


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))
