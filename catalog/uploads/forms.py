"""The upload form: what the file holds, the category for products, and the file itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from catalog.models import Category, Upload
from konnect_admin.forms import set_choices


def l3_category_choices() -> list[tuple[str, str]]:
    categories = (
        Category.objects.filter(level=3, is_active=True)
        .select_related("parent__parent")
        .order_by("name")
    )
    return [("", "Choose a category…")] + [
        (
            str(c.uid),
            f"{c.name} ({c.parent.parent.name} > {c.parent.name})"
            if c.parent and c.parent.parent
            else c.name,
        )
        for c in categories
    ]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Upload.Kind.choices, widget=forms.RadioSelect, label="The file holds"
    )
    category = forms.ChoiceField(required=False, label="Category of the products")
    file = forms.FileField(
        label="CSV or Excel file (.csv, .xlsx)",
        error_messages={
            "empty": "The file is empty.",
            "required": "Choose the file to upload.",
            "invalid": "No file was received; choose it again.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", l3_category_choices())
        self.fields["file"].widget.attrs["accept"] = (
            ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        limit = int(settings.UPLOAD_MAX_BYTES) // (1024 * 1024)
        self.fields["file"].help_text = (
            f"Up to {limit} MB and {int(settings.UPLOAD_MAX_ROWS):,} rows. UTF-8 or Windows-1252"
            " CSV (comma or semicolon), or an Excel workbook; the first sheet is read."
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(settings.UPLOAD_MAX_BYTES)
        if upload.size > limit:  # refused before a byte of it is parsed
            raise forms.ValidationError(
                f"The file is {upload.size / 1048576:,.1f} MB; the most one upload can be is"
                f" {limit / 1048576:,.0f} MB. Split it into smaller files."
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Upload.Kind.PRODUCTS:
            uid = data.get("category")
            category = Category.objects.filter(uid=uid, level=3).first() if uid else None
            if category is None:
                self.add_error("category", "Choose the category: its attributes are the columns.")
            data["category_obj"] = category
        else:
            data["category_obj"] = None
        return data
