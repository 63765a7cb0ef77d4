from __future__ import annotations

from django.urls import URLPattern, path

from orders import views, views_returns

app_name = "orders"

urlpatterns: list[URLPattern] = [
    path("", views.shipment_list, name="shipment_list"),
    path("sync/", views.shipment_sync, name="shipment_sync"),
    path("actions/", views.shipment_action, name="shipment_action"),
    path("jobs/<int:job_id>/", views.job_status, name="job_status"),
    path("documents/<int:document_id>/", views.document_download, name="document_download"),
    path("views/", views.saved_view_create, name="saved_view_create"),
    path("views/<int:view_id>/delete/", views.saved_view_delete_view, name="saved_view_delete"),
    path("scan/", views.scan_station, name="scan_station"),
    path("scan/<str:shipment_id>/verify/", views.scan_verify, name="scan_verify"),
    path("scan/<str:shipment_id>/pack/", views.scan_pack, name="scan_pack"),
    path("scan/<str:shipment_id>/label/", views.scan_label, name="scan_label"),
    path("shipments/<str:shipment_id>/", views.shipment_detail, name="shipment_detail"),
    path("shipments/<str:shipment_id>/refresh/", views.shipment_refresh, name="shipment_refresh"),
    path("returns/", views_returns.return_list, name="return_list"),
    path("returns/photos/<int:photo_id>/", views_returns.return_photo, name="return_photo"),
    path("returns/<str:shipment_id>/", views_returns.return_detail, name="return_detail"),
    path("returns/<str:shipment_id>/qc/", views_returns.return_qc, name="return_qc"),
    path(
        "returns/<str:shipment_id>/credit-note/",
        views_returns.return_credit_note,
        name="return_credit_note",
    ),
]
