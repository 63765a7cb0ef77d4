"""Inputs of the shipment pages: queue filters (GET), actions, saved views, the scan station."""

from __future__ import annotations

import re
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict

from orders import workflow
from orders.selectors import QueueFilters

SELF_SHIP_CHOICES = (("", "Any shipping"), ("yes", "Self-ship"), ("no", "Fynd courier"))
INVOICE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_-]{0,29}$")
AWB_NUMBER = re.compile(r"^[A-Za-z0-9-]{4,40}$")
FILTER_KEYS = ("lane", "q", "location", "channel", "date_from", "date_to", "breached", "self_ship")


class QueueFilterForm(forms.Form):
    lane = forms.ChoiceField(
        choices=[(lane.key, lane.label) for lane in workflow.LANES], required=False
    )
    q = forms.CharField(required=False, max_length=60, label="Search")
    location = forms.ChoiceField(required=False)
    channel = forms.ChoiceField(choices=[("", "All channels"), *workflow.CHANNELS], required=False)
    date_from = forms.DateField(
        required=False, label="Ordered from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="Ordered to", widget=forms.DateInput(attrs={"type": "date"})
    )
    breached = forms.BooleanField(required=False, label="SLA breached")
    self_ship = forms.ChoiceField(choices=SELF_SHIP_CHOICES, required=False, label="Shipping")
    after = forms.CharField(required=False, max_length=60)
    before = forms.CharField(required=False, max_length=60)

    def __init__(self, *args: Any, locations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        location = cast(forms.ChoiceField, self.fields["location"])
        location.choices = [("", "All my locations"), *locations]

    def filters(self) -> QueueFilters:
        """The valid filters; a bad one (a date that is not a date, a location outside the
        user's) is dropped alone, the others still apply."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return QueueFilters(
            lane=data.get("lane") or workflow.DEFAULT_LANE,
            q=(data.get("q") or "").strip(),
            location=data.get("location") or "",
            channel=data.get("channel") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            breached=bool(data.get("breached")),
            self_ship=data.get("self_ship") or "",
        )


def filter_query(params: QueryDict, **changes: Any) -> str:
    """The filters of `params` as a query string (no cursor), with `changes` applied."""
    kept = {k: params.get(k, "") for k in FILTER_KEYS}
    kept.update(changes)
    return urlencode({k: v for k, v in kept.items() if v not in ("", None)})


class ActionForm(forms.Form):
    """Every action posts here; the fields an action needs are checked in `clean`."""

    action = forms.ChoiceField(
        choices=[(name, spec.label) for name, spec in workflow.ACTIONS.items()]
    )
    shipment_ids = forms.CharField(required=False)  # overridden by getlist in `__init__`
    reason_code = forms.ChoiceField(
        choices=[("", "Choose a reason"), *workflow.CANCEL_REASONS],
        required=False,
        label="Reason",
    )
    invoice_number = forms.CharField(required=False, max_length=30, label="Invoice number")
    awb_number = forms.CharField(required=False, max_length=40, label="AWB number")
    courier_name = forms.CharField(required=False, max_length=60, label="Courier")
    auto_dispatch = forms.BooleanField(required=False, label="Dispatch now (auto-dispatch)")
    remark = forms.CharField(required=False, max_length=200)
    dp_location = forms.CharField(required=False, max_length=100, label="Courier location")
    next = forms.CharField(required=False, max_length=500)

    def __init__(self, data: QueryDict, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.ids = [v for v in data.getlist("shipment_ids") if v.strip()][:1000]
        self.items: dict[str, int] = {}
        for item_id in data.getlist("items"):
            raw = data.get(f"qty_{item_id}", "")
            try:
                self.items[item_id] = int(raw) if raw else 0
            except ValueError:
                self.items[item_id] = -1

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if not self.ids:
            raise forms.ValidationError("Select at least one shipment.")
        if action in ("cancel", "cancel_items") and not data.get("reason_code"):
            self.add_error("reason_code", "Choose why the shipment is cancelled.")
        if action == "cancel_items":
            if not self.items:
                raise forms.ValidationError("Choose the items to cancel.")
            if any(q < 1 for q in self.items.values()):
                raise forms.ValidationError("Enter a quantity of at least 1 for each chosen item.")
        if action == "invoice":
            number = (data.get("invoice_number") or "").strip()
            if not number:
                self.add_error("invoice_number", "Enter the invoice number.")
            elif not INVOICE_NUMBER.match(number):
                self.add_error(
                    "invoice_number",
                    "Use up to 30 letters, digits, / - or _ (for example INV/BHW/2627/00042).",
                )
            data["invoice_number"] = number
        if action == "awb":
            awb = (data.get("awb_number") or "").strip()
            if not AWB_NUMBER.match(awb):
                self.add_error("awb_number", "Enter the AWB: 4 to 40 letters, digits or -.")
            if not (data.get("courier_name") or "").strip():
                self.add_error("courier_name", "Enter the courier's name.")
            data["awb_number"] = awb
            data["courier_name"] = (data.get("courier_name") or "").strip()
        return data

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        options = {
            k: data[k]
            for k in (
                "reason_code",
                "invoice_number",
                "awb_number",
                "courier_name",
                "auto_dispatch",
                "remark",
                "dp_location",
            )
            if data.get(k) not in (None, "")
        }
        if data.get("action") == "cancel_items":
            options["items"] = dict(self.items)
        return options

    def error_text(self) -> str:
        messages = [str(e) for e in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name != "__all__":
                label = self.fields[name].label or name
                messages.extend(f"{label}: {e}" for e in errors)
        return " ".join(messages) or "Check the form."


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=60, label="Name this view")
    query = forms.CharField(max_length=1000, required=False)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter a name.")
        return str(name)

    def clean_query(self) -> str:
        params = QueryDict(self.cleaned_data.get("query") or "")
        return filter_query(params)


class ScanLookupForm(forms.Form):
    code = forms.CharField(max_length=64, required=False, label="Shipment id or AWB")


class ScanItemForm(forms.Form):
    sku = forms.CharField(max_length=200, required=False, label="Scan item")
