"""Storefront prices of a variant: its tiers and the unit price for a quantity."""

from __future__ import annotations

from core.errors import BadUserInput
from loaders import catalog as relations
from models.catalog import PriceTier, Variant
from models.catalog.pricing import applicable_tier
from models.reference import CURRENCY_CODES
from resolvers.context import Context

MAX_QUANTITY = 100_000_000


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
) -> PriceTier | None:
    check_currency(currency)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise BadUserInput(f"must be between 1 and {MAX_QUANTITY}", argument="quantity")
    tiers = await ctx.loaders.many(relations.PRICE_TIERS_BY_VARIANT, variant.id)
    return applicable_tier(tiers, currency, quantity)
