from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _roles_sync(sender: AppConfig, **kwargs: Any) -> None:
    from konnect_admin.access import roles_sync

    roles_sync()


class KonnectAdminConfig(AppConfig):
    name = "konnect_admin"
    verbose_name = "Konnect Admin"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Runs after auth has created this app's permissions (auth's receiver connected first).
        post_migrate.connect(_roles_sync, sender=self, dispatch_uid="konnect_admin_roles_sync")
        from konnect_admin import signals  # noqa: F401
        from konnect_admin.access import MANAGE_SETTINGS
        from konnect_admin.jobs import registry
        from konnect_admin.jobs.housekeeping import housekeeping_run
        from konnect_admin.schedule import BEAT_ENTRIES

        registry.register(
            registry.JobKind("housekeeping", "Housekeeping", housekeeping_run, MANAGE_SETTINGS)
        )
        BEAT_ENTRIES.append(("housekeeping", "konnect_admin.housekeeping", 24 * 3600))
