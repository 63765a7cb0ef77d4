"""From the bytes of an uploaded file to rows of text, or a refusal a merchandiser understands.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), and Windows-1252;
the delimiter is read from the header line (comma, semicolon as Excel writes it in many
locales, tab, pipe) or from Excel's `sep=;` first line. XLSX: read with openpyxl in read-only
mode, formulas kept as text (never evaluated) so they can be refused, and only after the zip
directory was inspected: too many parts, too much unpacked data, a suspicious compression
ratio, macros, encryption or XML entity declarations refuse the file before openpyxl opens it.
(zipfile never unpacks more than an entry's declared size, so checking the declared sizes
bounds the work; defusedxml, which openpyxl uses when installed, is the second line against
entity tricks.)

Row numbers are the ones the spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

MAX_CELL_CHARS = 32_767  # what one Excel cell can hold
CSV_FIELD_LIMIT = 1_048_576  # csv module guard; longer cells refuse the file
XLSX_MAX_ENTRIES = 1_000
XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_RATIO_MIN_BYTES = 1024 * 1024  # ratios of tiny parts mean nothing
XML_PRESCAN_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")

csv.field_size_limit(CSV_FIELD_LIMIT)

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program (.exe or .dll)"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a program (Java class or macOS binary)"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office file (Excel 97-2003 .xls)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
    (b"#!", "a script"),
)
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_ENTITY = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SEP_LINE = re.compile(r"\Asep=(.)\r?\n", re.IGNORECASE)
SAVE_AS = "Save it from Excel as “CSV UTF-8” or as an Excel workbook (.xlsx) and upload it again."


class UploadRefused(Exception):
    """The whole file cannot be used; `message` says why, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """A readable file: its header and an iterator over (row number, cells) after it."""

    file_format: str  # csv | xlsx
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    estimated_rows: int = 0
    encoding: str = ""
    delimiter: str = ","
    bom: bool = False
    sep_line: bool = False
    notices: list[str] = field(default_factory=list)

    def dialect(self) -> dict[str, Any]:
        return {
            "format": self.file_format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "bom": self.bom,
            "sep_line": self.sep_line,
        }


def _mb(size: float) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def inspect(data: bytes, filename: str) -> str:
    """Cheap checks on the raw bytes (no parsing): the file's format, or UploadRefused."""
    if not data.strip(b" \t\r\n\x00"):
        raise UploadRefused("The file is empty.")
    for signature, what in SIGNATURES:
        if data.startswith(signature):
            raise UploadRefused(
                f"“{filename}” is {what}, not a spreadsheet. Upload a CSV file or an Excel"
                " workbook (.xlsx)."
            )
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        check_workbook_archive(data)
        return "xlsx"
    return "csv"


def check_workbook_archive(data: bytes) -> None:
    """Refuse zip bombs, entity bombs, macros and non-workbooks from the zip directory alone."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRefused(
            "The file looks like an Excel workbook but is damaged. Open it in Excel and save it"
            " again as .xlsx."
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > XLSX_MAX_ENTRIES:
            raise UploadRefused(
                f"The workbook is made of {len(entries):,} parts; the most we accept is"
                f" {XLSX_MAX_ENTRIES:,}. It may be a zip bomb: copy the data into a new workbook."
            )
        unpacked = sum(e.file_size for e in entries)
        if unpacked > XLSX_MAX_UNCOMPRESSED:
            raise UploadRefused(
                f"The workbook would unpack to {_mb(unpacked)}; the most we accept is"
                f" {_mb(XLSX_MAX_UNCOMPRESSED)}. It may be a zip bomb, or simply too big: split"
                " it into smaller files."
            )
        for entry in entries:
            if entry.file_size > XLSX_RATIO_MIN_BYTES and (
                entry.compress_size == 0 or entry.file_size / entry.compress_size > XLSX_MAX_RATIO
            ):
                raise UploadRefused(
                    f"A part of the workbook ({entry.filename}) is compressed more than"
                    f" {XLSX_MAX_RATIO}:1, which real spreadsheets never are: it looks like a zip"
                    " bomb. Copy the data into a new workbook."
                )
            if entry.flag_bits & 0x1:
                raise UploadRefused(
                    "The workbook is password-protected. Remove the password and upload it again."
                )
        names = {e.filename for e in entries}
        if "xl/workbook.xml" not in names:
            what = "a zip archive"
            if "word/document.xml" in names:
                what = "a Word document"
            elif "ppt/presentation.xml" in names:
                what = "a PowerPoint presentation"
            elif "mimetype" in names and "content.xml" in names:
                what = "an OpenDocument (LibreOffice) file"
            raise UploadRefused(
                f"The file is {what}, not an Excel workbook. Save the sheet as .xlsx or CSV."
            )
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise UploadRefused(
                "The workbook contains macros. Save it as a plain Excel workbook (.xlsx) without"
                " macros and upload it again."
            )
        for entry in entries:
            if entry.filename.lower().endswith((".xml", ".rels")) and entry.file_size:
                with archive.open(entry) as part:
                    head = part.read(XML_PRESCAN_BYTES)
                if _ENTITY.search(head):
                    raise UploadRefused(
                        "The workbook contains XML entity declarations, which Excel never"
                        " writes; it may be an attack (“billion laughs”). Copy the data into a"
                        " new workbook."
                    )


def open_sheet(
    data: bytes, filename: str, *, max_rows: int, raw: bool = False, file_format: str = ""
) -> Sheet:
    """Open the file for reading its rows. `raw` keeps XLSX values typed (for result files)."""
    file_format = file_format or inspect(data, filename)
    if file_format == "xlsx":
        return _read_xlsx(data, max_rows=max_rows, raw=raw)
    sheet = _read_csv(data, max_rows=max_rows)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        sheet.notices.append(
            f"“{filename}” is named like an Excel workbook but holds plain text; it was read as"
            " CSV."
        )
    return sheet


# --- CSV ------------------------------------------------------------------------------------------


def _row_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, had BOM), or UploadRefused naming the row of the first bad byte."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", True
        except UnicodeDecodeError:
            raise UploadRefused(
                "The file says it is UTF-16 text but is damaged. " + SAVE_AS
            ) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UploadRefused(
            f"Row {_row_of_offset(data, nul)} contains a NUL character (byte 0): this is not a"
            " text file, or it was saved as UTF-16 without its marker. " + SAVE_AS
        )
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8", bom
    except UnicodeDecodeError as exc:
        row = _row_of_offset(body, exc.start)
        if bom or _UTF8_SEQUENCE.search(body):
            raise UploadRefused(
                f"Row {row} has a character that is not valid UTF-8, while the rest of the file"
                " is UTF-8: the file mixes two encodings. Check that row, then save the file"
                " again as “CSV UTF-8”."
            ) from None
    try:
        return body.decode("cp1252"), "cp1252", False
    except UnicodeDecodeError as exc:
        row = _row_of_offset(body, exc.start)
        raise UploadRefused(
            f"The file is neither UTF-8 nor Windows-1252 text: row {row} holds bytes that are"
            " letters in neither. " + SAVE_AS
        ) from None


def _sniff_delimiter(text: str) -> str:
    end = text.find("\n")
    line = text[: end if end >= 0 else 4096]
    line = re.sub(r'"[^"]*"', "", line)  # delimiters inside quoted headers do not count
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_problem(exc: csv.Error, row: int) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"Row {row}: a cell is longer than {CSV_FIELD_LIMIT:,} characters. No column holds"
            " that much: check for a missing closing quotation mark."
        )
    if "unexpected end of data" in text or "EOF" in text:
        return (
            f'Row {row}: a quotation mark (") opens a value that is never closed, so the rest of'
            " the file would be read as one cell. Close the quote or remove it."
        )
    if "expected after" in text:
        return (
            f"Row {row}: a value in quotation marks is followed by more text. Inside a quoted"
            ' value, write a quotation mark twice ("").'
        )
    return f"Row {row} cannot be read as CSV ({text})."


def _read_csv(data: bytes, *, max_rows: int) -> Sheet:
    text, encoding, bom = decode(data)
    if not text.strip():
        raise UploadRefused("The file is empty.")
    sep_line = False
    delimiter = ""
    match = _SEP_LINE.match(text)
    if match:
        delimiter, sep_line = match.group(1), True
        text = text[match.end() :]
    delimiter = delimiter or _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise UploadRefused(_csv_problem(exc, 1)) from None
    if header is None or not any(cell.strip() for cell in header):
        raise UploadRefused(
            "Row 1 is empty: the first row must hold the column names (download the template to"
            " see them)."
        )
    return Sheet(
        file_format="csv",
        headers=[cell.strip() for cell in header],
        rows=_csv_rows(reader, max_rows),
        estimated_rows=max(0, text.count("\n")),
        encoding=encoding,
        delimiter=delimiter,
        bom=bom,
        sep_line=sep_line,
    )


def _csv_rows(reader: Any, max_rows: int) -> Iterator[tuple[int, list[Any]]]:
    row = 1
    data_rows = 0
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UploadRefused(_csv_problem(exc, row)) from None
        if cells:
            data_rows += 1
            if data_rows > max_rows:
                raise _too_many(max_rows)
        yield row, cells


def _too_many(max_rows: int) -> UploadRefused:
    return UploadRefused(
        f"The file has more than {max_rows:,} data rows, the most one upload can hold. Split it"
        f" into files of at most {max_rows:,} rows."
    )


# --- XLSX -----------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """An XLSX value as the text a user would type for it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, *, max_rows: int, raw: bool) -> Sheet:
    import openpyxl

    check_workbook_archive(data)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds for damaged or hostile files
        raise _xlsx_problem(exc) from None
    if not workbook.worksheets:
        raise UploadRefused("The workbook has no sheets.")
    sheet = workbook.worksheets[0]
    notices = []
    if len(workbook.worksheets) > 1:
        notices.append(
            f"Only the first sheet (“{sheet.title}”) was read; the workbook has"
            f" {len(workbook.worksheets)} sheets."
        )
    estimated = int(getattr(sheet, "max_row", 0) or 0)
    if estimated > max_rows + 1:
        workbook.close()
        raise _too_many(max_rows)
    sheet.reset_dimensions()  # dimensions written by some tools are wrong: read every cell
    rows = _xlsx_rows(workbook, sheet.iter_rows(values_only=True), max_rows, raw)
    try:
        first = next(rows, None)
    except UploadRefused:
        workbook.close()
        raise
    if first is None or not any(cell_text(v).strip() for v in first[1]):
        workbook.close()
        raise UploadRefused(
            "Row 1 is empty: the first row must hold the column names (download the template to"
            " see them)."
        )
    return Sheet(
        file_format="xlsx",
        headers=[cell_text(v).strip() for v in first[1]],
        rows=rows,
        estimated_rows=max(0, estimated - 1),
        notices=notices,
    )


def _xlsx_problem(exc: BaseException) -> UploadRefused:
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 10:  # openpyxl wraps the parser's error
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    names = " ".join(type(e).__name__ for e in chain)
    if "Entities" in names or "DTD" in names or "Forbidden" in names:
        return UploadRefused(
            "The workbook contains XML entity declarations, which Excel never writes; it may be"
            " an attack (“billion laughs”). Copy the data into a new workbook."
        )
    return UploadRefused(
        "The workbook cannot be read: it is damaged or not a real Excel file. Open it in Excel"
        " and save it again as .xlsx."
    )


def _xlsx_rows(
    workbook: Any, values: Iterator[tuple[Any, ...]], max_rows: int, raw: bool
) -> Iterator[tuple[int, list[Any]]]:
    row = 0
    data_rows = 0
    try:
        while True:
            try:
                cells = next(values)
            except StopIteration:
                return
            except UploadRefused:
                raise
            except Exception as exc:
                raise _xlsx_problem(exc) from None
            row += 1
            out = list(cells) if raw else [cell_text(v) for v in cells]
            while out and (out[-1] is None or out[-1] == ""):
                out.pop()
            if row > 1 and out:
                data_rows += 1
                if data_rows > max_rows:
                    raise _too_many(max_rows)
            yield row, out
    finally:
        workbook.close()
