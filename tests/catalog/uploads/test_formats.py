"""Files in the formats people actually send (BOM, Windows-1252, Excel's semicolons, XLSX) are
read correctly, and the result files come back in the same format, safe to open."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from catalog.models import Upload
from tests.catalog.uploads.conftest import FIXTURES, csv_bytes, post_file

pytestmark = pytest.mark.django_db

SKU_A, SKU_B = "AAN-HOM-0101-OS", "AAN-HOM-0105-OS"


def _payloads(upload: Upload) -> list[dict[str, Any]]:
    return [r.payload for r in upload.rows.order_by("row")]


def _result(client: Client, upload: Upload, failed: bool = False) -> bytes:
    url = f"/catalog/uploads/{upload.pk}/result/" + ("?rows=failed" if failed else "")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return bytes(response.content)


def test_utf8_with_bom(ims_ready: list[str], upload_file: Any, admin_client: Client) -> None:
    upload = upload_file("inventory", "bom.csv", (FIXTURES / "ok_utf8_bom.csv").read_bytes())
    assert upload.valid_rows == 2 and upload.dialect["encoding"] == "utf-8-sig"
    assert _result(admin_client, upload).startswith(b"\xef\xbb\xbfSKU,Location,Quantity,")


def test_rupee_signs_and_thousands_separators(ims_ready: list[str], upload_file: Any) -> None:
    upload = upload_file("prices", "p.csv", (FIXTURES / "ok_utf8_rupees.csv").read_bytes())
    assert _payloads(upload)[0] | {} == {
        "location_id": "BHW-WH-01", "sku": SKU_A, "mrp": 1299, "esp": 999.5, "currency": "INR"
    }  # fmt: skip


def test_windows_1252_comes_back_in_windows_1252(
    ims_ready: list[str], upload_file: Any, admin_client: Client
) -> None:
    upload = upload_file("prices", "w.csv", (FIXTURES / "ok_windows1252.csv").read_bytes())
    assert upload.dialect["encoding"] == "cp1252" and upload.valid_rows == 2, upload.error
    assert [(p["mrp"], p["esp"]) for p in _payloads(upload)] == [(1299, 999.5), (1499, 1199)]
    assert any("Remarqué" in n for n in upload.notices)  # an extra column is named, not fatal
    text = _result(admin_client, upload).decode("cp1252")
    assert (
        text.splitlines()[0]
        == "SKU,Location,MRP,Selling price,Remarqué,Upload status,Upload message"
    )
    assert "déjà vu" in text


def test_excel_semicolon_dialect_with_decimal_commas(
    ims_ready: list[str], upload_file: Any, admin_client: Client
) -> None:
    upload = upload_file("prices", "s.csv", (FIXTURES / "ok_excel_semicolon.csv").read_bytes())
    assert upload.dialect["delimiter"] == ";" and upload.dialect["sep_line"] is True
    assert (_payloads(upload)[0]["mrp"], _payloads(upload)[0]["esp"]) == (1299, 999.5)
    lines = _result(admin_client, upload).decode().splitlines()
    assert lines[0] == "sep=;" and lines[1].startswith(
        "SKU;Location;MRP;Selling price;Upload status"
    )


def test_xlsx_numbers_stay_numbers(
    ims_ready: list[str], upload_file: Any, admin_client: Client
) -> None:
    content = (FIXTURES / "ok_inventory.xlsx").read_bytes()
    upload = upload_file("inventory", "stock.xlsx", content)
    assert [p["quantity"] for p in _payloads(upload)] == [5, 6]
    book = load_workbook(io.BytesIO(_result(admin_client, upload)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("SKU", "Location", "Quantity", "Upload status", "Upload message")
    assert rows[1][2] == 5 and isinstance(rows[1][2], int)


def test_products_in_windows_1252(
    catalog_synced: Any, ims_ready: list[str], upload_file: Any
) -> None:
    content = (FIXTURES / "ok_products_windows1252.csv").read_bytes()
    upload = upload_file("products", "p.csv", content, category=catalog_synced)
    assert upload.valid_rows == 1, list(upload.rows.values_list("errors", flat=True))
    payload = upload.rows.get().payload
    assert payload["name"] == "Café Tee" and payload["sizes"][0]["price"] == 999


def test_the_failed_rows_file_can_be_fixed_and_uploaded_again(
    ims_ready: list[str], upload_file: Any, admin_client: Client, drain_jobs: Any
) -> None:
    rows = [["SKU", "Location", "Quantity"], [SKU_A, "BHW-WH-01", "4"], [SKU_B, "BHW-WH-01", "-1"]]
    first = upload_file("inventory", "s.csv", csv_bytes(rows))
    failed = list(csv.reader(io.StringIO(_result(admin_client, first, failed=True).decode())))
    assert failed[0][-2:] == ["Upload status", "Upload message"] and len(failed) == 2
    failed[1][2] = "1"  # the fix
    second = upload_file("inventory", "s-failed-rows.csv", csv_bytes(failed))
    assert (second.valid_rows, second.invalid_rows, second.notices) == (1, 0, [])
    result = list(csv.reader(io.StringIO(_result(admin_client, second).decode())))
    assert result[0] == ["SKU", "Location", "Quantity", "Upload status", "Upload message"]


def test_exports_neutralise_formulas_and_keep_numbers(
    ims_ready: list[str], upload_file: Any, admin_client: Client
) -> None:
    hostile = [
        ["SKU", "Location", "Quantity"],
        ['=HYPERLINK("http://x","y")', "BHW-WH-01", "-5"],
        ["+cmd|' /C calc'!A0", "@SUM(A1)", "12"],
        ["\tTAB", "\rCR", "-3.5"],
    ]
    upload = upload_file("inventory", "h.csv", csv_bytes(hostile))
    rows = list(csv.reader(io.StringIO(_result(admin_client, upload).decode())))
    cells = [cell for row in rows[1:] for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")) or cell.startswith("'")
    assert rows[1][0] == '\'=HYPERLINK("http://x","y")' and rows[1][2] == "-5"
    assert rows[2][1] == "'@SUM(A1)" and rows[3][2] == "-3.5"
    assert all(not r[4].startswith(("=", "+", "-", "@")) for r in rows[1:])


def test_xlsx_export_neutralises_text_but_not_numbers(
    ims_ready: list[str], upload_file: Any, admin_client: Client
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["SKU", "Location", "Quantity"])
    book.active.append(["@evil", "BHW-WH-01", -4])
    book.active.append([SKU_A, "-cmd", 3.5])
    out = io.BytesIO()
    book.save(out)
    upload = upload_file("inventory", "h.xlsx", out.getvalue())
    result = load_workbook(io.BytesIO(_result(admin_client, upload)), read_only=True)
    rows = list(result.worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "'@evil" and rows[1][2] == -4
    assert rows[2][1] == "'-cmd" and rows[2][2] == 3.5


def test_the_templates_download_and_read_back_clean(
    ims_ready: list[str], admin_client: Client, drain_jobs: Any
) -> None:
    for kind in ("inventory", "prices"):
        for file_format in ("csv", "xlsx"):
            response = admin_client.get(
                f"/catalog/uploads/template/?kind={kind}&format={file_format}"
            )
            assert response.status_code == 200
            post = post_file(admin_client, kind, f"t.{file_format}", response.content)
            assert post.status_code == 302
            drain_jobs()
            upload = Upload.objects.latest("pk")
            assert (upload.valid_rows, upload.invalid_rows) == (1, 0), (kind, upload.error)


def test_checking_is_decimal_exact(ims_ready: list[str], upload_file: Any) -> None:
    rows = [["SKU", "Location", "MRP", "Selling price"], [SKU_A, "BHW-WH-01", "0.1", "0.10"]]
    upload = upload_file("prices", "d.csv", csv_bytes(rows))
    payload = upload.rows.get().payload
    assert Decimal(str(payload["mrp"])) == Decimal("0.1") == Decimal(str(payload["esp"]))
