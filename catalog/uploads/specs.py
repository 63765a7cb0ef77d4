"""The columns of each kind of upload, and how a file's header row is matched to them.

Headers are matched loosely, the way people type them: case, spaces, punctuation and a
trailing `*` are ignored ("Selling Price*", "selling_price" and "sellingprice" are the same
column), and a few common other names are accepted (Qty, Stock, HSN, ESP, ...). The status and
message columns that a result file appends are recognised and ignored, so a "failed rows only"
file can be fixed and uploaded again as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from catalog.forms import ATTR_PREFIX

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

STATUS_COLUMN = "Upload status"
MESSAGE_COLUMN = "Upload message"


def norm(text: str) -> str:
    return _NON_ALNUM.sub("", str(text).lower())


RESULT_COLUMNS = frozenset({norm(STATUS_COLUMN), norm(MESSAGE_COLUMN)})


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the letters a spreadsheet shows above a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""
    rule: str = ""  # one line for the template's help sheet and the upload page
    size_level: bool = False  # products: a size's column (one row per size)

    def names(self) -> set[str]:
        return {norm(self.label), norm(self.key), *(norm(a) for a in self.aliases)}


@dataclass(frozen=True)
class Spec:
    kind: str
    columns: tuple[Column, ...]
    title: str = ""
    notes: tuple[str, ...] = field(default=())

    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]


SKU = Column(
    "sku",
    "SKU",
    True,
    ("primaryidentifier", "skucode", "sellersku", "skuid"),
    rule="The size's SKU (primary identifier), as in Konnect.",
)
LOCATION = Column(
    "location",
    "Location",
    True,
    ("locationid", "locationcode", "store", "storecode", "warehouse", "warehousecode"),
    rule="A location code, e.g. BHW-WH-01.",
)

INVENTORY = Spec(
    "inventory",
    (
        SKU,
        LOCATION,
        Column(
            "quantity",
            "Quantity",
            True,
            ("qty", "stock", "inventory", "quantityavailable", "availablequantity", "onhand"),
            rule="Stock at that location: a whole number, 0 or more (0 means out of stock).",
        ),
    ),
    title="Stock per SKU and location",
)

PRICES = Spec(
    "prices",
    (
        SKU,
        LOCATION,
        Column(
            "mrp",
            "MRP",
            True,
            ("maxretailprice", "maximumretailprice", "price", "mrpinr"),
            rule="Maximum retail price in rupees, 0 or more, at most 2 decimals.",
        ),
        Column(
            "esp",
            "Selling price",
            True,
            ("esp", "priceeffective", "specialprice", "saleprice", "offerprice", "sellingpriceinr"),
            rule="What the customer pays, in rupees: 0 or more and not above the MRP.",
        ),
        Column("currency", "Currency", False, ("cur",), rule="INR (the default when empty)."),
    ),
    title="Price per SKU and location",
)

PRODUCT_COLUMNS: tuple[Column, ...] = (
    Column(
        "item_code",
        "Item code",
        True,
        ("productcode", "stylecode", "articlecode"),
        rule="Your unique code for the product; one row per size, rows of a product share it.",
    ),
    Column("name", "Name", True, ("productname", "title"), rule="1 to 300 characters."),
    Column(
        "slug",
        "Slug",
        True,
        ("urlslug", "handle"),
        rule="Lower-case letters and digits with single hyphens, unique per brand.",
    ),
    Column("brand", "Brand", True, ("brandname",), rule="A brand of your Konnect account."),
    Column(
        "department",
        "Department",
        False,
        ("departmentname", "departmentuid"),
        rule="One of the category's departments (name or number); empty: the first one.",
    ),
    Column(
        "item_type",
        "Item type",
        False,
        ("type", "producttype"),
        rule="standard, set, composite or digital (standard when empty).",
    ),
    Column(
        "country_of_origin",
        "Country of origin",
        True,
        ("country", "origin", "madein"),
        rule="Where it was made, e.g. India.",
    ),
    Column(
        "hs_code",
        "HS code",
        True,
        ("hsn", "hsncode", "hsnsac", "sac"),
        rule="An HS or SAC code known to Konnect (see Catalog data).",
    ),
    Column(
        "tax_rule",
        "Tax rule",
        True,
        ("taxruleid", "taxrulename", "gstrule"),
        rule="An active tax rule (its name or id) that covers the HS code.",
    ),
    Column("short_description", "Short description", False, rule="At most 50 characters."),
    Column("description", "Description", False, rule="At most 5,000 characters."),
    Column("highlights", "Highlights", False, rule="Separate highlights with |."),
    Column("tags", "Tags", False, rule="Separate tags with commas."),
    Column(
        "media",
        "Image URLs",
        False,
        ("media", "images", "imageurl", "image"),
        rule="https:// addresses, separated with |.",
    ),
    Column("net_quantity_value", "Net quantity", False, ("netqty",), rule="A number, 0 or more."),
    Column(
        "net_quantity_unit",
        "Net quantity unit",
        False,
        ("netqtyunit", "unit"),
        rule="g, kg, ml, l, piece, pair or set.",
    ),
    Column("no_of_boxes", "Number of boxes", False, ("boxes", "noofboxes"), rule="0 or more."),
    Column(
        "returnable", "Returnable", False, ("isreturnable",), rule="Yes or No (Yes when empty)."
    ),
    Column(
        "return_days",
        "Return window (days)",
        False,
        ("returndays", "returnwindow"),
        rule="0 to 365 (7 when empty).",
    ),
    Column(
        "is_dependent", "Is dependent", False, ("dependent",), rule="Yes or No (No when empty)."
    ),
    Column(
        "trader_type",
        "Trader type",
        False,
        (),
        rule="Manufacturer, Importer, Packer or Seller (Manufacturer when empty).",
    ),
    Column("trader_name", "Trader name", True, ("manufacturer", "manufacturername")),
    Column(
        "trader_address",
        "Trader address",
        True,
        ("manufactureraddress",),
        rule="Separate address lines with |.",
    ),
    Column(
        "sku",
        "SKU",
        True,
        ("primaryidentifier", "skucode", "sellersku"),
        rule="The size's SKU, unique across your catalog.",
        size_level=True,
    ),
    Column(
        "size", "Size", True, ("sizename", "variant"), rule="e.g. M, 42, 500 g.", size_level=True
    ),
    Column(
        "mrp",
        "MRP",
        True,
        ("price", "maxretailprice"),
        rule="In rupees, 0 or more.",
        size_level=True,
    ),
    Column(
        "esp",
        "Selling price",
        True,
        ("esp", "priceeffective", "specialprice", "saleprice"),
        rule="In rupees, not above the MRP.",
        size_level=True,
    ),
    Column("item_length", "Length (cm)", False, ("length", "itemlength"), size_level=True),
    Column("item_width", "Width (cm)", False, ("width", "itemwidth"), size_level=True),
    Column("item_height", "Height (cm)", False, ("height", "itemheight"), size_level=True),
    Column("item_weight", "Weight (g)", False, ("weight", "itemweight"), size_level=True),
    Column(
        "ean",
        "EAN",
        False,
        ("barcode", "gtin", "ean13", "upc"),
        rule="Optional barcode of the size.",
        size_level=True,
    ),
    Column(
        "track_inventory",
        "Track inventory",
        False,
        ("trackstock",),
        rule="Yes or No (Yes when empty).",
        size_level=True,
    ),
)


def products_spec(definitions: Sequence[object], *, category_name: str = "") -> Spec:
    """The product columns plus one column per attribute of the category.

    An attribute whose name would read like a product column gets an "Attribute: " prefix.
    """
    taken: set[str] = set()
    for column in PRODUCT_COLUMNS:
        taken |= column.names()
    columns = list(PRODUCT_COLUMNS)
    for definition in definitions:
        slug = str(getattr(definition, "slug", ""))
        name = str(getattr(definition, "name", slug))
        unit = str(getattr(definition, "unit", "") or "")
        label = name + (f" ({unit})" if unit else "")
        if norm(label) in taken or norm(name) in taken or norm(slug) in taken:
            label = f"Attribute: {label}"
            aliases: tuple[str, ...] = (f"attribute {slug}",)
        else:
            aliases = (slug, name)
        columns.append(
            Column(
                ATTR_PREFIX + slug,
                label,
                bool(getattr(definition, "required", False)),
                aliases,
                rule=_attribute_rule(definition),
            )
        )
        taken |= {norm(label), *(norm(a) for a in aliases)}
    return Spec("products", tuple(columns), title=f"Products in {category_name}".strip())


def _attribute_rule(definition: object) -> str:
    kind = str(getattr(definition, "type", "str"))
    values = list(getattr(definition, "values", None) or [])
    if kind == "enum":
        return "One of: " + ", ".join(values)
    if kind == "multi-enum":
        return "One or more (separate with |) of: " + ", ".join(values)
    return {
        "int": "A whole number.",
        "float": "A number.",
        "bool": "Yes or No.",
        "date": "A date, YYYY-MM-DD.",
        "url": "An https:// address.",
    }.get(
        kind,
        "Text"
        + (
            f", at most {getattr(definition, 'max_length', 0)} characters."
            if getattr(definition, "max_length", None)
            else "."
        ),
    )


SPECS: dict[str, Spec] = {"inventory": INVENTORY, "prices": PRICES}


@dataclass
class HeaderMatch:
    """Which column of the file holds which field, plus what to tell the user."""

    positions: dict[str, int]  # column key → index in the row
    labels: list[str]  # the user's own header text, per index (for messages)
    ignored: list[int]  # indexes not used (unknown headers, result columns, blank headers)
    blank_headers: list[int]
    errors: list[str]
    notices: list[str]


def match_headers(headers: Sequence[str], spec: Spec) -> HeaderMatch:
    lookup: dict[str, Column] = {}
    for column in spec.columns:
        for name in column.names():
            lookup.setdefault(name, column)
    positions: dict[str, int] = {}
    labels = [str(h).strip() for h in headers]
    ignored: list[int] = []
    blank: list[int] = []
    unknown: list[str] = []
    errors: list[str] = []
    for index, header in enumerate(labels):
        key = norm(header)
        if not key:
            blank.append(index)
            ignored.append(index)
            continue
        if key in RESULT_COLUMNS:
            ignored.append(index)
            continue
        found = lookup.get(key)
        if found is None:
            unknown.append(f"{column_letter(index)} “{header}”")
            ignored.append(index)
            continue
        if found.key in positions:
            first = positions[found.key]
            errors.append(
                f"Columns {column_letter(first)} (“{labels[first]}”) and {column_letter(index)}"
                f" (“{header}”) are both {found.label}; keep only one of them."
            )
            continue
        positions[found.key] = index
    missing = [c.label for c in spec.required if c.key not in positions]
    if missing:
        present = ", ".join(f"“{h}”" for h in labels if h) or "none"
        message = (
            f"The file has no {_join(missing)} column{'s' if len(missing) > 1 else ''}."
            f" Columns found: {present}."
        )
        hint = _other_kind_hint(labels, spec.kind)
        errors.append(
            message + (f" {hint}" if hint else "") + " Download the template to see"
            " the expected headers."
        )
    notices: list[str] = []
    if unknown and not errors:
        notices.append(
            f"Not used (no such column in the {spec.kind} template): {', '.join(unknown)}."
        )
    return HeaderMatch(positions, labels, ignored, blank, errors, notices)


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _other_kind_hint(labels: list[str], kind: str) -> str:
    names = {norm(h) for h in labels}
    guesses = []
    for other, spec in (("inventory", INVENTORY), ("prices", PRICES)):
        if other == kind:
            continue
        if all(c.names() & names for c in spec.required):
            guesses.append(other)
    if kind != "products" and {"itemcode", "slug"} <= names:
        guesses.append("products")
    if not guesses:
        return ""
    return (
        f"It looks like a {guesses[0]} file: choose “{guesses[0].capitalize()}” on the upload page."
    )
