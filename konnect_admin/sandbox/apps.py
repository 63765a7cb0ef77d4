from __future__ import annotations

from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "konnect_admin.sandbox"
    label = "sandbox"
    verbose_name = "Konnect sandbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from konnect_admin.demo import SEED_STEPS
        from konnect_admin.sandbox.seed import seed_step
        from konnect_admin.schedule import BEAT_ENTRIES

        if not any(name == "sandbox" for name, _ in SEED_STEPS):
            SEED_STEPS.append(("sandbox", seed_step))
        if settings.KONNECT_SANDBOX and settings.SANDBOX_AUTO_EVENTS:
            BEAT_ENTRIES.append(
                ("sandbox-tick", "sandbox.tick", settings.SANDBOX_AUTO_EVENT_SECONDS)
            )
