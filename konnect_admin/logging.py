"""Logging filter and error-report filter that keep Konnect secrets out of logs and reports."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

from konnect_admin.redaction import MASK, scrub


class RedactingFilter(logging.Filter):
    """Formats the record's message once and scrubs it, so arguments cannot smuggle secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must not kill logging
            return True
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
            record.msg = f"{record.msg} [{type(exc).__name__}]"
        return True


class SecretsExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter plus URL settings with embedded passwords and Konnect-specific names."""

    hidden_settings = re.compile(
        r"API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|_URL$", flags=re.IGNORECASE
    )

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        params = super().get_post_parameters(request)
        if request is None:
            return params
        cleaned = params.copy() if hasattr(params, "copy") else dict(params)
        for key in list(cleaned.keys()):
            if re.search(r"token|password|secret|key", key, re.IGNORECASE):
                cleaned[key] = MASK
        return cleaned
