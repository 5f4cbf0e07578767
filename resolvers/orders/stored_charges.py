"""The charges a quote or an order holds beside its goods, as stored, in their order.

Read inside a caller's transaction (quoting, converting, setting an order's charges, the
buyer's mails); the API reads them through loaders instead.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.inquiries import QuoteCharge
from models.orders import OrderCharge


async def quote_charges_in(db: AsyncSession, quote_id: int) -> list[QuoteCharge]:
    return list(
        await db.scalars(
            select(QuoteCharge)
            .where(col(QuoteCharge.quote_id) == quote_id)
            .order_by(col(QuoteCharge.position), col(QuoteCharge.id))
        )
    )


async def order_charges_in(db: AsyncSession, order_id: int) -> list[OrderCharge]:
    return list(
        await db.scalars(
            select(OrderCharge)
            .where(col(OrderCharge.order_id) == order_id)
            .order_by(col(OrderCharge.position), col(OrderCharge.id))
        )
    )
