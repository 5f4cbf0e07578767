"""Quantity-break pricing: which tier applies to an order of N units in a currency."""

from __future__ import annotations

from collections.abc import Iterable

from models.catalog import PriceTier


def applicable_tier(tiers: Iterable[PriceTier], currency: str, quantity: int) -> PriceTier | None:
    """The tier with the highest minimum quantity not above `quantity`, in `currency`.

    None when the variant has no price in that currency or `quantity` is below every tier's
    minimum (the buyer must order more before a price exists).
    """
    best: PriceTier | None = None
    for tier in tiers:
        if tier.currency != currency or tier.min_quantity > quantity:
            continue
        if best is None or tier.min_quantity > best.min_quantity:
            best = tier
    return best
