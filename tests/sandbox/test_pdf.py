"""The hand-made PDF writer: valid files that pypdf reads, one page per document."""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader

from konnect_admin.sandbox import pdf


def _doc(n: int) -> pdf.ShipmentDoc:
    return pdf.ShipmentDoc(
        shipment_id=f"1700000000000000000{n}",
        order_id="FY0123456789ABCDEF01",
        channel="MYNTRA_IN",
        order_date="01 Mar 2026",
        courier="Blue Dart",
        awb="123456789012",
        is_return=False,
        invoice_number="INV/BHW/2526/00001",
        ship_to={
            "name": "Ananya (Annie) Iyer",
            "address1": "Flat 4B\\C",
            "city": "Pune",
            "state": "Maharashtra",
            "pincode": "411038",
            "phone": "98XXXXXX21",
        },
        ship_from={"name": "Bhiwandi Fulfilment Centre", "city": "Bhiwandi", "pincode": "421302"},
        lines=(pdf.Line("SKU-1", "Kurta", "M", 2, Decimal("999"), Decimal("799")),),
        shipping=Decimal("49"),
    )


def test_labels_and_invoices_open_in_a_pdf_reader():
    body = pdf.document([pdf.label_page(_doc(1)), pdf.invoice_page(_doc(2))], "Test \u20b9 (1)")
    assert body.startswith(b"%PDF-1.4")
    assert body.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(body), strict=True)
    assert len(reader.pages) == 2
    label, invoice = (page.extract_text() for page in reader.pages)
    assert "AWB 123456789012" in label
    assert "Ananya (Annie) Iyer" in label
    assert "Flat 4B\\C" in label
    assert "TAX INVOICE" in invoice
    assert "Rs. 1,598.00" in invoice
    assert "Rs. 1,647.00" in invoice
    assert reader.metadata.title == "Test Rs.  (1)"
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (width, height) == (298, 420)  # A6 label
    assert reader.pages[1].mediabox.height == 842  # A4 invoice
