"""Setting a variant's whole price ladder in one currency at once.

The ladder replaces the stored tiers of that currency in one transaction (an empty one removes
the currency), through the ORM, so the storefront's from-prices and price filters follow at
commit. It must price what a buyer can order: its first tier starts at or below the product's
MOQ (the product is locked meanwhile, so an MOQ edit cannot slip past the check).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import outbox
from core.event_types import PRICE_CHANGED
from core.global_id import encode_global_id
from core.outcomes import Refused, WriteResult
from models.catalog import PriceTier, Product, Variant
from resolvers.catalog.catalog_records import keep_sellable, locked_variant, save_edit
from resolvers.catalog.variant_rules import Tier, check_ladder, first_tier_issues
from resolvers.context import Context
from resolvers.outcomes import pk_of, refusable

# The largest price_tiers.unit_price holds: Numeric(14, 4).
MOST_UNIT_PRICE = Decimal("9999999999.9999")


async def set_price_tiers(
    ctx: Context, *, variant_id: str, expected_version: int, currency: str, tiers: list[Tier]
) -> WriteResult[Variant]:
    """The variant's ladder in `currency` becomes `tiers`; the variant's version moves on."""
    code, tiers, issues = check_ladder(currency, tiers, MOST_UNIT_PRICE)
    if issues:
        return WriteResult(issues=issues)

    async def work(db: AsyncSession) -> Variant:
        product, variant = await locked_variant(db, pk_of(variant_id, "Variant"), expected_version)
        moq_issues = first_tier_issues(tiers, product.moq)
        if moq_issues:
            raise Refused(*moq_issues)
        stored = list(
            await db.scalars(
                select(PriceTier)
                .where(col(PriceTier.variant_id) == variant.id, col(PriceTier.currency) == code)
                .order_by(col(PriceTier.min_quantity))
            )
        )
        before = [_plain(tier.min_quantity, tier.unit_price) for tier in stored]
        after = [_plain(tier.min_quantity, tier.unit_price) for tier in tiers]
        if before == after:
            return variant
        if stored:
            for tier in stored:
                await db.delete(tier)
            await db.flush()  # the old tiers go before the new ones may reuse their quantities
        assert variant.id is not None
        db.add_all(
            PriceTier(
                variant_id=variant.id,
                currency=code,
                min_quantity=tier.min_quantity,
                unit_price=tier.unit_price,
            )
            for tier in tiers
        )
        changes = {f"price_tiers.{code}": [before, after]}
        await save_edit(ctx, db, variant, changes, action="variant.set_price_tiers")
        if not tiers:
            await keep_sellable(db, product, f"removing the {code} prices")
        await outbox.emit(db, PRICE_CHANGED, _price_event(product, variant, code, after))
        return variant

    return await refusable(ctx, work)


def _plain(min_quantity: int, unit_price: Decimal) -> dict[str, Any]:
    """A tier as events and audit rows show it: equal prices read equal (4.2000 and 4.2 are
    "4.20"), with at least the cents and no exponent."""
    exact = unit_price.normalize()
    shown = exact if -exact.as_tuple().exponent > 2 else unit_price.quantize(Decimal("0.01"))  # type: ignore[operator]
    return {"min_quantity": min_quantity, "unit_price": f"{shown:f}"}


def _price_event(
    product: Product, variant: Variant, currency: str, tiers: list[dict[str, Any]]
) -> dict[str, Any]:
    assert product.id is not None
    assert variant.id is not None
    return {
        "variant_id": encode_global_id("Variant", variant.id),
        "product_id": encode_global_id("Product", product.id),
        "sku": variant.sku,
        "currency": currency,
        "tiers": tiers,
    }
