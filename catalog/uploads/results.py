"""The user's own file back, with two columns appended: what happened to each row, and why.

A CSV comes back in its own encoding, delimiter and `sep=` line; an XLSX comes back as an XLSX
with the first sheet's values (numbers stay numbers). Every text cell that a spreadsheet would
run as a formula (= + - @, tab, CR, NUL at the start) is neutralised with a leading apostrophe
(konnect_admin.csv_safety), numbers are left alone. "Failed rows only" keeps the header and
the rows that were not applied, ready to be fixed and uploaded again (the status and message
columns are ignored when a file is read).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from catalog.models import Upload, UploadRow
from catalog.uploads.parsing import open_sheet
from catalog.uploads.specs import MESSAGE_COLUMN, RESULT_COLUMNS, STATUS_COLUMN, norm
from konnect_admin.csv_safety import safe_cell
from konnect_admin.models import JobItem

_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")

NOT_SENT = "Not sent"
DONE = "Done"
FAILED = "Failed"
UNCHANGED = "Unchanged"
WAITING = "Not sent yet"
IN_PROGRESS = "In progress"
FAILED_STATES = frozenset({NOT_SENT, FAILED})


@dataclass(frozen=True)
class RowOutcome:
    status: str
    message: str


def export_cell(value: Any) -> Any:
    """A cell for a file we hand out: numbers stay numbers, formula-like text is defused."""
    if isinstance(value, str) and _PLAIN_NUMBER.match(value):
        return value
    return safe_cell(value)


def error_text(errors: list[list[str]]) -> str:
    return "; ".join(f"{column}: {message}" if column else message for column, message in errors)


def row_outcomes(upload: Upload) -> dict[int, RowOutcome]:
    """Row number → what happened to it, from the check and (once sent) the write Job."""
    job = upload.commit_job
    items: dict[Any, tuple[str, str]] = {}
    if job is not None:
        by = "key" if upload.kind == Upload.Kind.PRODUCTS else "seq"
        items = {
            ident: (status, message)
            for ident, status, message in job.items.values_list(by, "status", "message")
        }
    outcomes: dict[int, RowOutcome] = {}
    for row, status, key, errors in upload.rows.values_list("row", "status", "key", "errors"):
        if status == UploadRow.Status.INVALID:
            outcomes[row] = RowOutcome(NOT_SENT, error_text(errors))
            continue
        if job is None:
            outcomes[row] = RowOutcome(
                WAITING,
                "Passed every check."
                if status == "change"
                else "Same as Konnect's value when checked.",
            )
            continue
        found = items.get(key if upload.kind == Upload.Kind.PRODUCTS else row)
        if found is None:
            outcomes[row] = RowOutcome(IN_PROGRESS, "")
            continue
        item_status, message = found
        label = {
            JobItem.Status.SUCCEEDED.value: DONE,
            JobItem.Status.SKIPPED.value: UNCHANGED,
            JobItem.Status.FAILED.value: FAILED,
        }.get(str(item_status), IN_PROGRESS)
        outcomes[row] = RowOutcome(label, message)
    return outcomes


def result_file(upload: Upload, *, only_failed: bool = False) -> tuple[bytes, str, str]:
    """(content, file name, content type) of the result file."""
    outcomes = row_outcomes(upload)
    sheet = open_sheet(
        bytes(upload.content),
        upload.filename,
        max_rows=int(settings.UPLOAD_MAX_ROWS),
        raw=True,
        file_format=upload.file_format,
    )
    keep = [i for i, h in enumerate(sheet.headers) if norm(h) not in RESULT_COLUMNS]
    header = [sheet.headers[i] for i in keep] + [STATUS_COLUMN, MESSAGE_COLUMN]
    width = len(sheet.headers)

    def rows() -> Any:
        for row, cells in sheet.rows:
            blank = not any(c not in (None, "") and str(c).strip() for c in cells)
            if blank and only_failed:
                continue
            padded = list(cells) + [None] * (width - len(cells))
            values = [padded[i] for i in keep] + list(padded[width:])
            outcome = outcomes.get(row)
            if only_failed and (outcome is None or outcome.status not in FAILED_STATES):
                continue
            if outcome is None:
                yield values
            else:
                yield [*values, outcome.status, outcome.message]

    stem = upload.filename.rsplit(".", 1)[0] or "upload"
    suffix = "-failed-rows" if only_failed else "-results"
    if sheet.file_format == "xlsx":
        return (
            _xlsx(header, rows()),
            f"{stem}{suffix}.xlsx",
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    dialect = upload.dialect or {}
    return _csv(header, rows(), dialect), f"{stem}{suffix}.csv", _csv_type(dialect)


def _csv_type(dialect: dict[str, Any]) -> str:
    encoding = str(dialect.get("encoding") or "utf-8")
    charset = {"utf-8-sig": "utf-8", "cp1252": "windows-1252"}.get(encoding, encoding)
    return f"text/csv; charset={charset}"


def _csv(header: list[str], rows: Any, dialect: dict[str, Any]) -> bytes:
    out = io.StringIO(newline="")
    if dialect.get("sep_line"):
        out.write(f"sep={dialect.get('delimiter') or ','}\r\n")
    writer = csv.writer(out, delimiter=str(dialect.get("delimiter") or ","), lineterminator="\r\n")
    writer.writerow([export_cell(h) for h in header])
    for values in rows:
        writer.writerow([export_cell("" if v is None else v) for v in values])
    encoding = str(dialect.get("encoding") or "utf-8")
    if encoding == "utf-8-sig" or (dialect.get("bom") and encoding.startswith("utf-8")):
        return out.getvalue().encode("utf-8-sig")
    if encoding == "utf-16":
        return out.getvalue().encode("utf-16")
    text = out.getvalue()
    if encoding == "cp1252":  # Windows-1252 has no ₹: our messages say "Rs." instead of "?"
        text = text.replace("₹", "Rs.")
    return text.encode(encoding, errors="replace")


def _xlsx(header: list[str], rows: Any) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Results")
    sheet.append([export_cell(h) for h in header])
    for values in rows:
        sheet.append([export_cell(v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
