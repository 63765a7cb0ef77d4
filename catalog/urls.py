from __future__ import annotations

from django.urls import URLPattern, path

from catalog import views_browse as browse
from catalog import views_products as products

app_name = "catalog"

urlpatterns: list[URLPattern] = [
    path("data/", browse.browse, name="browse"),
    path("data/sync/", browse.sync_start, name="sync_start"),
    path("data/departments/", browse.departments, name="departments"),
    path("data/categories/", browse.categories, name="categories"),
    path(
        "data/categories/<int:category_id>/children/",
        browse.category_children,
        name="category_children",
    ),
    path("data/brands/", browse.brands, name="brands"),
    path("data/hs-codes/", browse.hs_codes, name="hs_codes"),
    path("data/tax-rules/", browse.tax_rules, name="tax_rules"),
    path("data/templates/", browse.templates, name="templates"),
    path("products/", products.product_list, name="product_list"),
    path("products/refresh/", products.product_refresh, name="product_refresh"),
    path("products/new/", products.product_create, name="product_create"),
    path(
        "products/form/category-block/",
        products.product_category_block,
        name="product_category_block",
    ),
    path(
        "products/form/attributes/",
        products.product_attribute_fields,
        name="product_attribute_fields",
    ),
    path(
        "products/form/validate/<str:name>/",
        products.product_field_validate,
        name="product_field_validate",
    ),
    path("products/form/preview/", products.product_preview, name="product_preview"),
    path("products/form/hs-codes/", products.hs_code_options, name="hs_code_options"),
    path("products/<int:product_id>/", products.product_detail, name="product_detail"),
    path("products/<int:product_id>/edit/", products.product_edit, name="product_edit"),
    path("products/<int:product_id>/delete/", products.product_delete, name="product_delete"),
    path(
        "products/<int:product_id>/sizes/<str:sku>/delete/",
        products.product_size_delete,
        name="product_size_delete",
    ),
]
