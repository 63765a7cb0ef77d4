"""Checking a products file: one row per size, rows of a product share its item code.

The rules are the product form's (catalog/forms.py, catalog/validation.py): slug pattern,
lengths, enumerations, the category's mandatory attributes and their types, HS code and tax
rule known and matching, brand selling in the department, selling price not above the MRP,
item code, slug and SKUs not already taken (in the catalog or earlier in the file). The payload
of a valid product is built by `catalog.payloads.product_input`, the function the form uses,
so an uploaded product is exactly what the form would have sent.

A product's columns (everything but the size columns) may be repeated on each of its rows or
left empty after the first; a different value on a later row is an error at that row. A
product goes to Konnect whole or not at all: when one of its rows has an error, its other rows
say so too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from catalog.forms import ATTR_PREFIX
from catalog.payloads import product_input
from catalog.uploads.parsing import Sheet
from catalog.uploads.specs import HeaderMatch, Spec
from catalog.uploads.validation import (
    PROGRESS_EVERY,
    CheckResult,
    Progress,
    RowReader,
    RowVerdict,
    formula_error,
    parse_money,
    price_pair_error,
    shown,
    to_number,
    without_gc,
)
from catalog.validation import (
    COUNTRIES,
    DESCRIPTION_MAX,
    ITEM_TYPES,
    NAME_MAX,
    SHORT_DESCRIPTION_MAX,
    TRADER_TYPES,
    slug_error,
)

NET_UNITS = ("g", "kg", "ml", "l", "piece", "pair", "set")
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_SPLIT_LIST = re.compile(r"\s*[|\n]\s*")
_SPLIT_MULTI = re.compile(r"\s*[|,;\n]\s*")
SIZE_KEYS = (
    "sku",
    "size",
    "mrp",
    "esp",
    "item_length",
    "item_width",
    "item_height",
    "item_weight",
    "ean",
    "track_inventory",
)


@dataclass
class Definition:
    slug: str
    name: str
    type: str
    required: bool
    values: list[str]
    max_length: int | None

    @property
    def lookup(self) -> dict[str, str]:
        return {v.lower(): v for v in self.values}


@dataclass
class ProductContext:
    """Everything a product row is checked against, loaded once per file."""

    category_name: str
    template: str
    departments: list[tuple[int, str, str]]  # (uid, name, slug), the category's, in order
    brands: dict[str, tuple[str, list[str]]]  # lower name → (name, department slugs)
    hs_codes: set[str]
    tax_rules: dict[
        str, tuple[str, str, list[str], bool]
    ]  # id or lower name → (id, name, hs, usable)
    definitions: list[Definition]
    item_codes: set[str]
    skus: set[str]
    slugs: set[tuple[str, str]]  # (lower brand, slug) already used
    countries: dict[str, str] = field(default_factory=lambda: {c.lower(): c for c in COUNTRIES})

    def department(self, text: str) -> tuple[int, str, str] | None:
        wanted = text.strip().lower()
        for uid, name, slug in self.departments:
            if wanted in (str(uid), name.lower(), slug):
                return uid, name, slug
        return None


def _yes_no(text: str) -> bool | None:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


def _number(text: str) -> Decimal | None:
    return to_number(text)


class _Product:
    """The rows of one item code while they are being checked."""

    def __init__(self, item_code: str, lead: RowVerdict) -> None:
        self.item_code = item_code
        self.lead = lead
        self.rows: list[RowVerdict] = [lead]
        self.texts: dict[str, str] = {}  # column key → the product's value
        self.rows_of: dict[str, int] = {}  # column key → the row that value came from
        self.sizes: list[tuple[RowVerdict, dict[str, Any]]] = []
        self.last_cells: list[str] = []  # the product columns of its last row, as typed


class ProductChecker:
    def __init__(self, spec: Spec, match: HeaderMatch, ctx: ProductContext) -> None:
        self.ctx = ctx
        self.match = match
        self.reader = RowReader(match)
        self.labels = {key: match.labels[i] for key, i in match.positions.items()}
        for column in spec.columns:
            self.labels.setdefault(column.key, column.label)
        self.product_keys = [
            (c.key, match.positions[c.key])
            for c in spec.columns
            if not c.size_level and c.key in match.positions and c.key != "item_code"
        ]
        self.size_keys = [
            (c.key, match.positions[c.key])
            for c in spec.columns
            if c.size_level and c.key in match.positions
        ]
        self.definitions = {ATTR_PREFIX + d.slug: d for d in ctx.definitions}
        self.enum_lookups = {ATTR_PREFIX + d.slug: d.lookup for d in ctx.definitions}

    # --- per row -----------------------------------------------------------------------------

    @without_gc
    def check(self, sheet: Sheet, progress: Progress | None = None) -> CheckResult:
        products: dict[str, _Product] = {}
        order: list[_Product] = []
        verdicts: list[RowVerdict] = []
        i_code = self.match.positions["item_code"]
        product_indexes = [i for _, i in self.product_keys]
        for row, cells in sheet.rows:
            if self.reader.is_blank(cells):
                continue
            n = len(cells)
            verdict = RowVerdict(row, "")
            verdicts.append(verdict)
            self.reader.structural(cells, verdict)
            code = cells[i_code].strip() if i_code < n else ""
            size = {key: cells[i].strip() for key, i in self.size_keys if i < n}
            verdict.summary = {
                "item_code": code,
                "sku": size.get("sku", ""),
                "size": size.get("size", ""),
            }
            if not code:
                verdict.fail(self.labels["item_code"], "Enter the item code of the product.")
                continue
            if problem := formula_error(code) if code[0] in "=+-@" else None:
                verdict.fail(self.labels["item_code"], problem)
                continue
            verdict.key = code
            product = products.get(code)
            if product is None:
                product = products[code] = _Product(code, verdict)
                order.append(product)
            else:
                product.rows.append(verdict)
            same_cells = [cells[i] if i < n else "" for i in product_indexes]
            if same_cells == product.last_cells:
                product.sizes.append((verdict, size))  # the usual case: the columns repeated
                continue
            product.last_cells = same_cells
            texts = product.texts
            if not texts:  # the product's first row
                texts.update(
                    (key, text)
                    for key, index in self.product_keys
                    if index < n and (text := cells[index].strip())
                )
                product.rows_of = dict.fromkeys(texts, row)
            else:
                self._merge(product, verdict, cells)
            product.sizes.append((verdict, size))
            if progress is not None and len(verdicts) % PROGRESS_EVERY == 0:
                progress(len(verdicts))
        self._check_products(order)
        return CheckResult(verdicts)

    # --- per product -------------------------------------------------------------------------

    def _check_products(self, order: list[_Product]) -> None:
        file_skus: dict[str, RowVerdict] = {}
        file_slugs: dict[tuple[str, str], _Product] = {}
        flagged: set[int] = set()
        built: list[tuple[_Product, dict[str, Any], list[dict[str, Any]]]] = []
        sku_label = self.labels["sku"]
        for product in order:  # first every check, across the whole file
            data = self._product_fields(product)
            sizes = []
            for verdict, size in product.sizes:
                parsed = self._size_fields(verdict, size)
                sku = size.get("sku", "")
                if sku in self.ctx.skus:
                    verdict.fail(
                        sku_label,
                        f"SKU {shown(sku)} already exists in the catalog; a new product needs"
                        " new SKUs.",
                    )
                elif sku in file_skus:
                    other = file_skus[sku]
                    verdict.fail(sku_label, f"SKU {shown(sku)} is also used in row {other.row}.")
                    if other.row not in flagged:
                        flagged.add(other.row)
                        other.fail(
                            sku_label, f"SKU {shown(sku)} is also used in row {verdict.row}."
                        )
                elif sku:
                    file_skus[sku] = verdict
                if parsed is not None:
                    sizes.append(parsed)
            if product.item_code in self.ctx.item_codes:
                product.lead.fail(
                    self.labels["item_code"],
                    f"A product with item code {shown(product.item_code)} already exists. Bulk"
                    " upload creates new products; change existing ones on their page.",
                )
            brand, slug = data.get("brand"), data.get("slug")
            if brand and slug:
                key = (str(brand).lower(), str(slug))
                if key in self.ctx.slugs:
                    self._fail_at(
                        product, "slug", f"{brand} already has a product with slug {slug}."
                    )
                elif key in file_slugs:
                    other_product = file_slugs[key]
                    self._fail_at(
                        product,
                        "slug",
                        f"Slug {slug} is also used by item code {other_product.item_code} (row"
                        f" {other_product.lead.row}); it must be unique per brand.",
                    )
                    self._fail_at(
                        other_product,
                        "slug",
                        f"Slug {slug} is also used by item code {product.item_code} (row"
                        f" {product.lead.row}); it must be unique per brand.",
                    )
                else:
                    file_slugs[key] = product
            built.append((product, data, sizes))
        for product, data, sizes in built:  # then the products that passed become payloads
            bad = [r for r in product.rows if r.status == "invalid"]
            if bad:
                for verdict in product.rows:
                    if verdict.status != "invalid":
                        verdict.fail(
                            "",
                            f"Not sent: row {bad[0].row} of the same product has errors, and a"
                            " product is sent whole or not at all.",
                        )
                continue
            data["category_name"] = self.ctx.category_name
            trader = {
                "type": data.pop("trader_type"),
                "name": data.pop("trader_name"),
                "address": data.pop("trader_address"),
            }
            # `data` holds only this category's attributes, so no filter list is needed.
            payload = product_input(data=data, sizes=sizes, traders=[trader])
            product.lead.payload = payload
            product.lead.summary["name"] = payload["name"]
            for verdict in product.rows:
                verdict.cached = False  # a new product: nothing to compare with

    def _merge(self, product: _Product, verdict: RowVerdict, cells: list[str]) -> None:
        """A later row of a product: its product columns must be empty or the same."""
        n = len(cells)
        for key, index in self.product_keys:
            if index >= n:
                continue
            text = cells[index].strip()
            if not text:
                continue
            known = product.texts.get(key)
            if known is None:
                product.texts[key] = text
                product.rows_of[key] = verdict.row
            elif known != text:
                verdict.fail(
                    self.labels[key],
                    f"“{shown(text)}” differs from row {product.rows_of[key]} of the same item"
                    f" code (“{shown(known)}”). A product's columns must match on all its rows"
                    " (or be left empty after the first).",
                )

    def _fail_at(self, product: _Product, key: str, message: str) -> None:
        """An error about a product column, at the row its value came from."""
        row = product.rows_of.get(key, product.lead.row)
        target = next((r for r in product.rows if r.row == row), product.lead)
        target.fail(self.labels[key], message)

    def _text(self, product: _Product, key: str) -> str:
        return product.texts.get(key, "")

    def _product_fields(self, product: _Product) -> dict[str, Any]:
        ctx = self.ctx
        data: dict[str, Any] = {"item_code": product.item_code}

        def fail(key: str, message: str) -> None:
            self._fail_at(product, key, message)

        def text(key: str, *, required: bool = False, limit: int = 0, what: str = "") -> str:
            value = self._text(product, key)
            if not value:
                if required:
                    fail(key, f"Enter the {what or self.labels[key].lower()}.")
                return ""
            if value[0] in "=+-@" and (problem := formula_error(value)):
                fail(key, problem)
                return ""
            if limit and len(value) > limit:
                fail(key, f"This is {len(value):,} characters long; the most is {limit:,}.")
                return ""
            return value

        data["name"] = text("name", required=True, limit=NAME_MAX, what="product name")
        slug = text("slug", required=True, limit=NAME_MAX)
        if slug and (problem := slug_error(slug)):
            fail("slug", f"“{shown(slug)}” is not a valid slug. {problem}")
            slug = ""
        data["slug"] = slug

        department_text = self._text(product, "department")
        department = ctx.departments[0] if ctx.departments else None
        if department_text:
            department = ctx.department(department_text)
            if department is None:
                names = ", ".join(d[1] for d in ctx.departments)
                fail(
                    "department",
                    f"“{shown(department_text)}” is not a department of {ctx.category_name}"
                    f" (choose one of: {names}).",
                )
        data["department"] = department[0] if department else ""

        brand_text = text("brand", required=True)
        data["brand"] = ""
        if brand_text:
            brand = ctx.brands.get(brand_text.lower())
            if brand is None:
                fail(
                    "brand",
                    f"Brand “{shown(brand_text)}” is not in the Konnect account (see Catalog data"
                    " → Brands).",
                )
            else:
                data["brand"] = brand[0]
                if department and brand[1] and department[2] not in brand[1]:
                    fail("brand", f"{brand[0]} does not sell in {department[1]}.")

        item_type = self._text(product, "item_type").lower() or "standard"
        if item_type not in ITEM_TYPES:
            fail("item_type", f"Item type must be one of {', '.join(ITEM_TYPES)}.")
        data["item_type"] = item_type

        country_text = text("country_of_origin", required=True, what="country of origin")
        data["country_of_origin"] = ctx.countries.get(country_text.lower(), "")
        if country_text and not data["country_of_origin"]:
            fail(
                "country_of_origin",
                f"“{shown(country_text)}” is not a country we know; use e.g. India, China or"
                " Bangladesh.",
            )

        hs_text = text("hs_code", required=True, what="HS code")
        hs_code = re.sub(r"[\s.]", "", hs_text)
        data["hs_code"] = hs_code
        if hs_text and hs_code not in ctx.hs_codes:
            fail(
                "hs_code",
                f"HS code {shown(hs_text)} is not known to Konnect (see Catalog data → HS codes).",
            )
            hs_code = ""

        rule_text = text("tax_rule", required=True, what="tax rule")
        data["tax_rule"] = ""
        if rule_text:
            rule = ctx.tax_rules.get(rule_text) or ctx.tax_rules.get(rule_text.lower())
            if rule is None:
                fail(
                    "tax_rule",
                    f"Tax rule “{shown(rule_text)}” is not known to Konnect (see Catalog data →"
                    " Tax rules).",
                )
            elif not rule[3]:
                fail("tax_rule", f"Tax rule {rule[1]} is not active; choose a current one.")
            elif hs_code and rule[2] and hs_code not in rule[2] and hs_code[:4] not in rule[2]:
                fail("tax_rule", f"{rule[1]} does not cover HS code {hs_code}.")
            else:
                data["tax_rule"] = rule[0]

        data["short_description"] = text("short_description", limit=SHORT_DESCRIPTION_MAX)
        data["description"] = text("description", limit=DESCRIPTION_MAX)
        data["highlights"] = "\n".join(_SPLIT_LIST.split(text("highlights")))
        data["tags"] = text("tags")
        media = [m for m in re.split(r"[\s|]+", text("media")) if m]
        for url in media:
            if not _URL.match(url):
                fail(
                    "media", f"“{shown(url)}” is not a web address; image URLs start with https://."
                )
                break
        data["media"] = "\n".join(media)

        net_value = self._text(product, "net_quantity_value")
        net_unit = self._text(product, "net_quantity_unit").lower()
        data["net_quantity_value"] = None
        if net_value:
            number = _number(net_value)
            if number is None or number < 0:
                fail("net_quantity_value", f"“{shown(net_value)}” is not a quantity (0 or more).")
            elif not net_unit:
                fail("net_quantity_unit", "Enter the unit of the net quantity (e.g. g, ml, piece).")
            else:
                data["net_quantity_value"] = number
        if net_unit and net_unit not in NET_UNITS:
            fail("net_quantity_unit", f"The unit must be one of {', '.join(NET_UNITS)}.")
        data["net_quantity_unit"] = net_unit

        boxes = self._text(product, "no_of_boxes")
        data["no_of_boxes"] = None
        if boxes:
            if boxes.isdigit():
                data["no_of_boxes"] = int(boxes)
            else:
                fail("no_of_boxes", f"“{shown(boxes)}” is not a whole number of boxes (0 or more).")

        returnable_text = self._text(product, "returnable")
        returnable = _yes_no(returnable_text) if returnable_text else True
        if returnable is None:
            fail("returnable", "Write Yes or No.")
        data["returnable"] = "Yes" if returnable is not False else "No"
        days_text = self._text(product, "return_days")
        data["return_days"] = 7
        if days_text:
            if days_text.isdigit() and int(days_text) <= 365:
                data["return_days"] = int(days_text)
            else:
                fail("return_days", "The return window is a number of days from 0 to 365.")
        dependent_text = self._text(product, "is_dependent")
        dependent = _yes_no(dependent_text) if dependent_text else False
        if dependent is None:
            fail("is_dependent", "Write Yes or No.")
        data["is_dependent"] = bool(dependent)

        trader_type = self._text(product, "trader_type") or "Manufacturer"
        canonical = {t.lower(): t for t in TRADER_TYPES}.get(trader_type.lower())
        if canonical is None:
            fail("trader_type", f"The trader type must be one of {', '.join(TRADER_TYPES)}.")
        data["trader_type"] = canonical or "Manufacturer"
        data["trader_name"] = text("trader_name", required=True, limit=200, what="trader's name")
        address = text("trader_address", required=True, what="trader's address")
        data["trader_address"] = "\n".join(_SPLIT_LIST.split(address)) if address else ""

        for key, definition in self.definitions.items():
            value = self._attribute(product, key, definition)
            if value is not None:
                data[key] = value
        return data

    def _attribute(self, product: _Product, key: str, definition: Definition) -> Any:
        raw = self._text(product, key)
        if not raw:
            if definition.required:
                self._fail_at(
                    product,
                    key,
                    f"{definition.name} is required for {self.ctx.category_name}.",
                )
            return None
        if raw[0] in "=+-@" and (problem := formula_error(raw)):
            self._fail_at(product, key, problem)
            return None
        kind = definition.type
        allowed = self.enum_lookups[key]
        if kind == "enum":
            value = allowed.get(raw.lower())
            if value is None:
                self._fail_at(product, key, self._not_allowed(raw, definition))
            return value
        if kind == "multi-enum":
            chosen = []
            for part in (p for p in _SPLIT_MULTI.split(raw) if p):
                value = allowed.get(part.lower())
                if value is None:
                    self._fail_at(product, key, self._not_allowed(part, definition))
                    return None
                chosen.append(value)
            return chosen
        if kind == "int":
            number = to_number(raw)
            if number is None or number != number.to_integral_value():
                self._fail_at(product, key, f"{definition.name} must be a whole number.")
                return None
            return int(number)
        if kind == "float":
            number = to_number(raw)
            if number is None:
                self._fail_at(product, key, f"{definition.name} must be a number.")
            return number
        if kind == "bool":
            flag = _yes_no(raw)
            if flag is None:
                self._fail_at(product, key, f"{definition.name}: write Yes or No.")
            return flag
        if kind == "date":
            try:
                return date.fromisoformat(raw[:10])
            except ValueError:
                self._fail_at(product, key, f"{definition.name} must be a date like 2026-01-31.")
                return None
        if kind == "url" and not _URL.match(raw):
            self._fail_at(product, key, f"{definition.name} must be a web address (https://…).")
            return None
        if definition.max_length and len(raw) > definition.max_length:
            self._fail_at(
                product,
                key,
                f"{definition.name} can be at most {definition.max_length} characters.",
            )
            return None
        return raw

    @staticmethod
    def _not_allowed(value: str, definition: Definition) -> str:
        values = definition.values
        listed = ", ".join(values[:8]) + (f" and {len(values) - 8} more" if len(values) > 8 else "")
        return f"“{shown(value)}” is not an allowed {definition.name}. Allowed: {listed}."

    def _size_fields(self, verdict: RowVerdict, size: dict[str, str]) -> dict[str, Any] | None:
        labels = self.labels
        start = len(verdict.errors)
        sku = size.get("sku", "")
        if not sku:
            verdict.fail(labels["sku"], "Enter the SKU of this size.")
        elif sku[0] in "=+-@" and (problem := formula_error(sku)):
            verdict.fail(labels["sku"], problem)
        elif len(sku) > 200:
            verdict.fail(labels["sku"], "A SKU can be at most 200 characters.")
        name = size.get("size", "")
        if not name:
            verdict.fail(labels["size"], "Enter the size (e.g. M, 42, 500 g).")
        elif name[0] in "=+-@" and (problem := formula_error(name)):
            verdict.fail(labels["size"], problem)
        elif len(name) > 100:
            verdict.fail(labels["size"], "A size can be at most 100 characters.")
        mrp, problem = parse_money(size.get("mrp", ""), what="The MRP")
        if problem:
            verdict.fail(labels["mrp"], problem)
        esp, problem = parse_money(size.get("esp", ""), what="The selling price")
        if problem:
            verdict.fail(labels["esp"], problem)
        if mrp is not None and esp is not None and (problem := price_pair_error(mrp, esp)):
            verdict.fail(labels["esp"], problem)
        out: dict[str, Any] = {
            "primary_identifier": sku,
            "size": name,
            "price": mrp,
            "price_effective": esp,
        }
        for key in ("item_length", "item_width", "item_height", "item_weight"):
            raw = size.get(key, "")
            if not raw:
                continue
            number = to_number(raw)
            if number is None or number < 0:
                verdict.fail(labels[key], f"“{shown(raw)}” is not a measure (a number, 0 or more).")
            else:
                out[key] = number
        ean = size.get("ean", "")
        if ean:
            if len(ean) > 100 or (ean[0] in "=+-@" and formula_error(ean)):
                verdict.fail(labels["ean"], f"“{shown(ean)}” is not a barcode.")
            else:
                out["gtin_type"], out["gtin_value"] = "EAN", ean
        track = size.get("track_inventory", "")
        flag = _yes_no(track) if track else True
        if flag is None:
            verdict.fail(labels["track_inventory"], "Write Yes or No.")
        out["track_inventory"] = bool(flag)
        return out if len(verdict.errors) == start else None


def product_context(*, category: Any) -> ProductContext:
    """Load the reference data and the catalog's identifiers for checking one category."""
    from catalog.models import (
        Brand,
        Department,
        HsCode,
        Product,
        ProductSize,
        TaxRule,
        Template,
    )
    from catalog.selectors import attribute_definitions

    template = Template.objects.filter(slug=category.template_slug).first()
    departments = Department.objects.filter(categories=category, is_active=True).order_by(
        "priority_order", "uid"
    )
    if template is not None:
        departments = departments.filter(slug__in=template.department_slugs)
    rules: dict[str, tuple[str, str, list[str], bool]] = {}
    for rule in TaxRule.objects.all():
        entry = (rule.rule_id, rule.name, list(rule.hs_codes or []), rule.is_usable)
        rules[rule.rule_id] = entry
        if rule.is_usable or rule.name.lower() not in rules:
            rules[rule.name.lower()] = entry
    live = Product.objects.exclude(state=Product.State.DELETED)
    return ProductContext(
        category_name=category.name,
        template=category.template_slug,
        departments=[(d.uid, d.name, d.slug) for d in departments],
        brands={b.name.lower(): (b.name, list(b.department_slugs)) for b in Brand.objects.all()},
        hs_codes=set(HsCode.objects.values_list("code", flat=True)),
        tax_rules=rules,
        definitions=[
            Definition(d.slug, d.name, d.type, d.required, list(d.values or []), d.max_length)
            for d in attribute_definitions(category=category)
        ],
        item_codes=set(live.values_list("item_code", flat=True)),
        skus=set(ProductSize.objects.values_list("sku", flat=True)),
        slugs={(b.lower(), s) for b, s in live.values_list("brand", "slug")},
    )
