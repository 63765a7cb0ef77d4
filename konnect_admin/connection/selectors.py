"""What the Settings page shows: never a password, only where each credential comes from."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from konnect_admin.konnect.credentials import (
    Source,
    can_store,
    company_credentials,
    environment_credentials,
    key_status,
)
from konnect_admin.models import Location, LocationCredential

COMPANY = "company"  # the test-connection target that means the company credentials


@dataclass(frozen=True)
class LocationRow:
    code: str
    name: str
    location: Location | None  # None: credentials in the environment for an unknown code
    source: Source
    username: str
    stored: LocationCredential | None

    @property
    def stored_shadowed(self) -> bool:
        """A stored pair exists but the environment's pair is the one used."""
        return self.stored is not None and self.source == "environment"


@dataclass(frozen=True)
class ConnectionOverview:
    base_url: str
    sandbox: bool
    company_username: str
    company_password_set: bool
    key_status: str
    can_store: bool
    locations: list[LocationRow]


def location_rows() -> list[LocationRow]:
    env = environment_credentials()
    rows = []
    locations = Location.objects.select_related(
        "konnect_credential", "konnect_credential__updated_by"
    ).order_by("code")
    for location in locations:
        stored = getattr(location, "konnect_credential", None)
        env_pair = env.pop(location.code, None)
        source: Source = "environment" if env_pair else ("stored" if stored else "none")
        username = env_pair.username if env_pair else (stored.username if stored else "")
        rows.append(LocationRow(location.code, location.name, location, source, username, stored))
    for code, pair in sorted(env.items()):
        rows.append(LocationRow(code, "", None, "environment", pair.username, None))
    return rows


def connection_overview() -> ConnectionOverview:
    company = company_credentials()
    return ConnectionOverview(
        base_url=str(settings.KONNECT_BASE_URL),
        sandbox=bool(settings.KONNECT_SANDBOX),
        company_username=company.username,
        company_password_set=bool(company.password),
        key_status=key_status(),
        can_store=can_store(),
        locations=location_rows(),
    )


def connection_test_targets() -> list[tuple[str, str]]:
    """Every credential that can be tested: the company's and each location with its own."""
    targets = [(COMPANY, "Company credentials")]
    targets += [(row.code, row.code) for row in location_rows() if row.source != "none"]
    return targets
