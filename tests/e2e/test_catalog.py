"""A merchandiser's day in real Chromium: sync, create with mistakes, fix, update, delete a size."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from konnect_admin.sandbox.models import Product as SandboxProduct
from konnect_admin.sandbox.seed import is_seeded, seed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sandbox(settings: Any) -> None:
    if not is_seeded():  # an earlier module may have committed it already
        seed()
    settings.SANDBOX_TRACE_DELAY_SECONDS = 1
    settings.SANDBOX_DP_ASSIGN_SECONDS = 0


def _attribute(page: Any, label: str) -> Any:
    """An attribute field by its label (mandatory ones end in an asterisk)."""
    return page.locator("#attribute-fields").get_by_label(re.compile(rf"^{re.escape(label)}\*?$"))


def _wait_for_job(page: Any, text: str = "Completed") -> None:
    expect(page.locator(".job-progress .pill").first).to_have_text(text, timeout=30_000)


def test_create_fix_update_and_delete_a_size(
    sandbox: None,
    background_sweeper: None,
    make_user: Callable[..., Any],
    login: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    make_user("meera", "Merchandiser")
    page = login("meera")
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto("/catalog/data/")
    page.get_by_role("button", name="Sync everything now").click()
    _wait_for_job(page)
    screenshot(page, "catalog-sync")

    page.goto("/catalog/products/new/")
    page.get_by_label("Template").select_option(label="Topwear")
    page.get_by_label("Department").select_option(label="Men's Fashion")
    page.get_by_label("Category (L3)").select_option("10001")  # T-Shirts
    expect(page.locator("#attribute-fields legend")).to_have_text(
        "Attributes of T-Shirts", timeout=20_000
    )
    page.get_by_label("Brand").select_option(label="Indigo Ghat")
    page.locator("#id_name").fill("Indigo Ghat Slub Tee")
    page.locator("#id_slug").fill("Bad Slug!")
    expect(page.locator("#field-slug .error")).to_contain_text("lower-case letters")  # while typing
    page.locator("#id_item_code").fill("E2E-TEE-1")
    for label, value in [
        ("Gender", "Men"),
        ("Primary Colour", "Navy Blue"),
        ("Fit", "Regular Fit"),
        ("Sleeve Length", "Short Sleeves"),
        ("Neck Type", "Round Neck"),
        ("Pattern", "Solid"),
    ]:
        _attribute(page, label).select_option(value)
    _attribute(page, "Pack Of (pcs)").fill("1")
    # "Fabric" is mandatory and left empty on purpose.
    page.locator("#id_sizes-0-primary_identifier").fill("E2E-TEE-1-M")
    page.locator("#id_sizes-0-size").fill("M")
    page.locator("#id_sizes-0-price").fill("999")
    page.locator("#id_sizes-0-price_effective").fill("799")
    page.get_by_role("button", name="+ Add size").click()
    page.locator("#id_sizes-1-primary_identifier").fill("E2E-TEE-1-L")
    page.locator("#id_sizes-1-size").fill("L")
    page.locator("#id_sizes-1-price").fill("999")
    page.locator("#id_sizes-1-price_effective").fill("799")
    page.locator("#id_traders-0-name").fill("Indigo Ghat Textiles")
    page.locator("#id_traders-0-address").fill("Plot 12, MIDC Tarapur")
    page.locator("#id_hs_code").fill("61091000")
    page.get_by_label("Tax rule").select_option(label="Apparel and textile made-ups - GST 2.0")
    expect(page.locator("#payload-preview")).to_contain_text('"item_code": "E2E-TEE-1"')
    # until a submit, nothing is flagged but the live check of the slug being typed
    expect(page.locator("#product-form p.error")).to_have_count(1)
    page.get_by_role("button", name="Create in Konnect").click()
    expect(page.locator("#form-errors")).to_be_visible()  # the server's answer, not the above
    expect(page.locator("#product-form p.error")).to_have_count(2)
    expect(page.locator("#field-slug .error")).to_contain_text("lower-case letters")
    expect(page.locator("#field-attr__fabric .error")).to_contain_text("required")
    screenshot(page, "catalog-form-errors")

    page.locator("#id_slug").fill("indigo-ghat-slub-tee")
    _attribute(page, "Fabric").select_option("Cotton")
    page.get_by_role("button", name="Create in Konnect").click()
    page.wait_for_url(re.compile(r"/catalog/products/\d+/$"))
    _wait_for_job(page)
    expect(page.locator(".page-head .pill")).to_have_text("In Konnect", timeout=20_000)
    screenshot(page, "catalog-product-created")
    assert SandboxProduct.objects.filter(item_code="E2E-TEE-1").exists()

    page.goto("/catalog/products/")
    page.get_by_placeholder("Name, item code, slug or exact SKU").fill("E2E-TEE")
    expect(page.locator("#product-results")).to_contain_text("Indigo Ghat Slub Tee")
    page.get_by_role("link", name="Indigo Ghat Slub Tee").click()

    page.get_by_role("link", name="Edit").click()
    expect(page.locator("#id_slug")).to_be_disabled()
    page.locator("#id_name").fill("Indigo Ghat Slub Tee, navy")
    page.get_by_role("button", name="Send update to Konnect").click()
    page.wait_for_url(re.compile(r"/catalog/products/\d+/$"))
    _wait_for_job(page)
    expect(page.locator("h1")).to_have_text("Indigo Ghat Slub Tee, navy", timeout=20_000)

    page.get_by_role("button", name="Delete size L").click()
    _wait_for_job(page)
    expect(page.locator("table").last).not_to_contain_text("E2E-TEE-1-L", timeout=20_000)
    screenshot(page, "catalog-size-deleted")
    product = Product.objects.get(item_code="E2E-TEE-1")
    assert list(product.sizes.values_list("sku", flat=True)) == ["E2E-TEE-1-M"]
    assert page.console_errors == []
