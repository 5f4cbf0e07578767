"""A variant's cost price and margin: restricted figures, computed only when asked for.

Only the fields declared with `catalog:read_cost` call these; nothing else reads
`Variant.cost_price`, so costs cannot reach a caller through a listing, a sort or a filter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from models.catalog import PriceTier, Variant
from resolvers.catalog import read_paths as paths
from resolvers.context import Context
from resolvers.look_ahead import Soon, follow

T = TypeVar("T")


@dataclass(frozen=True)
class Amount:
    amount: Decimal
    currency: str


def cost_price(variant: Variant) -> Amount | None:
    if variant.cost_price is None or variant.cost_currency is None:
        return None
    return Amount(variant.cost_price, variant.cost_currency)


def margin(ctx: Context, variant: Variant, build: Callable[[Amount | None], T]) -> Soon[T]:
    """`build` of the unit price at the lowest quantity tier in the cost currency, minus the
    cost price; of None when there is no cost price or no tier in its currency (no
    conversion is guessed)."""
    cost = cost_price(variant)
    if cost is None:
        return build(None)

    def margin_of(tiers: list[PriceTier]) -> T:
        in_currency = [tier for tier in tiers if tier.currency == cost.currency]
        if not in_currency:
            return build(None)
        entry_tier = min(in_currency, key=lambda tier: tier.min_quantity)
        return build(Amount(entry_tier.unit_price - cost.amount, cost.currency))

    return follow(ctx, paths.VARIANT["margin"], variant, margin_of)
