"""Seed the embedded mode: locations, demo users (credentials printed) and each app's demo data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from konnect_admin import demo


class Command(BaseCommand):
    help = "Seed demo data for the embedded mode and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo.is_embedded():
            raise CommandError(
                "seed_demo only runs in the embedded sandbox mode (KONNECT_SANDBOX on)."
            )
        self.stdout.write(f"locations: {demo.locations_seed()}")
        for name, step in demo.SEED_STEPS:
            self.stdout.write(f"{name}: {step()}")
        users = demo.demo_users_seed()
        if not options["quiet_logins"]:
            self.stdout.write(self.style.SUCCESS("\nDemo logins (embedded mode only):"))
            for username, (role, password) in users.items():
                self.stdout.write(f"  {role:<13} username: {username:<10} password: {password}")
