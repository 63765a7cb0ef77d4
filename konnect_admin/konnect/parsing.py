"""Turning Konnect's JSON answers into the typed shapes of `types.py`.

An answer that does not have the documented shape raises KonnectError naming the endpoint, so a
change on Konnect's side shows up as a clear failure instead of a KeyError deep in a sync.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from konnect_admin.konnect.errors import KonnectError
from konnect_admin.konnect.types import (
    FailedRecord,
    FieldError,
    ImsRecordError,
    ImsResult,
    OmsRecordError,
    OmsResult,
    Page,
    TraceStatus,
    WriteAccepted,
)
from konnect_admin.redaction import scrub

T = TypeVar("T")


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def unexpected(path: str, what: str) -> KonnectError:
    return KonnectError(f"Konnect sent an unexpected answer to {path} ({what})", path=path)


def as_object(body: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise unexpected(path, "expected a JSON object")
    return body


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _list(body: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise unexpected(path, f"'{key}' is not a list")
    return value


def array(body: Any, path: str) -> list[Any]:
    if not isinstance(body, list):
        raise unexpected(path, "expected a JSON array")
    return body


def page(body: Any, path: str, *, page_number: int, page_size: int) -> Page[T]:
    data = as_object(body, path)
    items = cast(list[T], _list(data, "items", path))
    number = _int(data.get("page_number"), page_number)
    size = _int(data.get("page_size"), page_size) or page_size
    total = _int(data.get("total"), len(items))
    has_next = bool(items) and len(items) >= size and number * size < total
    return Page(items=items, page_number=number, page_size=size, total=total, has_next=has_next)


def items(body: Any, path: str) -> list[Any]:
    return _list(as_object(body, path), "items", path)


def _field_errors(value: Any) -> list[FieldError]:
    if not isinstance(value, list):
        return []
    found: list[FieldError] = []
    for entry in value:
        if isinstance(entry, Mapping):
            error = FieldError(
                field=str(entry.get("field") or ""), message=scrub(str(entry.get("message") or ""))
            )
            if entry.get("code"):
                error["code"] = str(entry["code"])
            found.append(error)
        elif entry:
            found.append(FieldError(field="", message=scrub(str(entry))))
    return found


def errors_by_index(value: Any) -> dict[int, list[FieldError]]:
    """The contract's `{"3": [{"field", "message"}]}` with integer keys."""
    if not isinstance(value, Mapping):
        return {}
    found: dict[int, list[FieldError]] = {}
    for key, entries in value.items():
        try:
            index = int(key)
        except (TypeError, ValueError):
            continue  # a general (not per-record) error; the message carries it
        found[index] = _field_errors(entries)
    return found


def write_accepted(body: Any, path: str) -> WriteAccepted:
    data = as_object(body, path)
    trace_id = str(data.get("trace_id") or "")
    if not trace_id:
        raise unexpected(path, "no trace_id")
    return WriteAccepted(
        trace_id=trace_id,
        total=_int(data.get("total")),
        success=_int(data.get("success")),
        failed=_int(data.get("failed")),
        status=str(data.get("status") or ""),
        errors=errors_by_index(data.get("errors")),
        stage=str(data.get("stage") or ""),
    )


def trace_status(body: Any, path: str) -> TraceStatus:
    data = as_object(body, path)
    meta = as_mapping(data.get("meta"))
    errors = errors_by_index(data.get("errors"))
    failed_records: list[FailedRecord] = []
    for entry in _list(meta, "failed_records", path):
        if not isinstance(entry, Mapping):
            continue
        record = FailedRecord(errors=_field_errors(entry.get("errors")))
        if entry.get("index") is not None:
            record["index"] = _int(entry.get("index"))
            errors.setdefault(record["index"], record["errors"])
        if entry.get("item_code"):
            record["item_code"] = str(entry["item_code"])
        failed_records.append(record)
    return TraceStatus(
        trace_id=str(data.get("trace_id") or ""),
        status=str(data.get("status") or ""),
        stage=str(data.get("stage") or ""),
        total=_int(data.get("total")),
        succeeded=_int(data.get("success")),
        failed=_int(data.get("failed")),
        errors=errors,
        failed_records=failed_records,
        message=scrub(str(data.get("message") or "")),
    )


def ims_result(body: Any, path: str) -> ImsResult:
    data = as_object(body, path)
    inner = as_object(data.get("data"), path)
    meta = as_mapping(data.get("meta"))
    errors: list[ImsRecordError] = []
    for entry in _list(inner, "errors", path):
        if isinstance(entry, Mapping):
            error = cast(ImsRecordError, {k: v for k, v in entry.items() if v is not None})
            if "index" in error:
                error["index"] = _int(error["index"])
            if "message" in error:
                error["message"] = scrub(str(error["message"]))
            errors.append(error)
    return ImsResult(
        payload_count=_int(inner.get("payload_count")),
        success_count=_int(inner.get("success_count")),
        failed_count=_int(inner.get("failed_count")),
        errors=errors,
        ack_id=str(meta.get("ack_id") or ""),
        status=str(meta.get("status") or ""),
    )


def oms_result(body: Any, path: str) -> OmsResult:
    data = as_object(body, path)
    errors: list[OmsRecordError] = []
    for entry in _list(data, "errors", path):
        if isinstance(entry, Mapping):
            errors.append(
                OmsRecordError(
                    orderId=str(entry.get("orderId") or ""),
                    code=str(entry.get("code") or ""),
                    message=scrub(str(entry.get("message") or "")),
                )
            )
    return OmsResult(
        payload_count=_int(data.get("payloadCount")),
        success_count=_int(data.get("successCount")),
        failed_count=_int(data.get("failedCount")),
        errors=errors,
        status=str(data.get("status") or ""),
    )
