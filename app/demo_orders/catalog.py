"""The catalog the order book sells from: active variants and their tier prices, as stored."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import metadata
from models.catalog import ProductStatus
from models.money import line_total

PRODUCTS = metadata.tables["products"]
VARIANTS = metadata.tables["variants"]
TIERS = metadata.tables["price_tiers"]
UNIT_PRICE_PLACES = Decimal("0.0001")
# How many of the product's MOQ a line orders: mostly one or two, sometimes more.
MOQ_MULTIPLES = (1, 1, 1, 1, 2, 2, 2, 3, 4, 6)


@dataclass(frozen=True, slots=True)
class CatalogVariant:
    id: int
    product_id: int
    sku: str
    product_name: str
    moq: int
    # What a unit costs, snapshotted on each order line as placement does (None: unknown).
    cost_price: Decimal | None
    cost_currency: str | None
    # Quantity breaks per currency: (min quantity, unit price), lowest break first.
    tiers: dict[str, tuple[tuple[int, Decimal], ...]]


@dataclass(frozen=True, slots=True)
class DraftLine:
    variant: CatalogVariant
    quantity: int
    unit_price: Decimal
    # None when a quote set the price, as on lines converted from a quote.
    tier_min_quantity: int | None
    line_total: Decimal


class Catalog:
    """Variants that can be sold in each currency (they have a tier in it)."""

    def __init__(self, variants: list[CatalogVariant]) -> None:
        self.by_currency: dict[str, list[CatalogVariant]] = defaultdict(list)
        for variant in variants:
            for currency in variant.tiers:
                self.by_currency[currency].append(variant)

    def draft_lines(
        self, rng: random.Random, currency: str, count: int, discount: Decimal | None = None
    ) -> list[DraftLine]:
        """`count` lines of distinct variants at their tier price, or below it by `discount`
        (a quoted price)."""
        choices = self.by_currency[currency]
        lines = []
        for variant in rng.sample(choices, min(count, len(choices))):
            breaks = variant.tiers[currency]
            quantity = max(variant.moq * rng.choice(MOQ_MULTIPLES), breaks[0][0])
            tier_min, price = next(tier for tier in reversed(breaks) if tier[0] <= quantity)
            tier: int | None = tier_min
            if discount is not None:
                price = (price * (1 - discount)).quantize(UNIT_PRICE_PLACES, ROUND_HALF_UP)
                tier = None
            lines.append(
                DraftLine(variant, quantity, price, tier, line_total(price, quantity, currency))
            )
        return lines


async def load_catalog(session: AsyncSession) -> Catalog:
    """Active products' variants with at least one tier, in id order (so drafts repeat)."""
    rows = await session.execute(
        select(
            VARIANTS.c.id,
            VARIANTS.c.product_id,
            VARIANTS.c.sku,
            PRODUCTS.c.name,
            PRODUCTS.c.moq,
            VARIANTS.c.cost_price,
            VARIANTS.c.cost_currency,
            TIERS.c.currency,
            TIERS.c.min_quantity,
            TIERS.c.unit_price,
        )
        .join(PRODUCTS, PRODUCTS.c.id == VARIANTS.c.product_id)
        .join(TIERS, TIERS.c.variant_id == VARIANTS.c.id)
        .where(PRODUCTS.c.status == ProductStatus.ACTIVE.value)
        .order_by(VARIANTS.c.id, TIERS.c.currency, TIERS.c.min_quantity)
    )
    heads: dict[int, tuple[int, str, str, int, Decimal | None, str | None]] = {}
    tiers: dict[int, dict[str, list[tuple[int, Decimal]]]] = defaultdict(lambda: defaultdict(list))
    for (
        variant_id,
        product_id,
        sku,
        name,
        moq,
        cost,
        cost_currency,
        currency,
        minimum,
        price,
    ) in rows:
        heads[variant_id] = (product_id, sku, name, moq, cost, cost_currency)
        tiers[variant_id][currency].append((minimum, Decimal(price)))
    return Catalog(
        [
            CatalogVariant(
                variant_id,
                *head,
                {currency: tuple(breaks) for currency, breaks in tiers[variant_id].items()},
            )
            for variant_id, head in heads.items()
        ]
    )
