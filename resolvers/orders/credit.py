"""A client's credit: what its open orders still owe, and whether a new order fits.

Exposure is the sum over the client's orders that are not cancelled of (total - amount
paid), each converted into the client's credit currency at the rate stored on the order when
it was placed, never today's: a rate move does not change what a placed order used of the
limit. The caller holds the lock on the client row, so the answer cannot go stale before the
new order is written.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.fx import rate_at
from core.outcomes import Issue, UserErrorCode
from models.clients import ClientCompany
from models.money import minor_unit, round_money
from models.orders import Order, OrderStatus


async def check_credit(
    db: AsyncSession, client: ClientCompany, this_order: Decimal, now: datetime
) -> Decimal | Issue:
    """The client's open exposure plus this order must stay within its credit limit; the
    credit used with this order placed, or the refusal.

    Exposure is what earlier orders still owe, each converted at the rate stored on it,
    never today's: a rate move does not change what a placed order used of the limit.
    """
    exposure = await open_exposure(db, client, now)
    if isinstance(exposure, Issue):
        return exposure
    limit = client.credit_limit
    if exposure + this_order > limit:
        currency = client.credit_currency
        return Issue(
            None,
            UserErrorCode.CREDIT_LIMIT_EXCEEDED,
            f"this order ({this_order} {currency}) and open orders ({exposure} "
            f"{currency}) exceed the credit limit of {limit} {currency}",
        )
    return exposure + this_order


async def open_exposure(db: AsyncSession, client: ClientCompany, now: datetime) -> Decimal | Issue:
    """What the client's non-cancelled orders still owe, in its credit currency."""
    exposure = Decimal(0)
    for currency, amount in await exposure_by_credit_currency(db, client):
        if currency != client.credit_currency:
            # Orders placed before finance changed the client's credit currency.
            rate = await rate_at(db, currency, client.credit_currency, now)
            if rate is None:
                return no_rate(currency, client.credit_currency)
            amount = amount * rate.rate
        exposure += amount
    return round_money(exposure, client.credit_currency)


async def exposure_by_credit_currency(
    db: AsyncSession, client: ClientCompany
) -> list[tuple[str, Decimal]]:
    """What the client's non-cancelled orders still owe, by the credit currency each was
    placed under, each order converted at its own stored rate."""
    places = minor_unit(client.credit_currency)
    owed = func.round((col(Order.total) - col(Order.amount_paid)) * col(Order.fx_rate), places)
    groups = await db.execute(
        select(col(Order.credit_currency), func.coalesce(func.sum(owed), 0))
        .where(
            col(Order.client_company_id) == client.id,
            col(Order.status) != OrderStatus.CANCELLED,
        )
        .group_by(col(Order.credit_currency))
    )
    return [(str(currency), Decimal(str(amount))) for currency, amount in groups]


def no_rate(source: str, target: str) -> Issue:
    return Issue(
        ("input", "currency"),
        UserErrorCode.NO_FX_RATE,
        f"no exchange rate from {source} to {target} is known; finance must add one",
    )
