"""Forms of the cross-cutting pages: filters for jobs and audit, and user management."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group

from konnect_admin.access import ROLES
from konnect_admin.jobs import registry
from konnect_admin.models import Job, Location


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    """Fill a choice field built at request time (the choices depend on the data)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = choices


class JobFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False)
    created_by = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Started by"
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(jobs__isnull=False).distinct().order_by("username")
        set_choices(self, "kind", [("", "All kinds")] + [(k, registry.label(k)) for k in kinds])
        set_choices(
            self, "status", [("", "Any status"), ("active", "Not finished"), *Job.Status.choices]
        )
        set_choices(
            self, "created_by", [("", "Anyone")] + [(u.pk, u.get_username()) for u in users]
        )


class AuditFilterForm(forms.Form):
    user = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(required=False)
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("username")
        set_choices(self, "user", [("", "Anyone")] + [(u.pk, u.get_username()) for u in users])
        set_choices(self, "action", [("", "Any action")] + [(a, a) for a in sorted(actions)])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class UserForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]{3,150}$",
        max_length=150,
        error_messages={"invalid": "3-150 letters, digits or . @ + - _"},
    )
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=[(r, r) for r in ROLES])
    locations = forms.ModelMultipleChoiceField(
        queryset=Location.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Warehouse staff see only shipments of these locations. None: all locations.",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        help_text="At least 10 characters. Leave empty to keep the current password.",
    )

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
        if instance is None:
            self.fields["password"].required = True
            self.fields["password"].help_text = "At least 10 characters."

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        qs = get_user_model().objects.filter(username__iexact=username)
        if self.instance is not None:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise forms.ValidationError("A user with this username already exists.")
        return username

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password, self.instance)
        return password


def role_groups() -> dict[str, Group]:
    return {g.name: g for g in Group.objects.filter(name__in=list(ROLES))}
