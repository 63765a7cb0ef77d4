"""The sandbox's seed: deterministic (fixed RNG seed), realistic, and fast (bulk inserts).

Contents: about 150 products with sizes, prices and stock at the 3 seeded locations; 500
shipments spread over every status bucket, ordering channel and location, including 12 RTOs
and 18 customer returns (return shipments of delivered orders). `sandbox_reset` clears every
sandbox table but the tokens and seeds again; the same `now` gives the same rows.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from konnect_admin.sandbox import clock
from konnect_admin.sandbox.catalog_writes import FIRST_PRODUCT_UID
from konnect_admin.sandbox.models import (
    Effect,
    FaultSettings,
    Product,
    Shipment,
    ShipmentEvent,
    ShipmentItem,
    Size,
    Stock,
    Trace,
)
from konnect_admin.sandbox.reference import location_codes, reference
from konnect_admin.sandbox.seed_catalog import build_products, seeded_at, stock_rows
from konnect_admin.sandbox.seed_orders import (
    Numbers,
    PlannedShipment,
    SkuChoice,
    build_return,
    build_shipment,
    partially_cancel,
    save_planned,
)

SEED = 26049  # the seller's company id: any fixed number makes the seed reproducible
# (state the shipment is seeded in, how many). 482 forward shipments ...
SHIPMENT_PLAN = (
    ("placed", 70),
    ("new", 8),
    ("store_reassigned", 4),
    ("bag_confirmed", 55),
    ("bag_invoiced", 20),  # waiting for a courier (no dp_due_at): assign from the control page
    ("dp_assigned", 40),
    ("bag_packed", 40),
    ("bag_picked", 45),
    ("delivery_done", 130),
    ("cancelled_customer", 25),
    ("cancelled_fynd", 8),
    ("cancelled_seller", 25),
    ("rto_bag_delivered", 7),
    ("rto_bag_accepted", 4),
    ("rto_credit_note", 1),
)
# ... and 18 customer returns of delivered ones: 500 shipments, 30 of them returns or RTOs.
RETURN_PLAN = (
    ("return_dp_assigned", 5),
    ("return_bag_in_transit", 4),
    ("return_bag_delivered", 5),
    ("return_bag_accepted", 3),
    ("credit_note_generated", 1),
)
PARTIAL_CUSTOMER_CANCELS = 6  # CREATED shipments with one bag cancelled by the customer
PARTIAL_SELLER_CANCELS = 4  # CONFIRMED shipments with one bag cancelled by the seller


@dataclass(frozen=True)
class SeedSummary:
    products: int
    skus: int
    stock_rows: int
    shipments: int
    returns: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.products} products, {self.skus} SKUs, {self.stock_rows} stock rows, "
            f"{self.shipments} shipments ({self.returns} returns/RTOs) in {self.seconds:.2f} s"
        )


def is_seeded() -> bool:
    return Product.objects.exists() or Shipment.objects.exists()


def seed_step() -> str:
    """The `seed_demo` step: seeds once, then only reports (fast when already seeded)."""
    if is_seeded():
        return (
            f"already seeded ({Product.objects.count()} products, "
            f"{Shipment.objects.count()} shipments); `manage.py sandbox_reset` starts over"
        )
    return str(seed())


@transaction.atomic
def seed(now: datetime | None = None) -> SeedSummary:
    started = time.perf_counter()
    now = (now or clock.now()).replace(second=0, microsecond=0)
    rng = random.Random(SEED)  # noqa: S311 reproducible data, not security  # nosec B311
    skus = _seed_catalog(rng, now)
    planned = _plan_shipments(rng, skus, now)
    save_planned(planned)
    return SeedSummary(
        products=Product.objects.count(),
        skus=len(skus),
        stock_rows=Stock.objects.count(),
        shipments=len(planned),
        returns=sum(1 for p in planned if p.shipment.is_return or p.shipment.is_rto),
        seconds=time.perf_counter() - started,
    )


def _seed_catalog(rng: random.Random, now: datetime) -> list[SkuChoice]:
    ref = reference()
    listed = seeded_at(now)
    planned = build_products(ref, rng)
    products = Product.objects.bulk_create(
        Product(
            uid=FIRST_PRODUCT_UID + n,
            item_code=p.record["item_code"],
            slug=p.record["slug"],
            name=p.record["name"],
            brand=p.record["brand"],
            brand_uid=ref.brand_by_name[p.record["brand"]]["uid"],
            template=p.template,
            data={k: v for k, v in p.record.items() if k != "sizes"},
            created_on=listed,
            modified_on=listed,
        )
        for n, p in enumerate(planned)
    )
    by_code = {p.item_code: p for p in Product.objects.filter(pk__in=[p.pk for p in products])}
    sizes = []
    for p in planned:
        product = by_code[p.record["item_code"]]
        for position, size in enumerate(p.record["sizes"]):
            sizes.append(
                Size(
                    product=product,
                    sku=size["primary_identifier"],
                    size=size["size"],
                    position=position,
                    price=Decimal(size["price"]),
                    price_effective=Decimal(size["price_effective"]),
                    data=size,
                    modified_on=listed,
                )
            )
    Size.objects.bulk_create(sizes, batch_size=1000)
    size_by_sku = {s.sku: s for s in Size.objects.select_related("product")}
    rows = stock_rows(rng, [(s.sku, s.price, s.price_effective) for s in sizes], location_codes())
    Stock.objects.bulk_create(
        [
            Stock(
                size=size_by_sku[sku],
                location_code=code,
                quantity=quantity,
                mrp=mrp,
                esp=esp,
                modified_on=listed,
            )
            for sku, code, quantity, mrp, esp in rows
        ],
        batch_size=1000,
    )
    return sku_choices(list(size_by_sku.values()))


def sku_choices(sizes: list[Size]) -> list[SkuChoice]:
    return [
        SkuChoice(s.sku, s.product.item_code, s.product.name, s.size, s.price, s.price_effective)
        for s in sorted(sizes, key=lambda s: s.sku)
    ]


def _plan_shipments(
    rng: random.Random, skus: list[SkuChoice], now: datetime
) -> list[PlannedShipment]:
    numbers = Numbers(rng)
    planned = [
        build_shipment(rng, numbers, skus, now, state)
        for state, count in SHIPMENT_PLAN
        for _ in range(count)
    ]
    _partial_cancels(
        rng, planned, ("placed", "new"), "cancelled_customer", "fynd", PARTIAL_CUSTOMER_CANCELS
    )
    _partial_cancels(
        rng, planned, ("bag_confirmed",), "cancelled_seller", "konnect", PARTIAL_SELLER_CANCELS
    )
    delivered = [p for p in planned if p.shipment.state == "delivery_done"]
    forwards = rng.sample(delivered, sum(count for _, count in RETURN_PLAN))
    states = [state for state, count in RETURN_PLAN for _ in range(count)]
    returns = [
        build_return(rng, numbers, forward, state, now)
        for forward, state in zip(forwards, states, strict=True)
    ]
    return planned + returns


def _partial_cancels(
    rng: random.Random,
    planned: list[PlannedShipment],
    states: tuple[str, ...],
    cancelled_state: str,
    source: str,
    wanted: int,
) -> None:
    done = 0
    for p in planned:
        if done == wanted:
            return
        if p.shipment.state in states and partially_cancel(rng, p, cancelled_state, source):
            done += 1


@transaction.atomic
def clear() -> None:
    """Empty every sandbox table except the tokens, and restore the fault defaults."""
    for model in (Effect, ShipmentEvent, ShipmentItem, Shipment, Stock, Size, Product, Trace):
        model.objects.all().delete()
    FaultSettings.restore_defaults()


@transaction.atomic
def reset(now: datetime | None = None) -> SeedSummary:
    clear()
    return seed(now)


def new_orders(
    count: int,
    *,
    location: str | None = None,
    self_ship: bool | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> list[Shipment]:
    """New orders arriving from Fynd (state placed), for the control page and the tick."""
    now = now or clock.now()
    rng = rng or random.Random()  # noqa: S311 simulation, not security  # nosec B311
    sizes = list(Size.objects.select_related("product"))
    if not sizes:
        return []
    numbers = Numbers(rng)
    numbers.shipments = set(Shipment.objects.values_list("shipment_id", flat=True))
    numbers.items = set(ShipmentItem.objects.values_list("item_id", flat=True))
    skus = sku_choices(sizes)
    planned = [
        build_shipment(
            rng,
            numbers,
            skus,
            now,
            "placed",
            location=location,
            self_ship=self_ship,
            order_date=now,
        )
        for _ in range(count)
    ]
    with transaction.atomic():
        save_planned(planned)
    return list(Shipment.objects.filter(shipment_id__in=[p.shipment.shipment_id for p in planned]))
