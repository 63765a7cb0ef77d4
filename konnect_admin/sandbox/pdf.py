"""A small, dependency-free PDF writer for shipping labels (A6) and customer invoices (A4).

Only what the documents need: pages of Helvetica text (WinAnsi encoding), lines, rectangles
and filled bars, written as PDF 1.4 with a correct cross-reference table so any reader (and
pypdf) opens it. One page per shipment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

A4 = (595.0, 842.0)
A6 = (298.0, 420.0)
SELLER_NAME = "Sandbox Retail Private Limited"


def _pdf_text(text: str) -> bytes:
    """A PDF literal string in WinAnsi: the rupee sign has no glyph there, so it becomes Rs."""
    raw = text.replace("\u20b9", "Rs. ").encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


@dataclass
class Page:
    width: float
    height: float
    ops: list[bytes] = field(default_factory=list)

    def text(self, x: float, top: float, text: str, size: float = 9, bold: bool = False) -> None:
        """Text whose baseline is `top` points below the top edge."""
        font = b"/F2" if bold else b"/F1"
        y = self.height - top
        self.ops.append(
            b"BT "
            + font
            + b" %.1f Tf 1 0 0 1 %.1f %.1f Tm " % (size, x, y)
            + _pdf_text(text)
            + b" Tj ET"
        )

    def line(self, x1: float, top1: float, x2: float, top2: float, width: float = 0.6) -> None:
        self.ops.append(
            b"%.1f w %.1f %.1f m %.1f %.1f l S"
            % (width, x1, self.height - top1, x2, self.height - top2)
        )

    def rect(self, x: float, top: float, w: float, h: float, fill: bool = False) -> None:
        op = b"f" if fill else b"S"
        self.ops.append(b"%.1f %.1f %.1f %.1f re " % (x, self.height - top - h, w, h) + op)

    def bars(self, x: float, top: float, code: str, height: float = 34) -> None:
        """A barcode-like strip derived from the characters (decorative, not scannable)."""
        cursor = x
        for char in code:
            for bit in f"{ord(char) % 16:04b}":
                width = 2.2 if bit == "1" else 1.1
                self.rect(cursor, top, width, height, fill=True)
                cursor += width + 1.1

    def content(self) -> bytes:
        return b"\n".join(self.ops)


def document(pages: Sequence[Page], title: str) -> bytes:
    """Serialize pages into a complete PDF file."""
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    add(b"<< /Type /Catalog /Pages 2 0 R >>")
    add(b"")  # the page tree, filled in once the page ids are known
    regular = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    bold = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    info = add(b"<< /Title " + _pdf_text(title) + b" /Producer (Konnect sandbox) >>")
    kids = []
    for page in pages:
        stream = page.content()
        contents = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.0f %.0f] "
                % (page.width, page.height)
                + b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> " % (regular, bold)
                + b"/Contents %d 0 R >>" % contents
            )
        )
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info,
        xref,
    )
    return bytes(out)


# --- the two documents --------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    sku: str
    name: str
    size: str
    quantity: int
    mrp: Decimal
    esp: Decimal


@dataclass(frozen=True)
class ShipmentDoc:
    """What a label or invoice shows about one shipment."""

    shipment_id: str
    order_id: str
    channel: str
    order_date: str
    courier: str
    awb: str
    is_return: bool
    invoice_number: str
    ship_to: dict[str, Any]
    ship_from: dict[str, Any]
    lines: tuple[Line, ...]
    shipping: Decimal


def _address(page: Page, x: float, top: float, heading: str, lines: Iterable[str]) -> float:
    page.text(x, top, heading, 8, bold=True)
    for line in lines:
        if line:
            top += 11
            page.text(x, top, line[:60], 9)
    return top


def _ship_to_lines(addr: dict[str, Any]) -> list[str]:
    return [
        str(addr.get("name", "")),
        str(addr.get("address1", "")),
        str(addr.get("address2", "")),
        f"{addr.get('city', '')}, {addr.get('state', '')} {addr.get('pincode', '')}",
        f"Phone: {addr.get('phone', '')}",
    ]


def _ship_from_lines(loc: dict[str, Any]) -> list[str]:
    return [
        str(loc.get("name", "")),
        str(loc.get("address_line1", "")),
        str(loc.get("address_line2", "")),
        f"{loc.get('city', '')}, {loc.get('state', '')} {loc.get('pincode', '')}",
        f"GSTIN: {loc.get('gstin', '')}",
    ]


def label_page(doc: ShipmentDoc) -> Page:
    page = Page(*A6)
    page.rect(10, 10, A6[0] - 20, A6[1] - 20)
    title = "RETURN LABEL" if doc.is_return else "SHIPPING LABEL"
    page.text(20, 30, title, 12, bold=True)
    page.text(20, 46, f"Courier: {doc.courier or 'Self-ship'}", 9)
    page.text(20, 64, f"AWB {doc.awb or '-'}", 14, bold=True)
    page.bars(20, 72, doc.awb or doc.shipment_id)
    page.text(20, 122, f"Shipment {doc.shipment_id}", 9, bold=True)
    page.text(20, 134, f"Order {doc.order_id}  ·  {doc.channel}  ·  {doc.order_date}", 7)
    page.line(20, 142, A6[0] - 20, 142)
    top = _address(page, 20, 156, "DELIVER TO", _ship_to_lines(doc.ship_to))
    page.line(20, top + 8, A6[0] - 20, top + 8)
    top = _address(page, 20, top + 22, "RETURN TO", _ship_from_lines(doc.ship_from))
    page.line(20, top + 8, A6[0] - 20, top + 8)
    top += 22
    page.text(20, top, "ITEMS", 8, bold=True)
    for line in doc.lines[:6]:
        top += 11
        page.text(20, top, f"{line.quantity} x {line.sku} ({line.size})", 8)
    if len(doc.lines) > 6:
        page.text(20, top + 11, f"+ {len(doc.lines) - 6} more", 8)
    return page


def _money(value: Decimal) -> str:
    return f"Rs. {value:,.2f}"


def invoice_page(doc: ShipmentDoc) -> Page:
    page = Page(*A4)
    width = A4[0]
    title = "CREDIT NOTE" if doc.is_return else "TAX INVOICE"
    page.text(40, 50, title, 16, bold=True)
    page.text(40, 68, SELLER_NAME, 10, bold=True)
    page.text(width - 255, 50, f"Invoice no. {doc.invoice_number or '-'}", 9, bold=True)
    page.text(width - 255, 63, f"Order date {doc.order_date}", 9)
    page.text(width - 255, 76, f"Shipment {doc.shipment_id}", 9)
    page.text(width - 255, 89, f"Order {doc.order_id} ({doc.channel})", 9)
    page.line(40, 100, width - 40, 100)
    _address(page, 40, 118, "SOLD BY", _ship_from_lines(doc.ship_from))
    _address(page, 310, 118, "BILL TO / SHIP TO", _ship_to_lines(doc.ship_to))
    top = 200.0
    columns = ((40, "#"), (60, "Item"), (300, "SKU"), (410, "Qty"), (440, "MRP"), (500, "Amount"))
    page.rect(40, top - 12, width - 80, 16)
    for x, heading in columns:
        page.text(x + 2, top, heading, 8, bold=True)
    total = Decimal(0)
    for number, line in enumerate(doc.lines, start=1):
        top += 16
        amount = line.esp * line.quantity
        total += amount
        page.text(42, top, str(number), 8)
        page.text(62, top, f"{line.name} ({line.size})"[:48], 8)
        page.text(302, top, line.sku[:22], 8)
        page.text(412, top, str(line.quantity), 8)
        page.text(442, top, _money(line.mrp), 8)
        page.text(502, top, _money(amount), 8)
    page.line(40, top + 8, width - 40, top + 8)
    page.text(400, top + 24, "Items", 9)
    page.text(500, top + 24, _money(total), 9)
    page.text(400, top + 38, "Shipping", 9)
    page.text(500, top + 38, _money(doc.shipping), 9)
    page.text(400, top + 54, "Total (INR)", 10, bold=True)
    page.text(500, top + 54, _money(total + doc.shipping), 10, bold=True)
    page.text(40, A4[1] - 40, "Generated by the Konnect sandbox: not a tax document.", 7)
    return page
