"""Restore the sandbox to its seed (tokens survive; faults go back to their defaults)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from konnect_admin.sandbox.seed import reset


class Command(BaseCommand):
    help = "Reset the Konnect sandbox to exactly its seed data."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.KONNECT_SANDBOX or settings.PRODUCTION:
            raise CommandError("The sandbox is off (KONNECT_SANDBOX) or this is production.")
        self.stdout.write(self.style.SUCCESS(f"sandbox reset: {reset()}"))
