from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog import tasks  # noqa: F401  (registers Celery tasks)
        from catalog.product_cache import product_sync_run
        from catalog.product_writes import KIND_CREATE, KIND_DELETE, KIND_UPDATE, product_write_run
        from catalog.sync import category_attributes_sync_run, reference_sync_run
        from konnect_admin import demo
        from konnect_admin.access import MANAGE_CATALOG, VIEW_CATALOG
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
