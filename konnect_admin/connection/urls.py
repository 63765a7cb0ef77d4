from __future__ import annotations

from django.urls import path

from konnect_admin.views import konnect_settings as views

app_name = "settings"

urlpatterns = [
    path("", views.settings_index, name="index"),
    path("test-connection/", views.connection_test_view, name="test_connection"),
    path(
        "locations/<str:code>/credentials/",
        views.location_credential_save_view,
        name="location_credentials",
    ),
    path(
        "locations/<str:code>/credentials/remove/",
        views.location_credential_remove_view,
        name="location_credentials_remove",
    ),
]
