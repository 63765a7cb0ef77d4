"""GET aggregator/v1/token, plus the sandbox's root and its JSON 404 for unknown paths."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from konnect_admin.sandbox.api import Ctx, konnect_api
from konnect_admin.sandbox.auth import scope_for, token_issue
from konnect_admin.sandbox.wire import ApiError, invalid, not_found


@konnect_api("GET", auth=False)
def token(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    username = request.GET.get("username", "")
    password = request.GET.get("password", "")
    if not username:
        raise invalid("username is required.", "username", "required")
    if not password:
        raise invalid("password is required.", "password", "required")
    scope = scope_for(username, password)
    if scope is None:
        raise ApiError(401, "UNAUTHORIZED", "Wrong username or password.")
    issued = token_issue(username, scope, ctx.now)
    return JsonResponse({"access_token": issued.key, "status": "success"})


@konnect_api("GET", auth=False)
def index(request: HttpRequest, ctx: Ctx) -> JsonResponse:
    return JsonResponse(
        {
            "status": "success",
            "message": "Konnect sandbox. Get a token at aggregator/v1/token; see docs/sandbox.md.",
        }
    )


@konnect_api("GET", "POST", "PUT", "DELETE", "PATCH", auth=False)
def unknown_path(request: HttpRequest, ctx: Ctx, rest: str) -> JsonResponse:
    raise not_found(f"No sandbox endpoint at /{rest}.")
