"""Request-level guards: body size limit and absolute session lifetime."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string

SESSION_STARTED_KEY = "_konnect_session_started"


class RequestSizeLimitMiddleware:
    """Refuse bodies over REQUEST_MAX_BYTES before Django reads them (413, friendly page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            limit_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
            body = render_to_string("errors/413.html", {"limit_mb": limit_mb, "request": request})
            return HttpResponse(body, status=413)
        return self.get_response(request)


class AbsoluteSessionMiddleware:
    """End sessions older than SESSION_ABSOLUTE_SECONDS, however active they are."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        return self.get_response(request)


class HtmxMessagesMiddleware:
    """Deliver Django messages raised during an htmx request as out-of-band toasts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or getattr(response, "streaming", False):
            return response
        if 300 <= response.status_code < 400:
            return response  # keep them for the page the redirect leads to
        if "HX-Redirect" in response or "HX-Location" in response or "HX-Refresh" in response:
            return response  # the next full page shows them
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        storage = messages.get_messages(request)
        if getattr(storage, "used", False) or not len(storage):
            return response  # already rendered by the page itself, or nothing to say
        html = render_to_string("components/_messages.html", {"messages": storage})
        response.content += f'<div id="toasts" hx-swap-oob="beforeend">{html}</div>'.encode()
        return response
