from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "konnect_admin.sandbox"
    label = "sandbox"
    verbose_name = "Konnect sandbox"
    default_auto_field = "django.db.models.BigAutoField"
