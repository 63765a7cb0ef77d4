"""The one decorator every Konnect endpoint of the sandbox goes through.

In order: method check, fault injection (Konnect paths only), the lazy Fynd-side work that is
due (catalog traces, courier assignment), token authentication, the view, then the
after-apply faults (timeout, reset). Request-level refusals are ApiError, rendered as the
contract's error body; an unexpected exception is a JSON 500, logged.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from konnect_admin.access import public
from konnect_admin.sandbox import clock, due, faults, ids
from konnect_admin.sandbox.auth import token_check
from konnect_admin.sandbox.models import Token
from konnect_admin.sandbox.wire import ApiError, error_response, forbidden

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Sandbox-Request-Id"
EXCEPTION_KEY = "sandbox.exception"  # the in-process transport can re-raise it in tests


@dataclass
class Ctx:
    """What a sandbox view needs besides the request."""

    request: HttpRequest
    request_id: str
    now: datetime
    token: Token | None = None

    @property
    def auth(self) -> Token:
        if self.token is None:
            raise RuntimeError("this view was declared auth=False but reads the token")
        return self.token


ApiView = Callable[..., HttpResponseBase]


def konnect_api(
    *methods: str, auth: bool = True, control: bool = False
) -> Callable[[ApiView], ApiView]:
    """Declare an endpoint: allowed methods, whether it needs a token, and whether it is a
    control endpoint (no faults, company token required)."""

    def decorator(view: ApiView) -> ApiView:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            ctx = Ctx(request=request, request_id=ids.hex24(), now=clock.now())
            response = _handle(view, ctx, methods, auth, control, args, kwargs)
            response[REQUEST_ID_HEADER] = ctx.request_id
            return response

        return public(csrf_exempt(wrapper))

    return decorator


def _handle(
    view: ApiView,
    ctx: Ctx,
    methods: tuple[str, ...],
    auth: bool,
    control: bool,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> HttpResponseBase:
    request = ctx.request
    if request.method not in methods:
        refusal = error_response(
            405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed here."
        )
        refusal["Allow"] = ", ".join(methods)
        return refusal
    plan = faults.NO_FAULT
    if not control:
        plan, early = faults.start(request)
        if early is not None:
            return early
    response: HttpResponseBase
    try:
        due.process(ctx.now)
        if auth:
            ctx.token = token_check(request, ctx.now)
            if control and not ctx.token.is_company:
                raise forbidden("The sandbox control API needs a company token.")
        response = view(request, ctx, *args, **kwargs)
    except ApiError as exc:
        response = exc.response()
    except Exception:
        logger.exception("sandbox: unexpected error in %s", request.path)
        request.META[EXCEPTION_KEY] = sys.exc_info()
        response = error_response(500, "INTERNAL", "Unexpected sandbox error.")
    if plan.after and isinstance(response, HttpResponse):
        return faults.finish(request, plan, response)
    return response
