"""Sign in and out."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.http import require_POST

from konnect_admin import lockout
from konnect_admin.access import public, requires
from konnect_admin.audit import client_ip

LOCKED_MESSAGE = (
    "Too many failed sign-ins for this user from your address. "
    "Wait 15 minutes or ask an admin to reset your password."
)


class LockoutAuthenticationForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        ip = client_ip(self.request)
        if lockout.is_locked(username, ip):
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            lockout.record_failure(username, ip)
            if lockout.is_locked(username, ip):
                raise forms.ValidationError(LOCKED_MESSAGE, code="locked") from None
            raise
        lockout.clear(username, ip)
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True


login_view = public(LoginView.as_view())


@require_POST
@requires()
def logout_view(request: HttpRequest) -> HttpResponseBase:
    return auth_views.LogoutView.as_view()(request)
