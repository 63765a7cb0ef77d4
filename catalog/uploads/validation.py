"""Checking every row of a price or inventory file before anything is sent.

The rules are the ones the product page's price and stock form uses (`parse_quantity`,
`parse_money`, `price_pair_error` are shared with it) plus the reference: the SKU must be in
the catalog, the location must be one of ours, and a SKU appears once per location. Every
problem names the row (as the spreadsheet shows it: the header is row 1) and the column, in
words a merchandiser understands.

Speed: each row costs a few dict and set look-ups against lookups loaded once (`ImsContext`);
there is no query per row. `tests/benchmarks/uploads.py` measures the rate (budget: 20,000
CSV rows per second).
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from catalog.uploads.parsing import MAX_CELL_CHARS, Sheet
from catalog.uploads.specs import HeaderMatch, column_letter

QUANTITY_MAX = 10_000_000
MONEY_MAX = Decimal("9999999999.99")
CURRENCY = "INR"
PROGRESS_EVERY = 5_000
SHOWN = 60  # characters of a bad value quoted back in a message

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_MONEY_MARKS = re.compile(r"^(?:₹|rs\.?|inr)\s*|\s*(?:₹|rs\.?|inr)$", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(?:\.\d{3})*(?:,\d+)?$|^-?\d+,\d+$")

Progress = Callable[[int], None]
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def gc_paused() -> Iterator[None]:
    """Checking allocates a few objects per row and keeps them all: the cyclic garbage
    collector would scan that growing heap again and again for nothing (a third of the time
    on a 20,000-row products file). Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def without_gc(function: F) -> F:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with gc_paused():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def shown(value: str) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= SHOWN else value[: SHOWN - 1] + "…"


def formula_error(value: str) -> str | None:
    """Text that a spreadsheet would run as a formula (=, @, or + / - not starting a number)."""
    first = value[0]
    if first in "=@" or (
        first in "+-" and len(value) > 1 and value[1] != " " and not _NUMBER.match(value)
    ):
        return (
            f"“{shown(value)}” starts with {first}, so a spreadsheet would treat it as a formula."
            " Formulas are not accepted: type the value itself."
        )
    return None


def to_number(text: str, *, decimal_comma: bool = False) -> Decimal | None:
    """A number as people type it: 1299, 1,299.50, ₹ 999, Rs. 999; 1.299,50 with a decimal
    comma (semicolon files from European Excel). None when it is not a number."""
    value = _MONEY_MARKS.sub("", text.strip()).replace("\u00a0", "").replace(" ", "")
    if decimal_comma and _DECIMAL_COMMA.match(value):
        value = value.replace(".", "").replace(",", ".")
    else:
        value = value.replace(",", "")
    if not _NUMBER.match(value):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_quantity(text: str) -> tuple[int | None, str | None]:
    """A stock quantity: a whole number, 0 or more."""
    text = text.strip()
    if text and text[0] in "=+-@" and (problem := formula_error(text)):
        return None, problem
    if len(text) > 12:  # no real stock has that many digits (and int() of 5,000 digits fails)
        return None, f"“{shown(text)}” is far more stock than we accept ({QUANTITY_MAX:,})."
    if text.isdigit():
        quantity = int(text)
    else:
        if not text:
            return None, "Enter the stock quantity (0 or more; 0 means out of stock)."
        number = to_number(text)
        if number is None:
            return None, f"“{shown(text)}” is not a number. Enter the stock as a whole number."
        if number < 0:
            return None, (
                f"{shown(text)} is below zero: stock cannot be negative (use 0 for out of stock)."
            )
        if number != number.to_integral_value():
            return None, f"{shown(text)} is not a whole number; stock is counted in whole units."
        quantity = int(number)
    if quantity > QUANTITY_MAX:
        return None, f"{quantity:,} is more stock than we accept ({QUANTITY_MAX:,}); check it."
    return quantity, None


def parse_money(
    text: str, *, what: str = "The price", decimal_comma: bool = False
) -> tuple[Decimal | None, str | None]:
    """Rupees with at most 2 decimals, 0 or more."""
    text = text.strip()
    if not text:
        return None, f"Enter {what.lower()} in rupees."
    problem = formula_error(text)
    if problem:
        return None, problem
    number = to_number(text, decimal_comma=decimal_comma)
    if number is None:
        return None, f"“{shown(text)}” is not an amount. Enter {what.lower()} in rupees, e.g. 999."
    if number < 0:
        return None, f"{what} cannot be below zero ({shown(text)})."
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        return None, f"{shown(text)} has more than 2 decimals; rupees take at most 2 (paise)."
    if number > MONEY_MAX:
        return None, f"{shown(text)} is too large for a price."
    return number, None


def price_pair_error(mrp: Decimal, esp: Decimal) -> str | None:
    if esp > mrp:
        return (
            f"The selling price {money_text(esp)} is above the MRP {money_text(mrp)};"
            " it cannot be higher."
        )
    return None


def money_text(value: Decimal | float | int | None) -> str:
    if value is None:
        return "—"
    number = Decimal(str(value))
    return f"₹{number:,.2f}".replace(".00", "")


def json_number(value: Decimal) -> int | float:
    """Rupees as a JSON number: whole amounts as integers, others with their paise."""
    return int(value) if value == value.to_integral_value() else float(value)


# --- results ------------------------------------------------------------------------------------


@dataclass(slots=True)
class RowVerdict:
    row: int
    key: str
    status: str = "change"  # invalid | change | same
    payload: dict[str, Any] | None = None
    before: dict[str, Any] | None = None
    errors: list[list[str]] = field(default_factory=list)  # [column, message]
    summary: dict[str, Any] = field(default_factory=dict)
    cached: bool = True

    def fail(self, column: str, message: str) -> None:
        self.errors.append([column, message])
        self.status = "invalid"
        self.payload = None


@dataclass
class CheckResult:
    rows: list[RowVerdict]
    notices: list[str] = field(default_factory=list)
    refused: str = ""

    def counts(self) -> dict[str, int]:
        total = len(self.rows)
        invalid = sum(1 for r in self.rows if r.status == "invalid")
        same = sum(1 for r in self.rows if r.status == "same")
        uncached = sum(1 for r in self.rows if r.status == "change" and not r.cached)
        return {
            "total": total,
            "valid": total - invalid,
            "invalid": invalid,
            "changed": total - invalid - same,
            "unchanged": same,
            "uncached": uncached,
        }


# --- shared row plumbing -----------------------------------------------------------------------


class RowReader:
    """Cells of one row by column position, plus the checks every kind shares: values in
    columns without a header, and cells longer than a spreadsheet cell can be."""

    def __init__(self, match: HeaderMatch) -> None:
        self.labels = match.labels
        self.width = len(match.labels)
        self.blank = match.blank_headers

    @staticmethod
    def is_blank(cells: list[Any]) -> bool:
        return not "".join(cells).strip()

    def structural(self, cells: list[str], verdict: RowVerdict) -> None:
        if len(cells) > self.width and "".join(cells[self.width :]).strip():
            first = next(i for i in range(self.width, len(cells)) if cells[i].strip())
            verdict.fail(
                column_letter(first),
                f"Column {column_letter(first)} has a value but no name in row 1, so it cannot be"
                " used. Name the column or clear the cell.",
            )
        for index in self.blank:
            if index < len(cells) and cells[index].strip():
                verdict.fail(
                    column_letter(index),
                    f"Column {column_letter(index)} has a value but no name in row 1, so it"
                    " cannot be used. Name the column or clear the cell.",
                )
                break
        if sum(map(len, cells)) > MAX_CELL_CHARS:
            for index, cell in enumerate(cells):
                if len(cell) > MAX_CELL_CHARS:
                    label = self.labels[index] if index < self.width else column_letter(index)
                    verdict.fail(
                        label,
                        f"This cell holds {len(cell):,} characters; a spreadsheet cell holds at"
                        f" most {MAX_CELL_CHARS:,}.",
                    )


def mark_duplicates(
    verdicts: list[RowVerdict], first_index: int, verdict: RowVerdict, what: str, same: bool
) -> None:
    first = verdicts[first_index]
    if same:
        verdict.fail("", f"This row repeats row {first.row} ({what}). Delete one of the two rows.")
        first.fail("", f"Row {verdict.row} repeats this row ({what}). Delete one of the two rows.")
    else:
        verdict.fail(
            "",
            f"{what} is also in row {first.row} with another value. Keep one row per SKU and"
            " location.",
        )
        first.fail(
            "",
            f"{what} is also in row {verdict.row} with another value. Keep one row per SKU and"
            " location.",
        )


# --- prices and inventory ----------------------------------------------------------------------


@dataclass
class ImsContext:
    """Everything a price or inventory row is checked against, loaded once per file."""

    skus: dict[str, tuple[Decimal, Decimal]]  # SKU → (size price, size selling price)
    locations: dict[str, str]  # upper-case code → code
    cache: dict[tuple[str, str], tuple[int, Decimal | None, Decimal | None]]

    def location(self, text: str) -> str | None:
        return self.locations.get(text.upper())


def _sku_and_location(
    cells: list[str],
    verdict: RowVerdict,
    positions: tuple[int, int],
    labels: tuple[str, str],
    ctx: ImsContext,
) -> tuple[str, str]:
    i_sku, i_loc = positions
    n = len(cells)
    sku = cells[i_sku].strip() if i_sku < n else ""
    raw_location = cells[i_loc].strip() if i_loc < n else ""
    location = ""
    if not sku:
        verdict.fail(labels[0], "Enter the SKU.")
    elif sku not in ctx.skus:
        problem = formula_error(sku) if sku[0] in "=+-@" else None
        verdict.fail(
            labels[0],
            problem
            or f"SKU “{shown(sku)}” is not in the catalog. Check the spelling, or refresh the"
            " products from Konnect if it was created elsewhere.",
        )
    if not raw_location:
        verdict.fail(labels[1], "Enter the location code.")
    else:
        location = ctx.location(raw_location) or ""
        if not location:
            problem = formula_error(raw_location) if raw_location[0] in "=+-@" else None
            known = ", ".join(sorted(ctx.locations.values())[:6])
            verdict.fail(
                labels[1],
                problem
                or f"Location “{shown(raw_location)}” is not one of our locations ({known}).",
            )
    return sku, location


@without_gc
def check_inventory(
    sheet: Sheet, match: HeaderMatch, ctx: ImsContext, progress: Progress | None = None
) -> CheckResult:
    pos = match.positions
    labels = match.labels
    i_sku, i_loc, i_qty = pos["sku"], pos["location"], pos["quantity"]
    key_labels = (labels[i_sku], labels[i_loc])
    qty_label = labels[i_qty]
    reader = RowReader(match)
    verdicts: list[RowVerdict] = []
    seen: dict[str, int] = {}
    cache = ctx.cache
    for row, cells in sheet.rows:
        if reader.is_blank(cells):
            continue
        verdict = RowVerdict(row, "")
        reader.structural(cells, verdict)
        sku, location = _sku_and_location(cells, verdict, (i_sku, i_loc), key_labels, ctx)
        raw_qty = cells[i_qty] if i_qty < len(cells) else ""
        quantity, problem = parse_quantity(raw_qty)
        if problem:
            verdict.fail(qty_label, problem)
        verdict.summary = {
            "sku": sku,
            "location": location or (cells[i_loc].strip() if i_loc < len(cells) else ""),
            "quantity": raw_qty,
        }
        if sku and location:
            key = f"{sku}@{location}"
            verdict.key = key
            if key in seen:
                first = verdicts[seen[key]]
                same = first.summary.get("quantity", "").strip() == raw_qty.strip()
                mark_duplicates(verdicts, seen[key], verdict, f"SKU {sku} at {location}", same)
            else:
                seen[key] = len(verdicts)
        if verdict.status != "invalid" and quantity is not None:
            verdict.payload = {"location_id": location, "sku": sku, "quantity": quantity}
            current = cache.get((sku, location))
            if current is None:
                verdict.cached = False
            else:
                verdict.before = {"quantity": current[0]}
                if current[0] == quantity:
                    verdict.status = "same"
        verdicts.append(verdict)
        if progress is not None and len(verdicts) % PROGRESS_EVERY == 0:
            progress(len(verdicts))
    return CheckResult(verdicts)


def price_before(
    ctx: ImsContext, sku: str, location: str
) -> tuple[dict[str, Any] | None, tuple[Decimal, Decimal] | None]:
    """The price a location has now (its own, or the size's), as stored and as numbers."""
    current = ctx.cache.get((sku, location))
    if current is None:
        return None, None
    _, own_mrp, own_esp = current
    override = own_mrp is not None and own_esp is not None
    if own_mrp is not None and own_esp is not None:
        mrp, esp = own_mrp, own_esp
    elif sku in ctx.skus:
        mrp, esp = ctx.skus[sku]
    else:
        return None, None
    return (
        {"mrp": json_number(mrp), "esp": json_number(esp), "override": override},
        (mrp, esp),
    )


@without_gc
def check_prices(
    sheet: Sheet, match: HeaderMatch, ctx: ImsContext, progress: Progress | None = None
) -> CheckResult:
    pos = match.positions
    labels = match.labels
    i_sku, i_loc, i_mrp, i_esp = pos["sku"], pos["location"], pos["mrp"], pos["esp"]
    i_cur = pos.get("currency")
    key_labels = (labels[i_sku], labels[i_loc])
    mrp_label, esp_label = labels[i_mrp], labels[i_esp]
    decimal_comma = sheet.delimiter == ";"
    reader = RowReader(match)
    verdicts: list[RowVerdict] = []
    seen: dict[str, int] = {}
    for row, cells in sheet.rows:
        if reader.is_blank(cells):
            continue
        n = len(cells)
        verdict = RowVerdict(row, "")
        reader.structural(cells, verdict)
        sku, location = _sku_and_location(cells, verdict, (i_sku, i_loc), key_labels, ctx)
        raw_mrp = cells[i_mrp] if i_mrp < n else ""
        raw_esp = cells[i_esp] if i_esp < n else ""
        mrp, problem = parse_money(raw_mrp, what="The MRP", decimal_comma=decimal_comma)
        if problem:
            verdict.fail(mrp_label, problem)
        esp, problem = parse_money(raw_esp, what="The selling price", decimal_comma=decimal_comma)
        if problem:
            verdict.fail(esp_label, problem)
        if mrp is not None and esp is not None and (problem := price_pair_error(mrp, esp)):
            verdict.fail(esp_label, problem)
        if i_cur is not None and i_cur < n:
            currency = cells[i_cur].strip().upper()
            if currency and currency != CURRENCY:
                verdict.fail(
                    labels[i_cur],
                    f"Currency “{shown(cells[i_cur].strip())}” is not accepted: prices are in"
                    " Indian rupees (INR).",
                )
        verdict.summary = {
            "sku": sku,
            "location": location or (cells[i_loc].strip() if i_loc < n else ""),
            "mrp": raw_mrp,
            "esp": raw_esp,
        }
        if sku and location:
            key = f"{sku}@{location}"
            verdict.key = key
            if key in seen:
                first = verdicts[seen[key]]
                same = (first.summary.get("mrp"), first.summary.get("esp")) == (raw_mrp, raw_esp)
                mark_duplicates(verdicts, seen[key], verdict, f"SKU {sku} at {location}", same)
            else:
                seen[key] = len(verdicts)
        if verdict.status != "invalid" and mrp is not None and esp is not None:
            verdict.payload = {
                "location_id": location,
                "sku": sku,
                "esp": json_number(esp),
                "mrp": json_number(mrp),
                "currency": CURRENCY,
            }
            before, current = price_before(ctx, sku, location)
            if current is None:
                verdict.cached = False
            else:
                verdict.before = before
                if current == (mrp, esp):
                    verdict.status = "same"
        verdicts.append(verdict)
        if progress is not None and len(verdicts) % PROGRESS_EVERY == 0:
            progress(len(verdicts))
    return CheckResult(verdicts)


def ims_context(*, skus: Iterable[str] | None = None) -> ImsContext:
    """Load the catalog's SKUs, our locations and the cached stock and prices."""
    from catalog.models import Product, ProductSize, StockLevel
    from konnect_admin.models import Location

    sizes = ProductSize.objects.exclude(product__state=Product.State.DELETED)
    if skus is not None:
        sizes = sizes.filter(sku__in=list(skus))
    known = {
        sku: (price, effective)
        for sku, price, effective in sizes.values_list("sku", "price", "price_effective")
    }
    locations = {
        code.upper(): code
        for code in Location.objects.filter(is_active=True).values_list("code", flat=True)
    }
    levels = StockLevel.objects.all()
    if skus is not None:
        levels = levels.filter(sku__in=list(known))
    cache = {
        (sku, loc): (qty, mrp, esp)
        for sku, loc, qty, mrp, esp in levels.values_list(
            "sku", "location_code", "quantity", "mrp", "esp"
        ).iterator(chunk_size=5000)
    }
    return ImsContext(skus=known, locations=locations, cache=cache)
