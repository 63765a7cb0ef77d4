"""Wire formats shared by every endpoint: the contract's error body, the catalog page,
the IMS `meta` envelope (A) and the OMS bulk-action result (B), and JSON/query parsing."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse

ERROR_CODES = (
    "UNAUTHORIZED",
    "FORBIDDEN",
    "VALIDATION_FAILED",
    "BATCH_LIMIT",
    "NOT_FOUND",
    "METHOD_NOT_ALLOWED",
    "CONFLICT",  # control API only: a Fynd event that does not apply to the shipment now
    "RATE_LIMITED",
    "UNAVAILABLE",
    "INTERNAL",
)


class ApiError(Exception):
    """A request-level refusal: becomes the contract's error body with `status`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = [dict(e) for e in errors]
        self.headers = dict(headers or {})

    def response(self) -> JsonResponse:
        return error_response(self.status, self.code, self.message, self.errors, self.headers)


def error_response(
    status: int,
    code: str,
    message: str,
    errors: Sequence[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> JsonResponse:
    body = {"status": "error", "message": message, "code": code, "errors": list(errors)}
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def invalid(message: str, field: str = "", code: str = "invalid") -> ApiError:
    errors = [{"field": field, "code": code, "message": message}] if field else []
    return ApiError(400, "VALIDATION_FAILED", message, errors)


def not_found(message: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "FORBIDDEN", message)


def batch_limit(limit: int, got: int) -> ApiError:
    return ApiError(
        400, "BATCH_LIMIT", f"At most {limit} records per request; this request has {got}."
    )


# --- formats ----------------------------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    """ISO-8601 in UTC with seconds and offset, as in the documented `orderDate`."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds")


def iso_ms(value: datetime) -> str:
    """ISO-8601 in UTC with milliseconds, as in the documented IMS `meta.time`."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def iso_z(value: datetime) -> str:
    """ISO-8601 with microseconds and Z, as in the documented `last_updated_on`."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- request parsing --------------------------------------------------------------------------


def json_body(request: HttpRequest) -> Any:
    """The parsed JSON body; refuses a missing body, a non-JSON content type or bad JSON."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if not request.body:
        raise invalid("The request needs a JSON body.")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise invalid("Content-Type must be application/json.", "Content-Type")
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(f"The body is not valid JSON: {exc}.") from exc


def int_param(
    request: HttpRequest, name: str, default: int, low: int, high: int | None = None
) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"{name} must be an integer.", name, "type") from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise invalid(f"{name} must be {bounds}.", name, "range")
    return value


def bool_param(request: HttpRequest, name: str) -> bool | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise invalid(f"{name} must be true or false.", name, "enum")
    return lowered == "true"


def enum_param(request: HttpRequest, name: str, allowed: Sequence[str]) -> str | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise invalid(f"{name} must be one of {', '.join(allowed)}.", name, "enum")
    return raw


def csv_param(request: HttpRequest, name: str) -> list[str]:
    raw = request.GET.get(name, "")
    return [part.strip() for part in raw.split(",") if part.strip()]


# --- envelopes --------------------------------------------------------------------------------


def catalog_page(items: list[Any], page_number: int, page_size: int, total: int) -> dict[str, Any]:
    return {"items": items, "page_number": page_number, "page_size": page_size, "total": total}


def outcome(payload_count: int, failed_count: int) -> str:
    """SUCCESS when nothing failed, FAILED when everything did, PARTIAL otherwise (C)."""
    if failed_count == 0:
        return "SUCCESS"
    return "FAILED" if failed_count >= payload_count else "PARTIAL"


def ims_envelope(
    payload_count: int,
    errors: list[dict[str, Any]],
    *,
    ack_id: str,
    integration_id: str,
    at: datetime,
) -> dict[str, Any]:
    """Envelope A: price, inventory, self-ship awb and status."""
    failed = len(errors)
    return {
        "data": {
            "payload_count": payload_count,
            "success_count": payload_count - failed,
            "failed_count": failed,
            "errors": errors,
        },
        "meta": {
            "ack_id": ack_id,
            "integrationId": integration_id,
            "time": iso_ms(at),
            "status": outcome(payload_count, failed),
        },
    }


def oms_envelope(payload_count: int, errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Envelope B: cancel, confirm, invoiceUpdate, pack, dispatch, return."""
    failed = len(errors)
    return {
        "payloadCount": payload_count,
        "successCount": payload_count - failed,
        "failedCount": failed,
        "status": outcome(payload_count, failed),
        "errors": errors,
    }
