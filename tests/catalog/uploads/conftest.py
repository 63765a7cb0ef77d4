"""Upload fixtures: the catalog cache filled from the sandbox, our locations, and helpers to
post a file and count what reached Konnect."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.models import ProductSize, Upload
from catalog.services import product_sync_start
from konnect_admin.demo import locations_seed
from konnect_admin.sandbox.models import Effect

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "uploads"
LOCATIONS = ("BHW-WH-01", "BLR-ST-01", "GGN-DS-01")


@pytest.fixture
def ims_ready(konnect_sandbox: None, drain_jobs: Any, admin_user: Any) -> list[str]:
    """Locations set up and the product cache read from the sandbox; returns its SKUs."""
    locations_seed()
    product_sync_start(user=admin_user)
    drain_jobs()
    return sorted(ProductSize.objects.values_list("sku", flat=True))


def post_file(
    client: Client,
    kind: str,
    name: str,
    content: bytes,
    *,
    category: Any = None,
    content_type: str = "text/csv",
) -> Any:
    data: dict[str, Any] = {"kind": kind, "file": SimpleUploadedFile(name, content, content_type)}
    if category is not None:
        data["category"] = str(category.uid)
    return client.post("/catalog/uploads/new/", data)


@pytest.fixture
def upload_file(admin_client: Client, drain_jobs: Any) -> Callable[..., Upload]:
    """Post a file as the admin, run the check Job, return the Upload."""

    def do(kind: str, name: str, content: bytes, **kwargs: Any) -> Upload:
        response = post_file(admin_client, kind, name, content, **kwargs)
        assert response.status_code == 302, response.content.decode()[:2000]
        drain_jobs()
        return Upload.objects.latest("pk")

    return do


class Writes:
    """What reached Konnect: the sandbox effect ledger and the client's write calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from konnect_admin.konnect.base import ClientBase

        self.calls: list[tuple[str, str, int]] = []
        original = ClientBase._json

        def counting(client: Any, method: str, path: str, **kwargs: Any) -> Any:
            body = kwargs.get("body")
            size = len(body) if isinstance(body, list) else len((body or {}).get("products", []))
            self.calls.append((method, path, size))
            return original(client, method, path, **kwargs)

        monkeypatch.setattr(ClientBase, "_json", counting)
        self.effects_before = Effect.objects.count()

    def writes(self, path: str = "") -> list[tuple[str, str, int]]:
        return [c for c in self.calls if c[0] != "GET" and path in c[1]]

    @property
    def effects(self) -> int:
        return Effect.objects.count() - self.effects_before


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch, konnect_sandbox: None) -> Writes:
    return Writes(monkeypatch)


def csv_bytes(rows: list[list[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    import csv
    import io

    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def add_skus(count: int, *, prefix: str = "LT") -> list[str]:
    """`count` more SKUs, in the sandbox and in the local cache (one product holds them)."""
    from decimal import Decimal

    from django.utils import timezone

    from catalog.models import Product
    from konnect_admin.sandbox.models import Product as SandboxProduct
    from konnect_admin.sandbox.models import Size

    now = timezone.now()
    code = f"{prefix}-PRODUCT"
    remote = SandboxProduct.objects.create(
        uid=990000 + count,
        item_code=code,
        slug=code.lower(),
        name="Load test",
        brand="Indigo Ghat",
        brand_uid=1,
        template="topwear",
        data={},
        created_on=now,
        modified_on=now,
    )
    skus = [f"{prefix}-{i:05d}" for i in range(count)]
    Size.objects.bulk_create(
        Size(
            product=remote,
            sku=sku,
            size=str(i),
            position=i,
            price=Decimal("999"),
            price_effective=Decimal("799"),
            data={},
            modified_on=now,
        )
        for i, sku in enumerate(skus)
    )
    local = Product.objects.create(
        item_code=code,
        name="Load test",
        slug=code.lower(),
        brand="Indigo Ghat",
        category_name="T-Shirts",
        template="topwear",
    )
    ProductSize.objects.bulk_create(
        ProductSize(
            product=local,
            sku=sku,
            size=str(i),
            price=Decimal("999"),
            price_effective=Decimal("799"),
        )
        for i, sku in enumerate(skus)
    )
    return skus


def inventory_csv(skus: list[str], *, base: int = 1000, limit: int | None = None) -> bytes:
    """Stock rows for every SKU at every location (the first `limit` of them)."""
    pairs = [(sku, loc) for sku in skus for loc in LOCATIONS][:limit]
    rows: list[list[Any]] = [["SKU", "Location", "Quantity"]]
    rows += [[sku, loc, base + n % 97] for n, (sku, loc) in enumerate(pairs)]
    return csv_bytes(rows)
