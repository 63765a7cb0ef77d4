"""User management for admins: role and bound locations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from konnect_admin.access import MANAGE_USERS, requires, role_of
from konnect_admin.forms import UserForm
from konnect_admin.selectors import user_list
from konnect_admin.services import user_save


@require_GET
@requires(MANAGE_USERS)
def user_list_view(request: HttpRequest) -> HttpResponse:
    users = [(u, role_of(u)) for u in user_list()]
    return render(request, "users/list.html", {"users": users})


@require_http_methods(["GET", "POST"])
@requires(MANAGE_USERS)
def user_edit(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    user = get_object_or_404(get_user_model(), pk=user_id) if user_id else None
    initial = {}
    if user is not None:
        profile = getattr(user, "profile", None)
        initial = {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "role": role_of(user),
            "is_active": user.is_active,
            "locations": list(profile.locations.all()) if profile else [],
        }
    form = UserForm(request.POST or None, instance=user, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if user is not None and user.pk == request.user.pk and not data["is_active"]:
                form.add_error("is_active", "You cannot deactivate your own account.")
            else:
                saved = user_save(
                    actor=request.user,
                    user=user,
                    username=data["username"],
                    role=data["role"],
                    locations=list(data["locations"]),
                    is_active=data["is_active"],
                    password=data["password"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    request=request,
                )
                messages.success(request, f"Saved {saved.username}.")
                return redirect("users:list")
        status = 422
    else:
        status = 200
    return render(request, "users/form.html", {"form": form, "edited": user}, status=status)
