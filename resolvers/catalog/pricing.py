"""Storefront prices of a variant: its tiers, and what a quantity costs as an order charges it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from core.errors import BadUserInput
from models.catalog import PriceTier, Variant
from models.catalog.pricing import applicable_tier
from models.money import line_total
from models.orders import MAX_QUANTITY
from models.reference import CURRENCY_CODES
from resolvers.catalog import read_paths as paths
from resolvers.context import Context
from resolvers.look_ahead import Soon, follow

T = TypeVar("T")


@dataclass(frozen=True)
class QuantityPrice:
    """The tier that applies to `quantity` units, and their total rounded exactly as an order
    line's is, so the price shown is the price charged."""

    tier: PriceTier
    quantity: int
    total: Decimal


def check_currency(currency: str, *, argument: str = "currency") -> str:
    if currency not in CURRENCY_CODES:
        raise BadUserInput("must be an ISO 4217 currency code such as USD", argument=argument)
    return currency


def price_tiers(
    ctx: Context, variant: Variant, currency: str | None, build: Callable[[list[PriceTier]], T]
) -> Soon[T]:
    """`build` of the variant's tiers, in `currency` only unless it is None: a checked
    currency always narrows the relation read (`IN_CURRENCY`), so its rows need no sifting."""
    if currency is not None:
        check_currency(currency)
    return follow(ctx, paths.VARIANT["priceTiers"], variant, build, narrow_by=currency)


def price_for_quantity(
    ctx: Context,
    variant: Variant,
    currency: str,
    quantity: int,
    build: Callable[[QuantityPrice | None], T],
) -> Soon[T]:
    """`build` of what `quantity` units cost, or of None without a tier that applies."""
    check_currency(currency)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise BadUserInput(f"must be between 1 and {MAX_QUANTITY}", argument="quantity")

    def priced(tiers: list[PriceTier]) -> T:
        tier = applicable_tier(tiers, currency, quantity)
        if tier is None:
            return build(None)
        total = line_total(tier.unit_price, quantity, currency)
        return build(QuantityPrice(tier=tier, quantity=quantity, total=total))

    return follow(ctx, paths.VARIANT["price"], variant, priced, narrow_by=currency)
