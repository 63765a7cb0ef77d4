"""Re-encrypt stored Konnect location credentials with the primary KONNECT_CREDENTIALS_KEY.

Rotation: put the new key first in KONNECT_CREDENTIALS_KEY ("new,old"), run this command,
then drop the old key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from konnect_admin.audit import audit_record
from konnect_admin.konnect.credentials import CredentialKeyError, rotate_stored_credentials


class Command(BaseCommand):
    help = "Re-encrypt stored Konnect location credentials with the first KONNECT_CREDENTIALS_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = rotate_stored_credentials()
        except CredentialKeyError as exc:
            raise CommandError(str(exc)) from None
        audit_record(
            user=None,
            action="settings.location_credentials.rotate",
            object_type="location_credentials",
            summary=f"{count} stored credential(s) re-encrypted with the primary key",
            source="command",
        )
        self.stdout.write(
            f"Re-encrypted {count} stored Konnect credential(s) with the primary key."
        )
