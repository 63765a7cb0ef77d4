"""Product forms built from cached Konnect metadata, plus the browse filters.

The product form narrows every dependent choice from the bound data (template → department →
L3 category → brand, attributes from the category), so a tampered POST with a category outside
the department or an unknown enumeration value is refused here, on the server.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory
from django.forms.utils import ErrorDict
from django.urls import reverse

from catalog import selectors
from catalog.models import (
    AttributeDefinition,
    Category,
    Department,
    HsCode,
    Product,
    ProductSize,
    TaxRule,
    Template,
)
from catalog.validation import (
    COUNTRIES,
    DESCRIPTION_MAX,
    GTIN_TYPES,
    ITEM_TYPES,
    NAME_MAX,
    SHORT_DESCRIPTION_MAX,
    TRADER_TYPES,
    attribute_value_error,
    slug_error,
)
from konnect_admin.forms import set_choices

ATTR_PREFIX = "attr__"
MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
DIMENSION: dict[str, Any] = {
    "max_digits": 10,
    "decimal_places": 2,
    "min_value": Decimal("0"),
    "required": False,
}


def _choices(
    items: list[Any], label: Any = str, value: Any = None, blank: str = "Choose…"
) -> list[tuple[Any, str]]:
    return [("", blank)] + [((value(i) if value else i.pk), label(i)) for i in items]


def _live_check(widget: forms.Widget, field: str, *, create: bool) -> None:
    """Inline validation while typing: the field's wrapper is swapped with the server's verdict."""
    url = reverse("catalog:product_field_validate", args=[field])
    widget.attrs.update(
        {
            "hx-post": url,
            "hx-trigger": "input changed delay:500ms, change",
            "hx-include": "#product-form",
            "hx-target": f"#field-{field}",
            "hx-swap": "outerHTML",
            "hx-sync": "closest form:abort",
        }
    )


class SizeForm(forms.Form):
    primary_identifier = forms.CharField(max_length=200, label="SKU (primary identifier)")
    size = forms.CharField(max_length=100)
    price = forms.DecimalField(label="MRP (₹)", **MONEY)
    price_effective = forms.DecimalField(label="Selling price (₹)", **MONEY)
    item_length = forms.DecimalField(label="Length (cm)", **DIMENSION)
    item_width = forms.DecimalField(label="Width (cm)", **DIMENSION)
    item_height = forms.DecimalField(label="Height (cm)", **DIMENSION)
    item_weight = forms.DecimalField(label="Weight (g)", **DIMENSION)
    gtin_type = forms.ChoiceField(
        choices=[("", "—")] + [(t, t) for t in GTIN_TYPES if t != "SKU"],
        required=False,
        label="Extra identifier",
    )
    gtin_value = forms.CharField(max_length=100, required=False, label="Identifier value")
    track_inventory = forms.BooleanField(required=False, initial=True)
    # The SKU an existing size had when the form was drawn: a SKU is a size's identity in
    # Konnect, so an existing size cannot be renamed (a new SKU is a new size).
    original_sku = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        original, sku = data.get("original_sku"), data.get("primary_identifier")
        if original and sku and sku != original:
            self.add_error(
                "primary_identifier",
                "The SKU of an existing size cannot change; add a new size instead.",
            )
        price, effective = data.get("price"), data.get("price_effective")
        if price is not None and effective is not None and effective > price:
            self.add_error("price_effective", "The selling price cannot be above the MRP.")
        if data.get("gtin_type") and not data.get("gtin_value"):
            self.add_error("gtin_value", "Enter the identifier's value.")
        return data


class TraderForm(forms.Form):
    type = forms.ChoiceField(choices=[(t, t) for t in TRADER_TYPES])
    name = forms.CharField(max_length=200)
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="One line per address line."
    )


class BaseRequiredFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    noun = "row"

    def clean(self) -> None:
        if any(self.errors):
            return
        filled = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]  # type: ignore[attr-defined]
        if not filled:
            raise forms.ValidationError(f"Add at least one {self.noun}.")


class SizeFormSet(BaseRequiredFormSet):
    noun = "size"

    def clean(self) -> None:
        super().clean()
        seen: dict[str, int] = {}
        for index, form in enumerate(self.forms):
            sku = (form.cleaned_data or {}).get("primary_identifier")
            if not sku:
                continue
            if sku in seen:
                form.add_error(
                    "primary_identifier",
                    f"The same SKU is already used in size row {seen[sku] + 1}.",
                )
            seen[sku] = index


class TraderFormSet(BaseRequiredFormSet):
    noun = "trader"


SizeFormSetFactory = formset_factory(
    SizeForm, formset=SizeFormSet, extra=0, min_num=1, can_delete=True
)
TraderFormSetFactory = formset_factory(
    TraderForm, formset=TraderFormSet, extra=0, min_num=1, can_delete=True
)


class ProductForm(forms.Form):
    """The product create/update form. `mode="update"` locks the identifying fields."""

    template = forms.ChoiceField(help_text="The product type blueprint. Cannot change later.")
    department = forms.ChoiceField()
    category = forms.ChoiceField(help_text="The leaf (L3) category; its attributes appear below.")
    brand = forms.ChoiceField(help_text="Cannot change later.")
    name = forms.CharField(max_length=NAME_MAX, min_length=1)
    slug = forms.CharField(
        max_length=NAME_MAX, help_text="Lower-case words joined by hyphens. Unique per brand."
    )
    item_code = forms.CharField(
        max_length=200, label="Item code", help_text="Your unique code for the product."
    )
    item_type = forms.ChoiceField(
        choices=[(t, t.capitalize()) for t in ITEM_TYPES], initial="standard"
    )
    country_of_origin = forms.ChoiceField(choices=[(c, c) for c in COUNTRIES], initial="India")
    hs_code = forms.CharField(
        max_length=12, label="HS code", help_text="Type a code or a word to search."
    )
    tax_rule = forms.ChoiceField(label="Tax rule")
    short_description = forms.CharField(max_length=SHORT_DESCRIPTION_MAX, required=False)
    description = forms.CharField(
        max_length=DESCRIPTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    highlights = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One highlight per line.",
    )
    tags = forms.CharField(required=False, help_text="Comma-separated.")
    media = forms.CharField(  # type: ignore[assignment]
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Image addresses (https://…), one per line.",
    )
    net_quantity_value = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=3,
        label="Net quantity",
    )
    net_quantity_unit = forms.ChoiceField(
        required=False,
        label="Unit",
        choices=[
            ("", "—"),
            ("g", "g"),
            ("kg", "kg"),
            ("ml", "ml"),
            ("l", "l"),
            ("piece", "piece"),
            ("pair", "pair"),
            ("set", "set"),
        ],
    )
    no_of_boxes = forms.IntegerField(required=False, min_value=0, label="Number of boxes")
    returnable = forms.ChoiceField(
        choices=[("Yes", "Returnable"), ("No", "Not returnable")], initial="Yes"
    )
    return_days = forms.IntegerField(
        required=False, min_value=0, max_value=365, initial=7, label="Return window (days)"
    )
    is_dependent = forms.BooleanField(required=False, label="Depends on another product")

    IMMUTABLE = ("template", "brand", "slug", "item_code")

    def __init__(
        self, *args: Any, mode: str = "create", product: Product | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.mode = mode
        self.product = product
        self.templates = list(Template.objects.order_by("name"))
        self.template_obj = self._pick(self.templates, self._value("template"), key="slug")
        departments = list(
            Department.objects.filter(is_active=True).order_by("priority_order", "uid")
        )
        if self.template_obj is not None:
            departments = [d for d in departments if d.slug in self.template_obj.department_slugs]
        self.department_obj = self._pick(departments, self._value("department"), key="uid")
        self.categories = list(
            selectors.l3_categories(department=self.department_obj, template=self.template_obj)
        )
        self.category_obj = self._pick(self.categories, self._value("category"), key="uid")
        self.brands = selectors.brands_for_department(department=self.department_obj)
        self.tax_rules = list(selectors.tax_rules_usable())

        set_choices(
            self,
            "template",
            _choices(self.templates, label=lambda t: t.name, value=lambda t: t.slug),
        )
        set_choices(
            self, "department", _choices(departments, label=lambda d: d.name, value=lambda d: d.uid)
        )
        set_choices(
            self,
            "category",
            _choices(
                self.categories,
                value=lambda c: c.uid,
                label=lambda c: (
                    f"{c.name} ({c.parent.parent.name} > {c.parent.name})"
                    if c.parent and c.parent.parent
                    else c.name
                ),
                blank="Choose a department first…" if self.department_obj is None else "Choose…",
            ),
        )
        set_choices(
            self, "brand", _choices(self.brands, label=lambda b: b.name, value=lambda b: b.name)
        )
        set_choices(
            self,
            "tax_rule",
            _choices(self.tax_rules, label=lambda r: r.name, value=lambda r: r.rule_id),
        )

        self.attribute_definitions: list[AttributeDefinition] = (
            selectors.attribute_definitions(category=self.category_obj) if self.category_obj else []
        )
        for definition in self.attribute_definitions:
            self.fields[ATTR_PREFIX + definition.slug] = attribute_field(definition)

        for name in ("slug", "item_code", "name"):
            _live_check(self.fields[name].widget, name, create=mode == "create")
        if mode == "update":
            for name in self.IMMUTABLE:
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed once the product exists in Konnect."

    def unjudged(self) -> ProductForm:
        """This form drawn while the user is still filling it in (a new category's attributes,
        a department's categories): the choices made so far, and no verdict on the fields not
        filled yet. Only a submit, or a field's own live check, shows errors."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        return self

    # -- helpers --------------------------------------------------------------------------------
    def _value(self, name: str) -> str:
        if self.is_bound:
            if self.mode == "update" and name in self.IMMUTABLE:
                return str(self.initial.get(name) or "")
            return str(self.data.get(self.add_prefix(name)) or "")
        return str(self.initial.get(name) or "")

    @staticmethod
    def _pick(items: list[Any], value: str, *, key: str) -> Any:
        return next((i for i in items if str(getattr(i, key)) == value), None) if value else None

    @property
    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[ATTR_PREFIX + d.slug] for d in self.attribute_definitions]

    @property
    def required_attributes_missing(self) -> bool:
        return bool(self.category_obj) and not self.attribute_definitions

    # -- validation -----------------------------------------------------------------------------
    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        message = slug_error(slug)
        if message:
            raise forms.ValidationError(message)
        return slug

    def clean_item_code(self) -> str:
        code: str = self.cleaned_data["item_code"].strip()
        if (
            self.mode == "create"
            and Product.objects.filter(item_code=code).exclude(state=Product.State.DELETED).exists()
        ):
            raise forms.ValidationError("A product with this item code already exists.")
        return code

    def clean_hs_code(self) -> str:
        code: str = self.cleaned_data["hs_code"].strip().split(" ")[0]
        if not HsCode.objects.filter(code=code).exists():
            raise forms.ValidationError(
                "Choose an HS code from the list (it must exist in Konnect)."
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.mode == "create" and data.get("slug") and data.get("brand"):
            taken = Product.objects.filter(brand=data["brand"], slug=data["slug"]).exclude(
                state=Product.State.DELETED
            )
            if taken.exists():
                self.add_error("slug", f"{data['brand']} already has a product with this slug.")
        if self.category_obj is None and data.get("category"):
            self.add_error("category", "Choose a category of the chosen department.")
        if self.category_obj is not None and not self.attribute_definitions:
            self.add_error(
                "category",
                "This category's attributes are not loaded yet; wait a moment and try again.",
            )
        for definition in self.attribute_definitions:
            name = ATTR_PREFIX + definition.slug
            if name in self.errors:
                continue
            message = attribute_value_error(definition, data.get(name))
            if message:
                self.add_error(name, message)
        rule = data.get("tax_rule")
        hs_code = data.get("hs_code")
        if rule and hs_code:
            tax_rule = next((r for r in self.tax_rules if r.rule_id == rule), None)
            if (
                tax_rule
                and tax_rule.hs_codes
                and hs_code not in tax_rule.hs_codes
                and hs_code[:4] not in tax_rule.hs_codes
            ):
                self.add_error("tax_rule", f"{tax_rule.name} does not cover HS code {hs_code}.")
        return data

    def tax_rule_for_hs(self, hs_code: str) -> TaxRule | None:
        return next(
            (r for r in self.tax_rules if hs_code in r.hs_codes or hs_code[:4] in r.hs_codes), None
        )


def attribute_field(definition: AttributeDefinition) -> forms.Field:
    """The form field for one attribute definition: its type decides the widget."""
    common: dict[str, Any] = {
        "label": definition.name + (f" ({definition.unit})" if definition.unit else ""),
        "required": definition.required,
        "help_text": definition.help,
    }
    kind = definition.type
    if kind == "enum":
        return forms.ChoiceField(
            choices=[("", "Choose…")] + [(v, v) for v in definition.values], **common
        )
    if kind == "multi-enum":
        return forms.MultipleChoiceField(
            choices=[(v, v) for v in definition.values],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == "bool":
        return forms.TypedChoiceField(
            choices=[("", "Choose…"), ("true", "Yes"), ("false", "No")],
            coerce=lambda v: v == "true",
            empty_value=None,
            **common,
        )
    if kind == "int":
        return forms.IntegerField(**common)
    if kind == "float":
        return forms.DecimalField(max_digits=14, decimal_places=4, **common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "url":
        return forms.URLField(assume_scheme="https", **common)
    if kind == "html":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    return forms.CharField(max_length=definition.max_length or None, **common)


class ProductFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *Product.State.choices])


class BrowseFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")


class HsCodeFilterForm(BrowseFilterForm):
    type = forms.ChoiceField(
        required=False,
        choices=[("", "HS and SAC"), ("HS", "HS (goods)"), ("SAC", "SAC (services)")],
    )


class TaxRuleFilterForm(BrowseFilterForm):
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), ("ACTIVE", "Active"), ("INACTIVE", "Inactive")]
    )
    version_status = forms.ChoiceField(
        required=False,
        label="Version",
        choices=[("", "Any version"), ("CURRENT", "Current"), ("FUTURE", "Future")],
    )


class CategoryFilterForm(BrowseFilterForm):
    level = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any level"), (1, "L1"), (2, "L2"), (3, "L3")],
    )
    department = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "department",
            [("", "Any department")]
            + [(d.uid, d.name) for d in Department.objects.order_by("priority_order")],
        )


def size_initial(size: ProductSize) -> dict[str, Any]:
    data = size.data or {}
    extra: dict[str, Any] = next(
        (i for i in data.get("identifiers") or [] if not i.get("primary")), {}
    )
    return {
        "primary_identifier": size.sku,
        "size": size.size,
        "price": size.price,
        "price_effective": size.price_effective,
        "item_length": data.get("item_length"),
        "item_width": data.get("item_width"),
        "item_height": data.get("item_height"),
        "item_weight": data.get("item_weight"),
        "gtin_type": extra.get("gtin_type", ""),
        "gtin_value": extra.get("gtin_value", ""),
        "track_inventory": data.get("track_inventory", True),
        "original_sku": size.sku,
    }


def category_for(uid: Any) -> Category | None:
    return Category.objects.filter(uid=uid).first() if uid else None
