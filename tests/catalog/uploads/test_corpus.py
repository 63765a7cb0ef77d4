"""The malformed-file corpus: every file is answered with a clear message, and nothing reaches
Konnect (no write call, no row in the sandbox's effect ledger), even when the user then tries
to send it.

Stored files live in tests/fixtures/uploads/ (made by make_corpus.py there); the zip bombs,
the 100,001-row file and the oversized cells are built here in memory to keep the repo small.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from catalog.models import Category, Upload, UploadRow
from catalog.services import product_sync_start
from konnect_admin.demo import locations_seed
from tests.catalog.uploads.conftest import FIXTURES, post_file

pytestmark = pytest.mark.django_db

FORM, FILE, ROWS = "refused on upload", "refused after reading", "every row refused"

# (file, kind, where the refusal shows, words the user reads)
CORPUS: list[tuple[str, str, str, str]] = [
    ("bad_empty.csv", "inventory", FORM, "The file is empty."),
    ("bad_blank_lines.csv", "inventory", FORM, "The file is empty."),
    ("bad_only_header.csv", "inventory", FILE, "column names but no data rows"),
    ("bad_first_row_blank.csv", "inventory", FILE, "Row 1 is empty"),
    (
        "bad_wrong_headers.csv",
        "inventory",
        FILE,
        "The file has no SKU, Location and Quantity columns",
    ),
    ("bad_missing_column.csv", "inventory", FILE, "The file has no Quantity column"),
    ("bad_duplicate_columns.csv", "inventory", FILE, "are both Quantity; keep only one"),
    ("bad_price_file_as_inventory.csv", "inventory", FILE, "It looks like a prices file"),
    ("bad_utf16_without_bom.csv", "inventory", FILE, "Row 1 contains a NUL character"),
    ("bad_mixed_encodings.csv", "inventory", FILE, "Row 3 has a character that is not valid UTF-8"),
    ("bad_not_text.csv", "inventory", FILE, "neither UTF-8 nor Windows-1252"),
    ("bad_nul_bytes.csv", "inventory", FILE, "Row 2 contains a NUL character"),
    ("bad_unclosed_quote.csv", "inventory", FILE, "is never closed"),
    ("bad_pdf_renamed.csv", "inventory", FORM, "is a PDF document, not a spreadsheet"),
    ("bad_pdf_renamed.xlsx", "inventory", FORM, "is a PDF document, not a spreadsheet"),
    ("bad_exe_renamed.xlsx", "inventory", FORM, "is a Windows program (.exe or .dll)"),
    ("bad_exe_renamed.csv", "inventory", FORM, "is a Linux program"),
    ("bad_old_xls_renamed.xlsx", "inventory", FORM, "old-style Office file"),
    ("bad_zip_not_workbook.xlsx", "inventory", FORM, "is a zip archive, not an Excel workbook"),
    ("bad_word_renamed.xlsx", "inventory", FORM, "is a Word document, not an Excel workbook"),
    ("bad_macro_workbook.xlsx", "inventory", FORM, "contains macros"),
    ("bad_billion_laughs.xlsx", "inventory", FORM, "XML entity declarations"),
    ("bad_too_many_rows.csv", "inventory", FILE, "more than 10 data rows"),
    ("bad_negative_quantity.csv", "inventory", ROWS, "below zero: stock cannot be negative"),
    ("bad_non_numeric_quantity.csv", "inventory", ROWS, "“ten” is not a number"),
    ("bad_unknown_sku.csv", "inventory", ROWS, "SKU “NO-SUCH-SKU-1” is not in the catalog"),
    ("bad_unknown_location.csv", "inventory", ROWS, "Location “MUM-XX-99” is not one of our"),
    ("bad_duplicate_keys.csv", "inventory", ROWS, "is also in row 2 with another value"),
    ("bad_duplicate_rows.csv", "inventory", ROWS, "This row repeats row 2"),
    ("bad_formula_cells.csv", "inventory", ROWS, "so a spreadsheet would treat it as a formula"),
    ("bad_formula_cells.xlsx", "inventory", ROWS, "starts with =, so a spreadsheet would treat"),
    ("bad_value_without_header.csv", "inventory", ROWS, "has a value but no name in row 1"),
    ("bad_semicolon_negative.csv", "inventory", ROWS, "below zero"),
    ("bad_price_above_mrp.csv", "prices", ROWS, "The selling price ₹1,299 is above the MRP ₹999"),
    ("bad_price_negative.csv", "prices", ROWS, "The MRP cannot be below zero"),
    ("bad_price_values.csv", "prices", ROWS, "“abc” is not an amount"),
    ("bad_products_missing_attributes.csv", "products", ROWS, "Fabric is required for T-Shirts"),
    ("bad_products_slug.csv", "products", ROWS, "“Corpus Tee!” is not a valid slug"),
    ("bad_products_hs_code.csv", "products", ROWS, "HS code 12345678 is not known to Konnect"),
    ("bad_products_tax_rule.csv", "products", ROWS, "Tax rule “GST 99%” is not known"),
    ("bad_products_existing_item_code.csv", "products", ROWS, "already exists"),
    ("bad_products_numbers.csv", "products", ROWS, "Pack Of must be a whole number"),
    ("bad_products_rows_disagree.csv", "products", ROWS, "differs from row 2 of the same item"),
    ("bad_products_duplicate_sku.csv", "products", ROWS, "SKU CORP-X is also used in row"),
    ("bad_products_enum.csv", "products", ROWS, "“Baggy” is not an allowed Fit"),
]
EXTRA_MESSAGES = {  # every problem of a file with several, not only the first
    "bad_non_numeric_quantity.csv": ["12.5 is not a whole number", "Enter the stock quantity"],
    "bad_price_values.csv": ["more than 2 decimals", "Currency “USD” is not accepted"],
    "bad_price_negative.csv": ["The selling price cannot be below zero"],
    "bad_products_numbers.csv": ["“abc” is not an amount"],
    "bad_products_missing_attributes.csv": ["Gender is required for T-Shirts"],
    "bad_formula_cells.csv": ["starts with +", "starts with -", "starts with @"],
}


@pytest.fixture
def corpus_ready(catalog_synced: Category, drain_jobs: Any, admin_user: Any) -> Category:
    locations_seed()
    product_sync_start(user=admin_user)
    drain_jobs()
    return catalog_synced


def _ready_for(request: pytest.FixtureRequest, kind: str, where: str) -> Category | None:
    """Only what the check needs: nothing for files refused on upload, the product cache for
    prices and stock, the reference data too for products (keeps the corpus fast)."""
    if kind == "products":
        category: Category = request.getfixturevalue("corpus_ready")
        return category
    if where != FORM:
        request.getfixturevalue("ims_ready")
    return None


def test_the_corpus_has_at_least_thirty_files_and_each_is_covered() -> None:
    stored = sorted(p.name for p in FIXTURES.glob("bad_*"))
    assert len(stored) >= 30
    assert stored == sorted(name for name, *_ in CORPUS)


def _refusal(
    client: Client, drain_jobs: Any, name: str, kind: str, content: bytes, category: Any
) -> tuple[str, str, Upload | None]:
    """(where it was refused, everything the user was told, the upload if one was stored)."""
    before = Upload.objects.count()
    response = post_file(client, kind, name, content, category=category)
    if response.status_code == 422:
        assert Upload.objects.count() == before, "a refused file must not be stored"
        return FORM, response.content.decode(), None
    assert response.status_code == 302, response.content.decode()[:500]
    drain_jobs()
    upload = Upload.objects.latest("pk")
    page = client.get(f"/catalog/uploads/{upload.pk}/?show=errors").content.decode()
    if upload.status == Upload.Status.REFUSED:
        return FILE, upload.error + page, upload
    assert upload.status == Upload.Status.CHECKED
    texts = [m for r in upload.rows.all() for _, m in r.errors]
    return ROWS, " ".join(texts) + page, upload


@pytest.mark.parametrize(("name", "kind", "where", "message"), CORPUS, ids=[c[0] for c in CORPUS])
def test_each_bad_file_gets_a_clear_answer_and_sends_nothing(
    request: pytest.FixtureRequest,
    admin_client: Client,
    drain_jobs: Any,
    writes: Any,
    settings: Any,
    name: str,
    kind: str,
    where: str,
    message: str,
) -> None:
    settings.UPLOAD_MAX_ROWS = 10
    category = _ready_for(request, kind, where)
    content = (FIXTURES / name).read_bytes()
    found, text, upload = _refusal(admin_client, drain_jobs, name, kind, content, category)
    assert found == where
    assert message in text, text[:3000]
    for extra in EXTRA_MESSAGES.get(name, []):
        assert extra in text
    assert "Traceback" not in text
    if upload is not None:
        if where == ROWS:
            assert upload.valid_rows == 0
            assert not upload.rows.exclude(status=UploadRow.Status.INVALID).exists()
            assert all(r.errors for r in upload.rows.all())
        response = admin_client.post(f"/catalog/uploads/{upload.pk}/commit/", follow=True)
        assert "nothing to send" in response.content.decode() or "Only a checked file" in (
            response.content.decode()
        )
        upload.refresh_from_db()
        assert upload.commit_job is None
    assert writes.writes() == [] and writes.effects == 0


# --- built in memory --------------------------------------------------------------------------


def _workbook_zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def _bomb_by_size() -> bytes:
    return _workbook_zip({"xl/worksheets/sheet1.xml": b"\0" * (110 * 1024 * 1024)})


def _bomb_by_ratio() -> bytes:
    return _workbook_zip({"xl/worksheets/sheet1.xml": b"<x/>" + b" " * (20 * 1024 * 1024)})


def _bomb_by_parts() -> bytes:
    return _workbook_zip({f"xl/media/p{i}.xml": b"<p/>" for i in range(1001)})


def _rows(count: int) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["SKU", "Location", "Quantity"])
    writer.writerows(["AAN-HOM-0101-OS", "BHW-WH-01", n % 9] for n in range(count))
    return out.getvalue().encode()


def _huge_cell(size: int) -> bytes:
    return b"SKU,Location,Quantity\r\nAAN-HOM-0101-OS,BHW-WH-01," + b"7" * size + b"\r\n"


GENERATED: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("zip_bomb_size.xlsx", _bomb_by_size, FORM, "would unpack to 110.0 MB"),
    ("zip_bomb_ratio.xlsx", _bomb_by_ratio, FORM, "compressed more than 100:1"),
    ("zip_bomb_parts.xlsx", _bomb_by_parts, FORM, "made of 1,003 parts"),
    ("rows_100001.csv", lambda: _rows(100_001), FILE, "more than 100,000 data rows"),
    ("cell_40000.csv", lambda: _huge_cell(40_000), ROWS, "This cell holds 40,000 characters"),
    ("cell_2mb.csv", lambda: _huge_cell(2_000_000), FILE, "a cell is longer than 1,048,576"),
]


@pytest.mark.parametrize(
    ("name", "make", "where", "message"), GENERATED, ids=[g[0] for g in GENERATED]
)
def test_bombs_and_giants_are_refused_without_unpacking_or_sending(
    request: pytest.FixtureRequest,
    admin_client: Client,
    drain_jobs: Any,
    writes: Any,
    name: str,
    make: Callable[[], bytes],
    where: str,
    message: str,
) -> None:
    _ready_for(request, "inventory", where)
    found, text, _ = _refusal(admin_client, drain_jobs, name, "inventory", make(), None)
    assert found == where
    assert message in text, text[:2000]
    assert writes.writes() == [] and writes.effects == 0


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(
    admin_client: Client, settings: Any, writes: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    response = post_file(admin_client, "inventory", "big.csv", _rows(60_000))
    assert response.status_code == 422
    assert "the most one upload can be is 1 MB" in response.content.decode()
    assert not Upload.objects.exists() and writes.writes() == []


def test_the_request_size_guard_answers_413(admin_client: Client, settings: Any) -> None:
    settings.REQUEST_MAX_BYTES = 1000
    response = post_file(admin_client, "inventory", "big.csv", _rows(100))
    assert response.status_code == 413


def test_billion_laughs_is_stopped_by_defusedxml_too() -> None:
    """Behind the pre-scan: openpyxl (through defusedxml) refuses the entities itself."""
    from catalog.uploads.parsing import UploadRefused, _read_xlsx

    content = (FIXTURES / "bad_billion_laughs.xlsx").read_bytes()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("catalog.uploads.parsing.check_workbook_archive", lambda data: None)
        with pytest.raises(UploadRefused, match="XML entity declarations"):
            _read_xlsx(content, max_rows=10, raw=False)
