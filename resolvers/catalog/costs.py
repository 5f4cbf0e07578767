"""A variant's cost price and margin: restricted figures, computed only when asked for.

Only the fields declared with `catalog:read_cost` call these; nothing else reads
`Variant.cost_price`, so costs cannot reach a caller through a listing, a sort or a filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from loaders import catalog as relations
from models.catalog import PriceTier, Variant
from resolvers.context import Context


@dataclass(frozen=True)
class Amount:
    amount: Decimal
    currency: str


def cost_price(variant: Variant) -> Amount | None:
    if variant.cost_price is None or variant.cost_currency is None:
        return None
    return Amount(variant.cost_price, variant.cost_currency)


async def margin(ctx: Context, variant: Variant) -> Amount | None:
    """Unit price at the lowest quantity tier in the cost currency, minus the cost price.

    None when there is no cost price or no tier in its currency (no conversion is guessed).
    """
    cost = cost_price(variant)
    if cost is None:
        return None
    tiers: list[PriceTier] = await ctx.loaders.many(relations.PRICE_TIERS_BY_VARIANT, variant.id)
    in_currency = [tier for tier in tiers if tier.currency == cost.currency]
    if not in_currency:
        return None
    entry_tier = min(in_currency, key=lambda tier: tier.min_quantity)
    return Amount(entry_tier.unit_price - cost.amount, cost.currency)
