"""Storefront prices of a variant: its tiers, and what a quantity costs as an order charges it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.errors import BadUserInput
from loaders import catalog as relations
from models.catalog import PriceTier, Variant
from models.catalog.pricing import applicable_tier
from models.money import line_total
from models.orders import MAX_QUANTITY
from models.reference import CURRENCY_CODES
from resolvers.context import Context


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


async def price_tiers(ctx: Context, variant: Variant, currency: str | None) -> list[PriceTier]:
    tiers: list[PriceTier] = await ctx.loaders.many(relations.PRICE_TIERS_BY_VARIANT, variant.id)
    if currency is None:
        return tiers
    check_currency(currency)
    return [tier for tier in tiers if tier.currency == currency]


async def price_for_quantity(
    ctx: Context, variant: Variant, currency: str, quantity: int
) -> QuantityPrice | None:
    check_currency(currency)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise BadUserInput(f"must be between 1 and {MAX_QUANTITY}", argument="quantity")
    tiers = await ctx.loaders.many(relations.PRICE_TIERS_BY_VARIANT, variant.id)
    tier = applicable_tier(tiers, currency, quantity)
    if tier is None:
        return None
    total = line_total(tier.unit_price, quantity, currency)
    return QuantityPrice(tier=tier, quantity=quantity, total=total)
