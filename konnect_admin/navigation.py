"""The navigation: which sections exist and which permission each one needs.

A role never sees a link it cannot use; sections whose URL does not exist yet are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from konnect_admin import access


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None
    key: str  # keyboard shortcut: g + key
    section: str


NAV: tuple[NavItem, ...] = (
    NavItem("Home", "home", None, "h", "home"),
    NavItem("Products", "catalog:product_list", access.VIEW_CATALOG, "p", "catalog"),
    NavItem("Catalog data", "catalog:browse", access.VIEW_CATALOG, "c", "catalog"),
    NavItem("Shipments", "orders:shipment_list", access.VIEW_SHIPMENTS, "s", "orders"),
    NavItem("Scan to pack", "orders:scan_station", access.MANAGE_SHIPMENTS, "k", "orders"),
    NavItem("Returns", "orders:return_list", access.VIEW_SHIPMENTS, "r", "orders"),
    NavItem("Bulk upload", "catalog:upload_list", access.BULK_UPLOAD, "u", "catalog"),
    NavItem("Jobs", "jobs:list", None, "j", "admin"),
    NavItem("Audit log", "audit:list", access.VIEW_AUDIT, "a", "admin"),
    NavItem("Users", "users:list", access.MANAGE_USERS, "x", "admin"),
    NavItem("Settings", "settings:index", access.MANAGE_SETTINGS, "t", "admin"),
)


def nav_for(user: object, path: str = "/") -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for item in NAV:
        if item.permission and not access.has_all(user, [item.permission]):  # type: ignore[arg-type]
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "key": item.key, "name": item.url_name})
    # The current section is the longest link that prefixes the path ("/" only on the home page).
    matches = [
        i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["current"] = "page"
    return items
