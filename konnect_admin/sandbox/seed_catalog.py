"""The seeded catalog: about 150 products with sizes, prices and per-location stock, each one
valid against the reference data (category, brand, template, attribute set, HS code, ACTIVE
tax rule), built from a seeded RNG so every seed is the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils.text import slugify

from konnect_admin.sandbox.reference import Item, Reference

# attribute set -> (how many products, descriptors, sizes, MRP range, item-code tag)
PRODUCT_MIX: dict[str, tuple[int, tuple[str, ...], tuple[str, ...], tuple[int, int], str]] = {
    "apparel-topwear": (
        22,
        ("Slim Fit", "Regular Fit", "Printed", "Solid", "Striped", "Oversized"),
        ("S", "M", "L", "XL", "XXL"),
        (499, 2499),
        "TOP",
    ),
    "apparel-bottomwear": (
        12,
        ("Slim Fit", "Relaxed Fit", "Stretchable", "Mid-Rise", "Tapered"),
        ("28", "30", "32", "34", "36"),
        (799, 2999),
        "BTM",
    ),
    "ethnic-wear": (
        10,
        ("Embroidered", "Handloom", "Block Printed", "Festive", "Zari Work"),
        ("S", "M", "L", "XL"),
        (999, 5999),
        "ETH",
    ),
    "footwear": (
        14,
        ("Lightweight", "Cushioned", "Classic", "Leather", "Everyday"),
        ("UK6", "UK7", "UK8", "UK9", "UK10"),
        (999, 4999),
        "FTW",
    ),
    "beauty-skincare": (
        14,
        ("Hydrating", "Vitamin C", "Daily", "Herbal", "Matte"),
        ("50 ml", "100 ml"),
        (199, 1299),
        "BTY",
    ),
    "fragrance": (
        6,
        ("Oud", "Citrus", "Floral", "Musk", "Sandalwood"),
        ("50 ml", "100 ml"),
        (499, 3999),
        "FRG",
    ),
    "electronics-mobile": (
        5,
        ("5G", "Pro", "Lite", "Max", "Neo"),
        ("8GB-128GB", "8GB-256GB"),
        (8999, 34999),
        "MOB",
    ),
    "electronics-audio": (
        7,
        ("Wireless", "Bass Boost", "Noise Cancelling", "Sport", "Studio"),
        ("OS",),
        (999, 7999),
        "AUD",
    ),
    "electronics-appliances": (
        10,
        ("Smart", "Compact", "Inverter", "Digital", "Turbo"),
        ("OS",),
        (1499, 24999),
        "APL",
    ),
    "home-furnishing": (
        10,
        ("Cotton", "Jacquard", "Printed", "Handwoven", "Velvet"),
        ("OS",),
        (399, 3999),
        "HOM",
    ),
    "kitchen-dining": (
        10,
        ("Stainless Steel", "Non-Stick", "Hard Anodised", "Ceramic", "Glass"),
        ("OS",),
        (299, 3499),
        "KIT",
    ),
    "packaged-food": (
        14,
        ("Organic", "Premium", "Classic", "Roasted", "Masala"),
        ("200 g", "500 g", "1 kg"),
        (49, 899),
        "FOD",
    ),
    "jewellery": (
        8,
        ("Gold Plated", "Sterling Silver", "Kundan", "Oxidised", "Pearl"),
        ("OS",),
        (499, 24999),
        "JWL",
    ),
    "watches": (4, ("Analog", "Chronograph", "Classic", "Digital"), ("OS",), (1499, 14999), "WAT"),
    "bags-accessories": (
        8,
        ("Everyday", "Travel", "Leather", "Canvas", "Compact"),
        ("OS",),
        (599, 4999),
        "BAG",
    ),
}
DISCOUNTS = (0, 0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
GENDER_BY_DEPARTMENT = {"mens-fashion": "Men", "womens-fashion": "Women", "kids": "Boys"}

# Realistic values for free-text and numeric attributes, by attribute slug.
TEXT_VALUES: dict[str, tuple[str, ...]] = {
    "fabric_composition": ("100% Cotton", "60% Cotton, 40% Polyester", "95% Cotton, 5% Elastane"),
    "wash_care": ("Machine wash cold, do not bleach", "Hand wash separately in cold water"),
    "care_instructions": ("Wipe with a clean dry cloth", "Store in a cool, dry place"),
    "ingredients": (
        "Aqua, Glycerin, Niacinamide, Aloe Barbadensis Leaf Juice, Tocopherol",
        "Whole wheat flour, edible vegetable oil, salt, spices",
    ),
    "key_ingredients": ("Niacinamide, Vitamin C", "Aloe vera, Tea tree oil"),
    "colour": ("Midnight Black", "Arctic White", "Ocean Blue"),
    "in_the_box": (
        "1 unit, user manual, warranty card",
        "Device, charging cable, quick start guide",
    ),
    "processor": ("Octa-core 2.4 GHz",),
    "capacity": ("1.5 L", "250 L", "7 kg"),
    "dimensions_cm": ("40 x 40", "228 x 254", "150 x 220"),
    "flavour": ("Classic Salted", "Peri Peri", "Masala"),
    "storage_instructions": ("Store in a cool and dry place away from sunlight",),
    "top_notes": ("Bergamot, Lemon",),
    "heart_notes": ("Jasmine, Rose",),
    "base_notes": ("Sandalwood, Musk",),
    "shade_name": ("Nude Beige", "Ruby Red"),
    "size_or_length": ("18 inch", "Adjustable"),
}
INT_VALUES: dict[str, tuple[int, ...]] = {
    "pack_of": (1, 1, 1, 2, 3),
    "number_of_pairs": (1,),
    "warranty_months": (6, 12, 12, 24),
    "shelf_life_months": (24, 36),
    "shelf_life_days": (90, 180, 270),
    "number_of_pieces": (1, 2, 4, 6),
    "ram_gb": (6, 8, 12),
    "internal_storage_gb": (128, 256),
    "battery_capacity_mah": (4500, 5000, 6000),
    "spf": (30, 50),
    "thread_count": (144, 210, 300),
    "gsm": (180, 400, 550),
    "rated_voltage_v": (220, 230),
    "water_resistance_m": (30, 50, 100),
    "number_of_units": (1, 6, 12),
    "number_of_pockets": (2, 4, 5),
    "number_of_compartments": (1, 2, 3),
}
FLOAT_VALUES: dict[str, tuple[float, ...]] = {
    "net_quantity": (50.0, 100.0, 200.0, 500.0),
    "net_quantity_ml": (50.0, 100.0),
    "display_size_inch": (6.5, 6.7, 32.0),
    "saree_length_m": (5.5, 6.3),
    "heel_height_cm": (2.5, 5.0),
    "net_weight_g": (4.2, 8.5, 12.0),
    "capacity_ml": (500.0, 750.0, 1000.0),
    "playback_time_hours": (24.0, 36.0, 50.0),
    "case_diameter_mm": (38.0, 42.0, 44.0),
}


@dataclass(frozen=True)
class SeedProduct:
    template: str
    record: dict[str, Any]


def _attribute_value(attr: Item, rng: random.Random, department_slug: str, brand: str) -> Any:
    slug, kind = attr["slug"], attr["type"]
    if kind == "enum":
        values = attr["values"]
        if slug == "country_of_origin" and "India" in values:
            return "India"
        if slug == "gender" and GENDER_BY_DEPARTMENT.get(department_slug) in values:
            return GENDER_BY_DEPARTMENT[department_slug]
        return rng.choice(values)
    if kind == "multi-enum":
        return sorted(rng.sample(attr["values"], k=min(2, len(attr["values"]))))
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "int":
        return rng.choice(INT_VALUES.get(slug, (1, 2, 3)))
    if kind == "float":
        return rng.choice(FLOAT_VALUES.get(slug, (1.5, 2.0, 10.0)))
    if kind == "date":
        return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == "url":
        return (
            f"https://assets.sandbox.invalid/{slug.replace('_', '-')}/{rng.randint(100, 999)}.pdf"
        )
    if kind == "html":
        return f"<p>{attr['name']} of this {brand} product.</p>"
    limit = attr.get("max_length") or 60
    if slug == "fssai_licence_number":
        return "".join(str(rng.randint(0, 9)) for _ in range(14))
    if slug == "hallmark_huid":
        return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    if slug in ("model_number", "model_name"):
        return f"{brand[:3].upper()}-{rng.randint(1000, 9999)}"[:limit]
    if slug.endswith("_number"):
        return f"R-{rng.randint(41000000, 41999999)}"[:limit]
    text = rng.choice(TEXT_VALUES.get(slug, (f"Standard {attr['name'].lower()}",)))
    return text[:limit]


def _ean13(rng: random.Random) -> str:
    digits = "890" + "".join(str(rng.randint(0, 9)) for _ in range(9))  # 890: GS1 India
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _price(rng: random.Random, low: int, high: int) -> int:
    return max(49, round(rng.randint(low, high) / 100) * 100 - 1)


def _sizes(
    rng: random.Random, item_code: str, choices: tuple[str, ...], mrp_range: tuple[int, int]
) -> list[dict[str, Any]]:
    if len(choices) == 1:
        picked = list(choices)
    else:
        count = rng.randint(min(2, len(choices)), len(choices))
        first = rng.randint(0, len(choices) - count)
        picked = list(choices[first : first + count])
    base = _price(rng, *mrp_range)
    discount = rng.choice(DISCOUNTS)
    sizes = []
    for n, size in enumerate(picked):
        # Bigger packs and higher storage variants cost more; apparel sizes cost the same.
        mrp = base if size[0].isalpha() and " " not in size else _price_step(base, n)
        sizes.append(
            {
                "primary_identifier": f"{item_code}-{size.replace(' ', '').upper()}",
                "size": size,
                "price": mrp,
                "price_effective": round(mrp * (1 - discount)),
                "item_length": rng.choice((20, 25, 30, 35)),
                "item_width": rng.choice((10, 15, 20)),
                "item_height": rng.choice((2, 5, 8, 12)),
                "item_weight": rng.choice((150, 250, 400, 800)),
                "track_inventory": True,
                "identifiers": [{"gtin_value": _ean13(rng), "gtin_type": "EAN", "primary": True}],
            }
        )
    return sizes


def _price_step(base: int, step: int) -> int:
    return base if step == 0 else round(base * (1 + 0.8 * step) / 100) * 100 - 1


def _tax_rules_by_hs(ref: Reference) -> dict[str, str]:
    rules: dict[str, str] = {}
    for rule in ref.tax_rules:
        if rule["status"] == "ACTIVE" and rule["version_status"] == "CURRENT":
            for code in rule["hs_codes"]:
                rules.setdefault(code, rule["rule_id"])
    return rules


def build_products(ref: Reference, rng: random.Random) -> list[SeedProduct]:
    rule_for_hs = _tax_rules_by_hs(ref)
    active_departments = {d["uid"] for d in ref.departments if d["is_active"]}
    brand_departments = {
        b["name"]: {ref.department_by_slug[s]["uid"] for s in b["departments"]} for b in ref.brands
    }
    products: list[SeedProduct] = []
    serial = 0
    for attribute_set, (count, descriptors, size_choices, mrp_range, tag) in PRODUCT_MIX.items():
        categories = [
            c
            for c in ref.l3_by_name.values()
            if c["attribute_set"] == attribute_set
            and c["is_active"]
            and c["hs_code"] in rule_for_hs
            and set(c["department_uids"]) & active_departments
        ]
        categories.sort(key=lambda c: c["uid"])
        for _ in range(count):
            category = rng.choice(categories)
            departments = sorted(set(category["department_uids"]) & active_departments)
            brands = sorted(
                name for name, deps in brand_departments.items() if deps & set(departments)
            )
            brand = rng.choice(brands)
            department_uid = rng.choice(sorted(brand_departments[brand] & set(departments)))
            department_slug = ref.department_by_uid[department_uid]["slug"]
            serial += 1
            name = f"{brand} {rng.choice(descriptors)} {category['name']}"
            item_code = f"{slugify(brand)[:3].upper()}-{tag}-{serial:04d}"
            attributes = {
                attr["slug"]: _attribute_value(attr, rng, department_slug, brand)
                for attr in ref.attribute_sets[attribute_set]
                if attr["required"] or rng.random() < 0.5
            }
            record: dict[str, Any] = {
                "item_type": "standard",
                "name": name,
                "slug": f"{slugify(name)}-{serial}",
                "departments": [str(department_uid)],
                "category": category["name"],
                "brand": brand,
                "item_code": item_code,
                "net_quantity": {"unit": "pcs", "value": 1},
                "country_of_origin": "India",
                "tax_identifier": {"tax_rule_id": rule_for_hs[category["hs_code"]]},
                "no_of_boxes": 1,
                "hs_code": category["hs_code"],
                "media": [
                    {
                        "url": f"https://assets.sandbox.invalid/{item_code.lower()}/{n}.jpg",
                        "type": "image",
                    }
                    for n in (1, 2)
                ],
                "short_description": f"{brand} {category['name']}"[:50],
                "description": (
                    f"{name}. Sold by Sandbox Retail from our own fulfilment centres; "
                    f"{category['name'].lower()} in the {department_slug.replace('-', ' ')} range."
                ),
                "highlights": [rng.choice(descriptors), f"Brand: {brand}"],
                "sizes": _sizes(rng, item_code, size_choices, mrp_range),
                "trader": [
                    {
                        "type": "Manufacturer",
                        "name": f"{brand} Industries Private Limited",
                        "address": ["Plot 14, MIDC Industrial Area", "Andheri East, Mumbai 400093"],
                    }
                ],
                "attributes": attributes,
                "tags": [department_slug, attribute_set],
                "return_config": (
                    {"returnable": "No", "time": 0, "unit": "days"}
                    if attribute_set == "packaged-food"
                    else {"returnable": "Yes", "time": rng.choice((7, 15, 30)), "unit": "days"}
                ),
                "is_dependent": False,
            }
            products.append(SeedProduct(template=category["template_slug"], record=record))
    return products


def stock_rows(
    rng: random.Random, skus: list[tuple[str, Decimal, Decimal]], location_codes: list[str]
) -> list[tuple[str, str, int, Decimal | None, Decimal | None]]:
    """(sku, location, quantity, mrp override, esp override) for every SKU at every location."""
    rows: list[tuple[str, str, int, Decimal | None, Decimal | None]] = []
    for sku, mrp, esp in skus:
        for code in location_codes:
            quantity = (
                0 if rng.random() < 0.12 else rng.choice((1, 2, 3, 5, 8, 12, 20, 35, 60, 120))
            )
            if rng.random() < 0.15:  # a local price, e.g. a store running its own offer
                local = (esp * Decimal("0.95")).quantize(Decimal(1))
                rows.append((sku, code, quantity, mrp, local))
            else:
                rows.append((sku, code, quantity, None, None))
    return rows


def seeded_at(now: datetime) -> datetime:
    """Products were all listed a while before the first seeded order."""
    return now - timedelta(days=45)
