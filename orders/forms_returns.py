"""Inputs of the returns pages: queue filters, the quality check, the credit note."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils import timezone

from orders import photos, workflow
from orders.forms import QueueFilterForm
from orders.models import ShipmentItem
from orders.photos import ImageInfo
from orders.returns import KINDS, QcLine
from orders.selectors import QueueFilters

CREDIT_NOTE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_-]{0,29}$")
RETURN_FILTER_KEYS = (
    "lane",
    "q",
    "location",
    "channel",
    "date_from",
    "date_to",
    "self_ship",
    "kind",
)
NOTE_MAX = 500


class ReturnFilterForm(QueueFilterForm):
    """The shipment queue's filters with the returns lanes, and returns or RTOs only."""

    lane = forms.ChoiceField(
        choices=[(lane.key, lane.label) for lane in workflow.RETURN_LANES], required=False
    )
    kind = forms.ChoiceField(choices=KINDS, required=False, label="Kind")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["breached"]  # a dispatch-by notion of the forward lanes

    def filters(self) -> QueueFilters:
        base = super().filters()
        data = getattr(self, "cleaned_data", {})
        return replace(base, lane=data.get("lane") or workflow.DEFAULT_RETURN_LANE)

    def kind_value(self) -> str:
        return str(getattr(self, "cleaned_data", {}).get("kind") or "")


def return_filter_query(params: QueryDict, **changes: Any) -> str:
    kept = {k: params.get(k, "") for k in RETURN_FILTER_KEYS}
    kept.update(changes)
    return urlencode({k: v for k, v in kept.items() if v not in ("", None)})


# --- quality check -------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": photos.ACCEPTED_TYPES, "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        one = super().clean
        if isinstance(data, (list, tuple)):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


def qc_reason_choices() -> list[Any]:
    """Good condition, then the reference 13.2 slugs grouped by qualifier; each option says
    its qualifier too, since a closed select does not show its group."""
    return [
        ("", "Good condition"),
        *[
            (qualifier, [(slug, f"{qualifier} · {label}") for slug, label in slugs])
            for qualifier, slugs in workflow.QC_REASONS
        ],
    ]


def _short(name: str) -> str:
    name = name or "the file"
    return name if len(name) <= 60 else name[:57] + "…"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass
class ItemFields:
    item: ShipmentItem
    decision: forms.BoundField
    reason: forms.BoundField
    note: forms.BoundField
    photos: forms.BoundField


class QcForm(forms.Form):
    """Accept or reject each item of a return, with its condition, a note and photos."""

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        items: list[ShipmentItem],
        allow_reject: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, files, **kwargs)
        decisions = [("accept", "Accept"), ("reject", "Reject")][: 2 if allow_reject else 1]
        self.items = [i for i in items if not i.is_cancelled]
        self.images: dict[str, list[tuple[UploadedFile, ImageInfo]]] = {}
        for item in self.items:
            key = item.order_item_id
            self.fields[f"decision_{key}"] = forms.ChoiceField(
                choices=decisions,
                widget=forms.RadioSelect,
                label=f"Decision for {item.sku}",
                error_messages={"required": "Choose accept or reject."},
            )
            self.fields[f"reason_{key}"] = forms.ChoiceField(
                choices=qc_reason_choices(), required=False, label="Condition"
            )
            self.fields[f"note_{key}"] = forms.CharField(
                required=False,
                max_length=NOTE_MAX,
                label="Note",
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
            )
            self.fields[f"photos_{key}"] = MultipleFileField(required=False, label="Photos")

    def item_fields(self) -> list[ItemFields]:
        return [
            ItemFields(
                item,
                self[f"decision_{item.order_item_id}"],
                self[f"reason_{item.order_item_id}"],
                self[f"note_{item.order_item_id}"],
                self[f"photos_{item.order_item_id}"],
            )
            for item in self.items
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        limit, most = photos.max_bytes(), photos.per_item()
        for item in self.items:
            key = item.order_item_id
            if data.get(f"decision_{key}") == "reject" and not data.get(f"reason_{key}"):
                self.add_error(
                    f"reason_{key}", "Choose the condition that makes you reject this item."
                )
            uploads = cast(list[UploadedFile], data.get(f"photos_{key}") or [])
            if len(uploads) > most:
                self.add_error(f"photos_{key}", f"At most {most} photos per item.")
                continue
            found: list[tuple[UploadedFile, ImageInfo]] = []
            for upload in uploads:
                size = int(upload.size or 0)
                if size > limit:
                    self.add_error(
                        f"photos_{key}",
                        f"{_short(upload.name or '')} is {_mb(size)}; each photo may be at"
                        f" most {_mb(limit)}.",
                    )
                    continue
                upload.seek(0)
                info = photos.sniff_image(upload.read())
                upload.seek(0)
                if info is None:
                    self.add_error(
                        f"photos_{key}",
                        f"{_short(upload.name or '')} is not a JPEG, PNG or WebP photo.",
                    )
                    continue
                found.append((upload, info))
            self.images[key] = found
        return data

    def lines(self) -> list[QcLine]:
        data = self.cleaned_data
        return [
            QcLine(
                order_item_id=item.order_item_id,
                decision=str(data[f"decision_{item.order_item_id}"]),
                reason_code=str(data.get(f"reason_{item.order_item_id}") or ""),
                note=str(data.get(f"note_{item.order_item_id}") or "").strip(),
                photos=self.images.get(item.order_item_id, []),
            )
            for item in self.items
        ]


class CreditNoteForm(forms.Form):
    credit_note_number = forms.CharField(max_length=30, label="Credit note number")
    credit_note_date = forms.DateField(
        label="Credit note date", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_credit_note_number(self) -> str:
        number = str(self.cleaned_data["credit_note_number"]).strip()
        if not CREDIT_NOTE_NUMBER.match(number):
            raise forms.ValidationError(
                "Use up to 30 letters, digits, / - or _ (for example CN/BHW/2627/00042)."
            )
        return number

    def clean_credit_note_date(self) -> date:
        when = cast(date, self.cleaned_data["credit_note_date"])
        if when > timezone.localdate():
            raise forms.ValidationError("The credit note date cannot be in the future.")
        return when

    def error_text(self) -> str:
        return " ".join(
            f"{self.fields[name].label}: {error}"
            for name, errors in self.errors.items()
            for error in errors
        )
