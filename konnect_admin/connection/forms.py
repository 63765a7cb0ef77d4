"""Forms of the Settings page."""

from __future__ import annotations

from typing import Any

from django import forms

from konnect_admin.forms import set_choices
from konnect_admin.models import LocationCredential


class LocationCredentialForm(forms.Form):
    username = forms.CharField(max_length=200, label="Konnect username")
    password = forms.CharField(
        required=False,
        strip=False,
        max_length=500,
        label="Password",
        # new-password: browsers must not offer to fill in the admin's own dashboard password
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, stored: LocationCredential | None, **kwargs: Any) -> None:
        self.stored = stored
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = (
            "Leave empty to keep the stored password."
            if stored
            else "The location's Konnect password (its token in the Konnect extension)."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        keeps_password = not data.get("password")
        new_username = self.stored is None or data.get("username") != self.stored.username
        if keeps_password and new_username and "username" in data:
            self.add_error(
                "password",
                "Enter the password for this username (nothing is stored for it yet).",
            )
        return data


class ConnectionTestForm(forms.Form):
    target = forms.ChoiceField()

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "target", targets)
        self.fields["target"].error_messages["required"] = "Choose which credentials to test."
