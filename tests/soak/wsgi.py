"""What gunicorn serves in a soak run: the whole app, with a counter in front of the sandbox.

Every request to a Konnect path of the sandbox (`/sandbox/...`, not `/sandbox/_control/`) is
written, as it arrives and before any fault is injected, as one line
`<unix time> <METHOD> <path under /sandbox/> <records in the body>` to
`$SOAK_CALLS_DIR/calls-<pid>.log`. Those are the sandbox-side counts behind the retry
amplification: a write refused with a 5xx, a 429 or a dropped connection is counted as much as
one that was applied. The body is read and handed on unchanged (gunicorn's reset fault uses
`gunicorn.socket`, not `wsgi.input`).
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from konnect_admin.wsgi import application as django_application

PREFIX = "/sandbox/"
CONTROL = "/sandbox/_control/"
_files: dict[int, int] = {}


def _records(raw: bytes) -> int:
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        return 0
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict) and isinstance(body.get("products"), list):
        return len(body["products"])
    return 0


def _write(line: str) -> None:
    pid = os.getpid()
    fd = _files.get(pid)
    if fd is None:
        folder = Path(os.environ.get("SOAK_CALLS_DIR", "."))
        fd = _files[pid] = os.open(
            folder / f"calls-{pid}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644
        )
    os.write(fd, line.encode())  # one write per line with O_APPEND: lines never interleave


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = str(environ.get("PATH_INFO") or "")
    if path.startswith(PREFIX) and not path.startswith(CONTROL):
        method = str(environ.get("REQUEST_METHOD") or "GET")
        records = 0
        if method != "GET":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(raw)
            records = _records(raw)
        _write(f"{time.time():.3f} {method} {path[len(PREFIX) :]} {records}\n")
    return django_application(environ, start_response)
