from __future__ import annotations

from django.urls import URLPattern, path

from catalog import views_browse as browse
from catalog import views_products as products
from catalog import views_stock as stock
from catalog import views_uploads as uploads

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
    path(
        "products/<int:product_id>/stock/",
        stock.product_stock_save,
        name="product_stock_save",
    ),
    path(
        "products/<int:product_id>/stock/refresh/",
        stock.product_stock_refresh,
        name="product_stock_refresh",
    ),
    path("stock-jobs/<int:job_id>/", stock.stock_job, name="stock_job"),
    path("stock-jobs/<int:job_id>/revert/", stock.stock_job_revert, name="stock_job_revert"),
    path("stock/refresh/", uploads.stock_refresh, name="stock_refresh"),
    path("uploads/", uploads.upload_list, name="upload_list"),
    path("uploads/new/", uploads.upload_create, name="upload_create"),
    path("uploads/category/", uploads.upload_category, name="upload_category"),
    path("uploads/template/", uploads.upload_template, name="upload_template"),
    path("uploads/<int:upload_id>/", uploads.upload_detail, name="upload_detail"),
    path("uploads/<int:upload_id>/commit/", uploads.upload_commit_view, name="upload_commit"),
    path("uploads/<int:upload_id>/result/", uploads.upload_result, name="upload_result"),
]
