"""Read-only reference data (departments, categories, brands, templates, attribute sets, HS
codes, tax rules, locations), loaded once from seed_data/ and served from memory.

The response items are built once here in the shapes of docs/konnect-contract.md section 3, so
a catalog page is a filter and a slice over a list, with no database query.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).resolve().parent / "seed_data"

Item = dict[str, Any]


def _load(name: str) -> list[Item]:
    rows: list[Item] = json.loads((SEED_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return rows


@dataclass(frozen=True)
class Reference:
    departments: list[Item]
    categories: list[Item]
    brands: list[Item]
    templates: list[Item]
    hs_codes: list[Item]
    tax_rules: list[Item]
    attribute_sets: dict[str, list[Item]]
    locations: list[Item]
    # indexes used by validation and the seed
    department_by_uid: dict[int, Item] = field(default_factory=dict)
    department_by_slug: dict[str, Item] = field(default_factory=dict)
    category_by_uid: dict[int, Item] = field(default_factory=dict)
    l3_by_name: dict[str, Item] = field(default_factory=dict)
    brand_by_name: dict[str, Item] = field(default_factory=dict)
    template_by_slug: dict[str, Item] = field(default_factory=dict)
    hs_by_code: dict[str, Item] = field(default_factory=dict)
    tax_rule_by_id: dict[str, Item] = field(default_factory=dict)
    location_by_code: dict[str, Item] = field(default_factory=dict)

    def template_department_uids(self, slug: str) -> set[int]:
        template = self.template_by_slug[slug]
        return {self.department_by_slug[s]["uid"] for s in template["departments"]}

    def attributes_of(self, category_name: str) -> list[Item]:
        """The attributes of an L3 category: its own attribute set decides, not the template."""
        return self.attribute_sets[self.l3_by_name[category_name]["attribute_set"]]


def _department(row: Item) -> Item:
    return {
        "id": row["uid"],
        "uid": row["uid"],
        "name": row["name"],
        "slug": row["slug"],
        "is_active": row["is_active"],
        "priority_order": row["priority_order"],
        "description": row["description"],
        "logo": None,
    }


def _category(row: Item) -> Item:
    return {
        "id": row["uid"],
        "uid": row["uid"],
        "name": row["name"],
        "slug": row["slug"],
        "level": row["level"],
        "parent_uid": row["parent_uid"],
        "department_uids": list(row["department_uids"]),
        "is_active": row["is_active"],
        "attribute_set": row["attribute_set"],
        "hs_code": row["hs_code"],
        "template_slug": row["template_slug"],
    }


def _brand(row: Item) -> Item:
    return {
        "id": row["uid"],
        "uid": row["uid"],
        "name": row["name"],
        "slug": row["slug"],
        "logo": row.get("logo_url"),
        "departments": list(row["departments"]),
    }


def _template(row: Item) -> Item:
    return {
        "slug": row["slug"],
        "name": row["name"],
        "departments": list(row["department_slugs"]),
        "attribute_set": row["attribute_set"],
        "description": row["description"],
    }


def _hs_code(row: Item) -> Item:
    item: Item = {
        "hs_code": row["code"],
        "type": row["type"],
        "description": row["description"],
        "gst_rate_percent": row["gst_rate_percent"],
    }
    for optional in ("gst_note", "gst_rule"):
        if optional in row:
            item[optional] = row[optional]
    item["country_code"] = "IN"
    return item


def _tax_rule(row: Item) -> Item:
    item: Item = {
        "rule_id": row["rule_id"],
        "name": row["name"],
        "tax_name": row["tax_name"],
        "status": row["status"],
        "version_status": row["version_status"],
        "effective_from": row["effective_from"],
    }
    if "effective_to" in row:
        item["effective_to"] = row["effective_to"]
    item["slabs"] = [dict(s) for s in row["slabs"]]
    item["hs_codes"] = list(row.get("hs_codes", []))
    return item


@cache
def reference() -> Reference:
    departments = sorted(
        (_department(r) for r in _load("departments")),
        key=lambda d: (d["priority_order"], d["uid"]),
    )
    categories = sorted((_category(r) for r in _load("categories")), key=lambda c: c["uid"])
    brands = sorted((_brand(r) for r in _load("brands")), key=lambda b: b["uid"])
    templates = sorted((_template(r) for r in _load("templates")), key=lambda t: t["slug"])
    hs_codes = sorted((_hs_code(r) for r in _load("hs_codes")), key=lambda h: h["hs_code"])
    tax_rules = sorted((_tax_rule(r) for r in _load("tax_rules")), key=lambda t: t["name"])
    attribute_sets = {s["slug"]: s["attributes"] for s in _load("attribute_sets")}
    locations = _load("locations")
    return Reference(
        departments=departments,
        categories=categories,
        brands=brands,
        templates=templates,
        hs_codes=hs_codes,
        tax_rules=tax_rules,
        attribute_sets=attribute_sets,
        locations=locations,
        department_by_uid={d["uid"]: d for d in departments},
        department_by_slug={d["slug"]: d for d in departments},
        category_by_uid={c["uid"]: c for c in categories},
        l3_by_name={c["name"]: c for c in categories if c["level"] == 3},
        brand_by_name={b["name"]: b for b in brands},
        template_by_slug={t["slug"]: t for t in templates},
        hs_by_code={h["hs_code"]: h for h in hs_codes},
        tax_rule_by_id={t["rule_id"]: t for t in tax_rules},
        location_by_code={loc["code"]: loc for loc in locations},
    )


def location_codes() -> list[str]:
    return [loc["code"] for loc in reference().locations]
