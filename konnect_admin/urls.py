from __future__ import annotations

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

from konnect_admin.views import accounts, audit, errors, home, jobs, users

jobs_patterns = (
    [
        path("", jobs.job_list_view, name="list"),
        path("<int:job_id>/", jobs.job_detail, name="detail"),
        path("<int:job_id>/row/", jobs.job_row, name="row"),
        path("<int:job_id>/progress/", jobs.job_progress, name="progress"),
        path("<int:job_id>/cancel/", jobs.job_cancel_view, name="cancel"),
        path("<int:job_id>/retry/", jobs.job_retry_view, name="retry"),
    ],
    "jobs",
)
audit_patterns = (
    [
        path("", audit.audit_list_view, name="list"),
        path("export.csv", audit.audit_export, name="export"),
    ],
    "audit",
)
users_patterns = (
    [
        path("", users.user_list_view, name="list"),
        path("new/", users.user_edit, name="create"),
        path("<int:user_id>/", users.user_edit, name="edit"),
    ],
    "users",
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("login/", accounts.login_view, name="login"),
    path("logout/", accounts.logout_view, name="logout"),
    path("healthz", home.healthz, name="healthz"),
    path(
        "charts/shipments-by-status.svg",
        home.chart_shipments_by_lane,
        name="chart_shipments_by_lane",
    ),
    path(
        "charts/shipments-per-day.svg", home.chart_shipments_per_day, name="chart_shipments_per_day"
    ),
    path("jobs/", include(jobs_patterns)),
    path("audit/", include(audit_patterns)),
    path("users/", include(users_patterns)),
    path("settings/", include("konnect_admin.connection.urls")),
    path("catalog/", include("catalog.urls")),
    path("orders/", include("orders.urls")),
]

if settings.KONNECT_SANDBOX:
    urlpatterns.append(path("sandbox/", include("konnect_admin.sandbox.urls")))

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.not_found
handler500 = errors.server_error
