"""Catalog endpoints (`v3/catalog/...`): reference data, products and write traces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from konnect_admin.konnect import parsing
from konnect_admin.konnect.base import ClientBase, query, records_list
from konnect_admin.konnect.limits import (
    CATALOG_PAGE_MAX,
    CATALOG_WRITE_LIMIT,
    check_batch,
    check_page_size,
)
from konnect_admin.konnect.types import (
    Attribute,
    Brand,
    Category,
    Department,
    HsCode,
    Page,
    Product,
    TaxRule,
    Template,
    TraceStatus,
    WriteAccepted,
)

PRODUCT_PATH = "v3/catalog/product"


class CatalogMethods(ClientBase):
    def _page(self, path: str, page_number: int, page_size: int, **filters: Any) -> Page[Any]:
        check_page_size(page_size, CATALOG_PAGE_MAX, path)
        if page_number < 1:
            raise ValueError(f"{path}: page_number starts at 1, not {page_number}")
        params = query(page_number=page_number, page_size=page_size, **filters)
        body = self._json("GET", path, idempotent=True, params=params)
        return parsing.page(body, path, page_number=page_number, page_size=page_size)

    def departments(
        self,
        *,
        page_number: int = 1,
        page_size: int = CATALOG_PAGE_MAX,
        name: str | None = None,
        slug: str | None = None,
        is_active: bool | None = None,
    ) -> Page[Department]:
        return self._page(
            "v3/catalog/departments",
            page_number,
            page_size,
            name=name,
            slug=slug,
            is_active=is_active,
        )

    def categories(
        self,
        *,
        page_number: int = 1,
        page_size: int = CATALOG_PAGE_MAX,
        slug: str | None = None,
        level: int | None = None,
        department: int | None = None,
        cat3_id: Sequence[int] | None = None,
    ) -> Page[Category]:
        return self._page(
            "v3/catalog/category",
            page_number,
            page_size,
            slug=slug,
            level=level,
            department=department,
            cat3_id=cat3_id,
        )

    def brands(
        self,
        *,
        page_number: int = 1,
        page_size: int = CATALOG_PAGE_MAX,
        brand_name: str | None = None,
    ) -> Page[Brand]:
        return self._page("v3/catalog/company-brand", page_number, page_size, brand_name=brand_name)

    def templates(
        self,
        *,
        page_number: int = 1,
        page_size: int = CATALOG_PAGE_MAX,
        department: str | None = None,
    ) -> Page[Template]:
        return self._page(
            "v3/catalog/product/template", page_number, page_size, department=department
        )

    def product_attributes(self, *, category: str) -> list[Attribute]:
        """The attributes of one L3 category, by its exact (case-sensitive) name."""
        if not category:
            raise ValueError("product_attributes: the L3 category name is required")
        path = "v3/catalog/product-attributes"
        body = self._json("GET", path, idempotent=True, params=query(category=category))
        return cast(list[Attribute], parsing.items(body, path))

    def hs_codes(
        self,
        *,
        page_number: int = 1,
        page_size: int = CATALOG_PAGE_MAX,
        search: str | None = None,
        type: str | None = None,  # Konnect's parameter name (HS | SAC)
    ) -> Page[HsCode]:
        return self._page(
            "v3/catalog/taxes/hscodes", page_number, page_size, search=search, type=type
        )

    def tax_rules(
        self,
        *,
        page_number: int = 1,
        page_size: int = CATALOG_PAGE_MAX,
        status: str | None = None,
        version_status: str | None = None,
        rule_name: str | None = None,
    ) -> Page[TaxRule]:
        return self._page(
            "v3/catalog/taxes/rules",
            page_number,
            page_size,
            status=status,
            version_status=version_status,
            rule_name=rule_name,
        )

    def products(
        self,
        *,
        page_number: int = 1,
        page_size: int = CATALOG_PAGE_MAX,
        name: str | None = None,
        slug: str | None = None,
        item_code: str | Sequence[str] | None = None,
        sort_on: str | None = None,  # modified_on (default, newest first) | created
    ) -> Page[Product]:
        return self._page(
            PRODUCT_PATH,
            page_number,
            page_size,
            name=name,
            slug=slug,
            item_code=item_code,
            sort_on=sort_on,
        )

    # --- writes (never retried; see http.py) ---------------------------------------------------

    def _product_write(
        self, method: str, template: str, products: Sequence[Mapping[str, Any]]
    ) -> WriteAccepted:
        check_batch(products, CATALOG_WRITE_LIMIT, f"{method} {PRODUCT_PATH}")
        if not template:
            raise ValueError(f"{method} {PRODUCT_PATH}: the template slug is required")
        body = {"products": records_list(products), "template": template}
        answer = self._json(method, PRODUCT_PATH, idempotent=False, body=body)
        return parsing.write_accepted(answer, PRODUCT_PATH)

    def products_create(
        self, *, template: str, products: Sequence[Product | Mapping[str, Any]]
    ) -> WriteAccepted:
        return self._product_write("POST", template, products)

    def products_update(
        self, *, template: str, products: Sequence[Product | Mapping[str, Any]]
    ) -> WriteAccepted:
        """Each product carries its `item_code` plus the fields to change."""
        return self._product_write("PUT", template, products)

    def products_delete(
        self, *, template: str, products: Sequence[Product | Mapping[str, Any]]
    ) -> WriteAccepted:
        """Without `sizes` the whole product goes; with `sizes` only those SKUs."""
        return self._product_write("DELETE", template, products)

    def catalog_status(self, *, trace_id: str) -> TraceStatus:
        if not trace_id:
            raise ValueError("catalog_status: trace_id is required")
        path = "v3/catalog/status"
        body = self._json("GET", path, idempotent=True, params=query(trace_id=trace_id))
        return parsing.trace_status(body, path)
