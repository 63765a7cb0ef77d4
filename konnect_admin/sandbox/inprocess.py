"""An in-process transport to the sandbox: plain `requests`, no server, no sockets.

    from konnect_admin.sandbox.inprocess import SANDBOX_BASE_URL, sandbox_session

    session = sandbox_session()
    session.get(SANDBOX_BASE_URL + "aggregator/v1/token", params={...})

`SandboxAdapter` turns the PreparedRequest into a WSGI environ and calls Django's WSGIHandler
in this process (same database connection, the full middleware stack), then builds a real
requests.Response. Injected faults that real HTTP would act out by waiting or dropping the
connection raise instead: requests.ReadTimeout for a timeout (after the write was applied)
and requests.ConnectionError for a reset, so tests never sleep.

Django's handler closes "obsolete" database connections at the start and end of a request;
inside a test transaction that would close the test's own connection, so (like Django's test
client) the adapter disconnects that signal handler around the call.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import requests
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.http.request import validate_host
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from konnect_admin.sandbox.api import EXCEPTION_KEY
from konnect_admin.sandbox.faults import INPROCESS_KEY, OUTCOME_KEY

SANDBOX_BASE_URL = "http://sandbox.invalid/sandbox/"


class SandboxAdapter(BaseAdapter):
    """A requests transport adapter that answers from this process's Django app."""

    def __init__(self, raise_server_errors: bool = False) -> None:
        super().__init__()
        self.raise_server_errors = raise_server_errors
        self._handler: WSGIHandler | None = None

    @property
    def handler(self) -> WSGIHandler:
        if self._handler is None:  # built lazily: settings may be overridden before first use
            self._handler = WSGIHandler()
        return self._handler

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        environ = _environ(request)
        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured["status"] = status
            captured["headers"] = headers
            return lambda data: None

        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            result = self.handler(environ, start_response)
            try:
                content = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()  # fires request_finished, as a WSGI server would
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

        if self.raise_server_errors and EXCEPTION_KEY in environ:
            _type, value, traceback = environ[EXCEPTION_KEY]
            raise value.with_traceback(traceback)
        outcome = environ.get(OUTCOME_KEY)
        if outcome == "reset":
            raise requests.ConnectionError(
                "Connection reset by the sandbox (injected fault)", request=request
            )
        if outcome == "timeout":
            raise requests.ReadTimeout(
                "Read timed out: the sandbox applied the request, then did not answer "
                "(injected fault)",
                request=request,
            )
        return self._response(request, captured, content)

    def _response(
        self, request: requests.PreparedRequest, captured: dict[str, Any], content: bytes
    ) -> requests.Response:
        response = requests.Response()
        code, _, reason = str(captured["status"]).partition(" ")
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(captured["headers"])
        response.encoding = get_encoding_from_headers(response.headers)
        response._content = content
        response._content_consumed = True  # type: ignore[attr-defined]
        response.raw = io.BytesIO(content)
        response.url = request.url or ""
        response.request = request
        response.connection = self  # type: ignore[assignment]  # stubs expect HTTPAdapter
        return response

    def close(self) -> None:
        pass


def _host_for_django(hostname: str) -> str:
    """The URL's host if Django accepts it; otherwise one it accepts (the base URL's host,
    e.g. sandbox.invalid, is a name no network can resolve, on purpose)."""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    for candidate in (hostname, "localhost", "testserver", "127.0.0.1"):
        if validate_host(candidate, allowed):
            return candidate
    concrete = [h.lstrip(".") for h in allowed if h not in ("*",) and h.lstrip(".")]
    return concrete[0] if concrete else hostname


def _environ(request: requests.PreparedRequest) -> dict[str, Any]:
    url = urlsplit(request.url or "")
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    secure = url.scheme == "https"
    port = url.port or (443 if secure else 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": (request.method or "GET").upper(),
        "SCRIPT_NAME": "",
        # WSGI carries the path as bytes decoded as latin-1 (PEP 3333)
        "PATH_INFO": unquote_to_bytes(url.path or "/").decode("iso-8859-1"),
        "QUERY_STRING": url.query,
        "SERVER_NAME": _host_for_django(url.hostname or "localhost"),
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        INPROCESS_KEY: True,
    }
    environ["HTTP_HOST"] = environ["SERVER_NAME"]
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key == "CONTENT_LENGTH":
            continue
        elif key != "HOST":
            environ[f"HTTP_{key}"] = value
    return environ


def sandbox_session(
    base_url: str = SANDBOX_BASE_URL, *, raise_server_errors: bool = False
) -> requests.Session:
    """A requests.Session whose calls under `base_url`'s host go to the in-process sandbox."""
    parts = urlsplit(base_url)
    session = requests.Session()
    session.mount(f"{parts.scheme}://{parts.netloc}/", SandboxAdapter(raise_server_errors))
    return session
