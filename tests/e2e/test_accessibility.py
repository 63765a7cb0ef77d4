"""axe-core over every main page in real Chromium: no serious or critical violations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from catalog.models import Category, Product, ProductSize
from catalog.product_cache import product_sync_start
from catalog.sync import SYNCERS, category_attributes_sync
from catalog.uploads.checking import upload_receive
from konnect_admin.demo import locations_seed
from konnect_admin.jobs.housekeeping import housekeeping_start
from konnect_admin.konnect import get_client
from konnect_admin.sandbox.seed import is_seeded, seed
from orders.models import Shipment
from orders.sync import shipment_sync_start

pytestmark = pytest.mark.django_db(transaction=True)

# Every page people work on; the test refuses a page it cannot open.
MAIN_PAGES = [
    "/",
    "/jobs/",
    "/jobs/{job}/",
    "/audit/",
    "/users/",
    "/users/new/",
    "/settings/",
    "/catalog/data/",
    "/catalog/data/departments/",
    "/catalog/data/categories/",
    "/catalog/data/brands/",
    "/catalog/data/hs-codes/",
    "/catalog/data/tax-rules/",
    "/catalog/data/templates/",
    "/catalog/products/",
    "/catalog/products/new/",
    "/catalog/products/{product}/",
    "/catalog/uploads/",
    "/catalog/uploads/{upload}/",
    "/orders/",
    "/orders/shipments/{shipment}/",
    "/orders/scan/",
    "/orders/returns/",
    "/orders/returns/{ret}/",
    "/sandbox/_control/",
]


def _serious(results: Any) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_accessibility_violations(
    page: Any, login: Callable[..., Any], make_user: Callable[..., Any], drain_jobs: Any
) -> None:
    if not is_seeded():
        seed()
    client = get_client()
    for syncer in SYNCERS.values():
        syncer(client)
    category_attributes_sync(category=Category.objects.get(name="T-Shirts"), client=client)
    admin = make_user("asha", "Admin", locations=("BHW-WH-01",))
    locations_seed()
    product_sync_start(user=admin)
    shipment_sync_start(user=admin)
    drain_jobs()
    sku = ProductSize.objects.values_list("sku", flat=True).first()
    upload = upload_receive(  # a preview with one good row and one wrong quantity
        kind="inventory",
        filename="stock.csv",
        data=f"SKU,Location,Quantity\r\n{sku},BHW-WH-01,5\r\n{sku},BLR-ST-01,twelve\r\n".encode(),
        user=admin,
    )
    drain_jobs()
    job = housekeeping_start()
    product = Product.objects.order_by("pk").first()
    shipment = Shipment.objects.filter(location_code="BHW-WH-01", is_return=False).first()
    ret = Shipment.objects.filter(location_code="BHW-WH-01", lane="RETURNS").first()
    assert product and shipment and ret, "the sandbox seed has a product, a shipment, a return"
    login("asha")
    axe = Axe()
    problems: dict[str, list[str]] = {}
    checked = 0
    for template in MAIN_PAGES:
        url = template.format(
            job=job.pk,
            product=product.pk,
            upload=upload.pk,
            shipment=shipment.shipment_id,
            ret=ret.shipment_id,
        )
        response = page.goto(url)
        assert response.status == 200, url
        if url == "/catalog/products/new/":  # with a category's attribute fields on screen
            page.get_by_label("Template").select_option(label="Topwear")
            page.get_by_label("Department").select_option(label="Men's Fashion")
            page.get_by_label("Category (L3)").select_option("10001")
            page.locator("#attribute-fields .form-grid").wait_for()
        found = _serious(axe.run(page))
        if found:
            problems[url] = found
        checked += 1
    assert checked == len(MAIN_PAGES)
    assert problems == {}
