from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog import tasks  # noqa: F401  (registers Celery tasks)
        from catalog.ims_writes import KIND_INVENTORY, KIND_PRICE, ims_write_run
        from catalog.product_cache import product_sync_run
        from catalog.product_writes import KIND_CREATE, KIND_DELETE, KIND_UPDATE, product_write_run
        from catalog.stock import stock_sync_run
        from catalog.sync import category_attributes_sync_run, reference_sync_run
        from catalog.uploads.checking import KIND_CHECK, KIND_PRODUCTS, upload_check_run
        from catalog.uploads.products import product_bulk_run
        from konnect_admin import demo
        from konnect_admin.access import (
            BULK_UPLOAD,
            MANAGE_CATALOG,
            MANAGE_PRICES_INVENTORY,
            VIEW_CATALOG,
        )
        from konnect_admin.jobs.registry import JobKind, register
        from konnect_admin.schedule import BEAT_ENTRIES

        register(
            JobKind("reference_sync", "Catalog reference sync", reference_sync_run, VIEW_CATALOG)
        )
        register(
            JobKind(
                "category_attributes_sync",
                "Category attributes",
                category_attributes_sync_run,
                VIEW_CATALOG,
            )
        )
        register(JobKind("product_sync", "Products refresh", product_sync_run, VIEW_CATALOG))
        register(JobKind(KIND_CREATE, "Product create", product_write_run, MANAGE_CATALOG))
        register(JobKind(KIND_UPDATE, "Product update", product_write_run, MANAGE_CATALOG))
        register(JobKind(KIND_DELETE, "Product delete", product_write_run, MANAGE_CATALOG))
        register(JobKind("stock_sync", "Stock and prices refresh", stock_sync_run, VIEW_CATALOG))
        register(JobKind(KIND_PRICE, "Price update", ims_write_run, MANAGE_PRICES_INVENTORY))
        register(JobKind(KIND_INVENTORY, "Stock update", ims_write_run, MANAGE_PRICES_INVENTORY))
        register(JobKind(KIND_CHECK, "Upload check", upload_check_run, BULK_UPLOAD))
        register(JobKind(KIND_PRODUCTS, "Bulk product create", product_bulk_run, BULK_UPLOAD))
        BEAT_ENTRIES.append(("catalog-reference-sync", "catalog.reference_sync", 6 * 3600))
        BEAT_ENTRIES.append(("catalog-product-sync", "catalog.product_sync", 3600))
        demo.SEED_STEPS.append(("catalog sync queued", _seed_catalog))


def _seed_catalog() -> str:
    """Queue the first reference and product sync; the worker runs them once the server is up."""
    from catalog.models import SyncState
    from catalog.services import product_sync_start, reference_sync_start

    if SyncState.objects.filter(entity="departments", last_synced_at__isnull=False).exists():
        return "already synced"
    reference_sync_start(user=None, source="system")
    product_sync_start(user=None, source="system")
    return "reference data and products"
