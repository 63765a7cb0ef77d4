"""The sandbox's routes, mounted at /sandbox/ when settings.KONNECT_SANDBOX is on.

Paths are exactly Konnect's (relative to KONNECT_BASE_URL); _control/ is the sandbox's own.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from konnect_admin.sandbox import views_auth, views_catalog, views_control, views_ims, views_oms

app_name = "sandbox"

urlpatterns: list[URLPattern] = [
    path("", views_auth.index, name="index"),
    path("aggregator/v1/token", views_auth.token, name="token"),
    # Catalog
    path("v3/catalog/departments", views_catalog.departments, name="departments"),
    path("v3/catalog/category", views_catalog.categories, name="categories"),
    path("v3/catalog/company-brand", views_catalog.brands, name="brands"),
    path("v3/catalog/product/template", views_catalog.templates, name="templates"),
    path("v3/catalog/product-attributes", views_catalog.product_attributes, name="attributes"),
    path("v3/catalog/taxes/hscodes", views_catalog.hs_codes, name="hs_codes"),
    path("v3/catalog/taxes/rules", views_catalog.tax_rules, name="tax_rules"),
    path("v3/catalog/product", views_catalog.products, name="products"),
    path("v3/catalog/status", views_catalog.status, name="status"),
    # IMS
    path("ims/v3/listings", views_ims.listings, name="listings"),
    path("ims/v3/listings/count", views_ims.listings_count, name="listings_count"),
    path("ims/v3/price", views_ims.price, name="price"),
    path("ims/v3/inventory", views_ims.inventory, name="inventory"),
    # OMS
    path("oms/v3/shipment", views_oms.shipments, name="shipments"),
    path("oms/v3/shipment/info", views_oms.shipment_info, name="shipment_info"),
    path("oms/v3/shipment/cancel", views_oms.cancel, name="cancel"),
    path("oms/v3/shipment/confirm", views_oms.confirm, name="confirm"),
    path("oms/v3/shipment/invoiceUpdate", views_oms.invoice_update, name="invoice_update"),
    path("oms/v3/shipment/pack", views_oms.pack, name="pack"),
    path("oms/v3/shipment/courierDetails", views_oms.courier_details, name="courier_details"),
    path("oms/v3/shipment/labels", views_oms.labels, name="labels"),
    path("oms/v3/shipment/invoice", views_oms.customer_invoice, name="customer_invoice"),
    path("oms/v3/shipment/dispatch", views_oms.dispatch, name="dispatch"),
    path("oms/v3/shipment/awb", views_oms.awb, name="awb"),
    path("oms/v3/shipment/status", views_oms.status, name="shipment_status"),
    path("oms/v3/shipment/track", views_oms.track, name="track"),
    path("oms/v3/shipment/return", views_oms.qc_return, name="return"),
    # Sandbox control
    path("_control/", views_control.control_page, name="control"),
    path("_control/event/", views_control.control_event, name="control_event"),
    path("_control/faults/", views_control.control_faults, name="control_faults"),
    path("_control/reset/", views_control.control_reset, name="control_reset"),
    path("_control/api/faults", views_control.api_faults, name="api_faults"),
    path("_control/api/effects", views_control.api_effects, name="api_effects"),
    path("_control/api/<str:action>", views_control.api_action, name="api_action"),
    # Anything else: Konnect's 404 in the contract's error body
    path("<path:rest>", views_auth.unknown_path, name="unknown"),
]
