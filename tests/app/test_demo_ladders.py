"""The demo catalog obeys the catalog's price rule: every ladder prices the product's MOQ."""

from __future__ import annotations

import random

from app.demo_catalog.drafting import draft_product
from resolvers.catalog.variant_rules import Tier, first_tier_issues


def test_every_drafted_ladder_starts_at_or_below_its_products_moq() -> None:
    # given the seeder's default seed, drafting as many products as the issue counted
    rng = random.Random(7)
    drafts = [draft_product(rng, ordinal) for ordinal in range(1, 3_001)]

    # when every ladder (a variant's tiers in one currency) is checked by setPriceTiers' rule
    broken = []
    for draft in drafts:
        for variant in draft.variants:
            for currency in {tier.currency for tier in variant.tiers}:
                ladder = sorted(
                    (
                        Tier(t.min_quantity, t.unit_price)
                        for t in variant.tiers
                        if t.currency == currency
                    ),
                    key=lambda tier: tier.min_quantity,
                )
                if first_tier_issues(ladder, draft.moq):
                    broken.append((draft.name, draft.moq, variant.sku, currency, ladder[0]))

    # then none breaks it
    assert sum(len(draft.variants) for draft in drafts) > 5_000
    assert broken == []
