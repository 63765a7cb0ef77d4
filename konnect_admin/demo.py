"""Demo data for the embedded mode: locations, one user per role, and each app's seed steps.

Passwords are generated once per machine and kept in var/demo-credentials.json (never
committed), so `make run` prints the same login every time. Refused outside embedded mode.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from konnect_admin.access import ADMIN, MERCHANDISER, WAREHOUSE
from konnect_admin.models import Location
from konnect_admin.services import user_save

SEED_DIR = Path(__file__).resolve().parent / "sandbox" / "seed_data"
DEMO_USERS: tuple[tuple[str, str, str, str, list[str]], ...] = (
    ("admin", ADMIN, "Asha", "Admin", []),
    ("merch", MERCHANDISER, "Meera", "Merchandiser", []),
    ("warehouse", WAREHOUSE, "Wasim", "Warehouse", ["BHW-WH-01"]),
)

# Later steps (sandbox seed, reference sync, shipment sync) register themselves here.
SEED_STEPS: list[tuple[str, Callable[[], str]]] = []


class NotEmbedded(RuntimeError):
    pass


def is_embedded() -> bool:
    return settings.KONNECT_SANDBOX and not settings.PRODUCTION


def locations_seed() -> int:
    rows = json.loads((SEED_DIR / "locations.json").read_text())
    for row in rows:
        Location.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "kind": row["type"],
                "city": row["city"],
                "state": row["state"],
                "is_active": row["is_active"],
            },
        )
    return len(rows)


def _credentials_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-credentials.json"


def demo_credentials() -> dict[str, str]:
    path = _credentials_file()
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    changed = False
    for username, *_ in DEMO_USERS:
        if username not in stored:
            stored[username] = f"{username}-{secrets.token_urlsafe(9)}"
            changed = True
    if changed:
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored


@transaction.atomic
def demo_users_seed() -> dict[str, tuple[str, str]]:
    """Create (or reset) the demo users; returns username -> (role, password)."""
    if not is_embedded():
        raise NotEmbedded("demo users are only created in the embedded sandbox mode")
    passwords = demo_credentials()
    User = get_user_model()
    result = {}
    for username, role, first, last, codes in DEMO_USERS:
        existing = User.objects.filter(username=username).first()
        user_save(
            actor=None,
            user=existing,
            username=username,
            role=role,
            locations=list(Location.objects.filter(code__in=codes)),
            password=passwords[username],
            first_name=first,
            last_name=last,
        )
        result[username] = (role, passwords[username])
    return result
