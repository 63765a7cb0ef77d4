"""Catalog fixtures: reference data synced from the sandbox, and a valid product form POST."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.models import Category
from catalog.services import reference_sync_start
from catalog.sync import category_attributes_sync

APPAREL_RULE = "410622e1dc1f2513a091aa89"  # "Apparel and textile made-ups - GST 2.0"


@pytest.fixture
def catalog_synced(konnect_sandbox: None, drain_jobs: Any, admin_user: Any) -> Category:
    """Reference data in the cache and T-Shirts' attributes loaded; returns T-Shirts."""
    reference_sync_start(user=admin_user)
    drain_jobs()
    shirts = Category.objects.get(name="T-Shirts")
    category_attributes_sync(category=shirts)
    return shirts


def product_post(shirts: Category, **overrides: Any) -> dict[str, Any]:
    """A complete, valid create-form POST for a men's T-shirt with two sizes."""
    data: dict[str, Any] = {
        "template": "topwear",
        "department": "1",
        "category": str(shirts.uid),
        "brand": "Indigo Ghat",
        "name": "Indigo Ghat Slub Cotton Tee",
        "slug": "indigo-ghat-slub-cotton-tee",
        "item_code": "IGT-TEE-001",
        "item_type": "standard",
        "country_of_origin": "India",
        "hs_code": "61091000",
        "tax_rule": APPAREL_RULE,
        "short_description": "Everyday slub cotton tee",
        "returnable": "Yes",
        "return_days": "7",
        "attr__gender": "Men",
        "attr__primary_colour": "Navy Blue",
        "attr__fabric": "Cotton",
        "attr__fit": "Regular Fit",
        "attr__sleeve_length": "Short Sleeves",
        "attr__neck_type": "Round Neck",
        "attr__pattern": "Solid",
        "attr__pack_of": "1",
        "attr__season": ["Summer", "Monsoon"],
        "sizes-TOTAL_FORMS": "2",
        "sizes-INITIAL_FORMS": "0",
        "sizes-MIN_NUM_FORMS": "1",
        "sizes-MAX_NUM_FORMS": "1000",
        "sizes-0-primary_identifier": "IGT-TEE-001-M",
        "sizes-0-size": "M",
        "sizes-0-price": "999",
        "sizes-0-price_effective": "799",
        "sizes-0-item_weight": "180",
        "sizes-0-track_inventory": "on",
        "sizes-1-primary_identifier": "IGT-TEE-001-L",
        "sizes-1-size": "L",
        "sizes-1-price": "999",
        "sizes-1-price_effective": "799",
        "sizes-1-track_inventory": "on",
        "traders-TOTAL_FORMS": "1",
        "traders-INITIAL_FORMS": "0",
        "traders-MIN_NUM_FORMS": "1",
        "traders-MAX_NUM_FORMS": "1000",
        "traders-0-type": "Manufacturer",
        "traders-0-name": "Indigo Ghat Textiles Pvt Ltd",
        "traders-0-address": "Plot 12, MIDC\nTarapur, Maharashtra 401506",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
