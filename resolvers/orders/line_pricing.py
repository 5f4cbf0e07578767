"""An order's lines priced and their stock reserved: the two steps of placing it that read
the catalog. Every line is priced (from the tiers, or at a quoted price) or every reason
some cannot be is given; stock is reserved all or nothing (resolvers/catalog/stock.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.outcomes import Issue, Refused, UserErrorCode
from models.catalog import PriceTier, Product, Variant
from resolvers.catalog.stock import Moved, StockChange, StockLedger, StockShort
from resolvers.orders.rules import PricedLine, RequestedLine, check_moq, line_path, price_line


async def price_lines(
    db: AsyncSession, lines: Sequence[RequestedLine], currency: str
) -> list[PricedLine]:
    """Every line priced, or all the reasons some cannot be (Refused)."""
    ids = [line.variant_id for line in lines]
    found = await db.execute(
        select(Variant, Product)
        .join(Product, col(Product.id) == col(Variant.product_id))
        .where(col(Variant.id).in_(ids))
    )
    variants = {variant.id: (variant, product) for variant, product in found}
    tiers = await db.scalars(
        select(PriceTier).where(
            col(PriceTier.variant_id).in_(ids), col(PriceTier.currency) == currency
        )
    )
    tiers_of: dict[int, list[PriceTier]] = {}
    for tier in tiers:
        tiers_of.setdefault(tier.variant_id, []).append(tier)
    priced: list[PricedLine] = []
    issues: list[Issue] = []
    for index, line in enumerate(lines):
        if line.variant_id not in variants:
            issues.append(
                Issue(
                    line_path(index, "variantId"),
                    UserErrorCode.NOT_FOUND,
                    "no variant has this id",
                )
            )
            continue
        variant, product = variants[line.variant_id]
        outcome = price_line(
            index,
            line,
            sku=variant.sku,
            product=product,
            tiers=tiers_of.get(line.variant_id, []),
            currency=currency,
        )
        if isinstance(outcome, Issue):
            issues.append(outcome)
        else:
            priced.append(
                replace(outcome, unit_cost=variant.cost_price, cost_currency=variant.cost_currency)
            )
    products = {line.variant_id: variants[line.variant_id][1] for line in priced}
    issues += check_moq(priced, products)
    if issues:
        raise Refused(*issues)
    return priced


async def reserve_lines(
    db: AsyncSession, stock: StockLedger, lines: Sequence[PricedLine]
) -> list[Moved]:
    """Reserve every line's quantity, or refuse OUT_OF_STOCK; the ledger rows follow once
    the order has its id."""
    try:
        return await stock.take(
            db, [StockChange(line.variant_id, reserved=line.quantity) for line in lines]
        )
    except StockShort as short:
        line = next(line for line in lines if line.variant_id == short.change.variant_id)
        raise Refused(
            Issue(
                line_path(line.index, "quantity"),
                UserErrorCode.OUT_OF_STOCK,
                f"{line.sku}: fewer than {line.quantity} units available",
            )
        ) from None
