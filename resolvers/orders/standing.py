"""A client's credit standing, kept on its row: credit used, overdue, and what falls due when.

Every transaction that changes what a client owes or when calls `refresh_standing` after its
own writes: an order placed, paid or cancelled; a receivable opened, settled, reversed or
given its due date (the ledger's handler); a new credit currency. The figures are recomputed
whole from the orders and receivables, never adjusted by differences, so they cannot drift
from what `exposure_by_credit_currency` and the receivables say. The company row is locked
first: of two transactions refreshing one company the second waits, and its statements then
read what the first committed.

A receivable is overdue from the day after its due date while a balance remains. Time makes
receivables overdue with nothing written, so the row holds `overdue_amount` as of the day of
the write and `ClientDue` the unpaid balances falling due from that day on; the overdue
amount on any later day is the first plus the dues before that day (`overdue_on`, and the
same sum in SQL in `admin_queries/clients.py`): exact whenever it is asked, without a job.
`next_due_on`, the earliest due, says until when the stored figure alone is exact;
`roll_overdue_forward` (`tradeql clients roll-overdue`, daily) moves the dues time has passed
into the stored figure, so that sorting by it is right again too.

Amounts are in the client's credit currency: each order's at the rate stored on it, and an
order placed under a former credit currency at today's rate, as the credit check does. Such
an amount with no rate known is left out until the next refresh after finance adds one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.fx import rate_at
from core.row_locks import lock_for_no_key_update
from models.clients import ClientCompany, ClientDue
from models.ledger import Receivable, ReceivableStatus
from models.money import minor_unit, round_money
from models.orders import Order
from resolvers.orders.credit import exposure_by_credit_currency


@dataclass(frozen=True)
class Standing:
    """A company's figures on `today`, in its credit currency."""

    credit_used: Decimal
    overdue_amount: Decimal
    dues: dict[date, Decimal]  # unpaid balances due on or after `today`, by due date

    @property
    def next_due_on(self) -> date | None:
        return min(self.dues, default=None)


def today_of(now: datetime) -> date:
    """The UTC calendar day, the one the ledger counts due dates in."""
    return now.astimezone(UTC).date()


def overdue_on(company: ClientCompany, dues: Iterable[ClientDue], today: date) -> Decimal:
    """The company's overdue amount on `today`, from its stored figures."""
    later = sum((due.amount for due in dues if due.due_date < today), Decimal(0))
    return company.overdue_amount + later


async def refresh_standing(
    db: AsyncSession, company_id: int, now: datetime | None = None
) -> Standing:
    """Recompute every figure of the company and store them, in the caller's transaction
    (its credit currency changed)."""
    now = now or datetime.now(UTC)
    company = await _lock(db, company_id)
    standing = await standing_of(db, company, now)
    await _store_dues(db, company_id, standing)
    await store_credit_used(db, company_id, standing.credit_used)
    return standing


async def refresh_credit_used(db: AsyncSession, company_id: int, now: datetime) -> None:
    """Recompute and store what the company's open orders owe (an order paid or cancelled)."""
    company = await _lock(db, company_id)
    await store_credit_used(db, company_id, await _credit_used(db, company, now))


async def refresh_overdue(db: AsyncSession, company_id: int, now: datetime) -> None:
    """Recompute and store what is overdue and what falls due when (a receivable posted)."""
    company = await _lock(db, company_id)
    overdue, dues = await _overdue_and_dues(db, company, now)
    await _store_dues(db, company_id, Standing(company.credit_used, overdue, dues))


async def store_credit_used(db: AsyncSession, company_id: int, amount: Decimal) -> None:
    """Store credit used computed by the caller, who holds the company's lock (placement has
    just computed it to check the limit)."""
    await _update(db, company_id, credit_used=amount)


async def _lock(db: AsyncSession, company_id: int) -> ClientCompany:
    statement = lock_for_no_key_update(
        select(ClientCompany).where(col(ClientCompany.id) == company_id)
    )
    company: ClientCompany = (
        await db.scalars(statement.execution_options(populate_existing=True))
    ).one()
    return company


async def _store_dues(db: AsyncSession, company_id: int, standing: Standing) -> None:
    await db.execute(delete(ClientDue).where(col(ClientDue.company_id) == company_id))
    if standing.dues:
        await db.execute(
            insert(ClientDue),
            [
                {"company_id": company_id, "due_date": day, "amount": amount}
                for day, amount in sorted(standing.dues.items())
            ],
        )
    await _update(
        db, company_id, overdue_amount=standing.overdue_amount, next_due_on=standing.next_due_on
    )


async def _update(db: AsyncSession, company_id: int, **values: object) -> None:
    await db.execute(
        update(ClientCompany)
        .where(col(ClientCompany.id) == company_id)
        # A figure moving is not an edit of the company: its timestamp stays.
        .values(**values, updated_at=col(ClientCompany.updated_at))
        .execution_options(synchronize_session=False)
    )


async def standing_of(db: AsyncSession, company: ClientCompany, now: datetime) -> Standing:
    """The figures recomputed from the orders and receivables (nothing stored is read)."""
    overdue, dues = await _overdue_and_dues(db, company, now)
    return Standing(await _credit_used(db, company, now), overdue, dues)


async def _credit_used(db: AsyncSession, company: ClientCompany, now: datetime) -> Decimal:
    used = Decimal(0)
    for currency, amount in await exposure_by_credit_currency(db, company):
        used += await _converted(db, company, currency, amount, now)
    return round_money(used, company.credit_currency)


async def _overdue_and_dues(
    db: AsyncSession, company: ClientCompany, now: datetime
) -> tuple[Decimal, dict[date, Decimal]]:
    today = today_of(now)
    overdue = Decimal(0)
    dues: dict[date, Decimal] = {}
    for currency, due_date, amount in await _unpaid_by_due_date(db, company):
        converted = await _converted(db, company, currency, amount, now)
        if due_date < today:
            overdue += converted
        else:
            dues[due_date] = dues.get(due_date, Decimal(0)) + converted
    currency = company.credit_currency
    return round_money(overdue, currency), {
        day: round_money(amount, currency) for day, amount in dues.items()
    }


async def _unpaid_by_due_date(
    db: AsyncSession, company: ClientCompany
) -> list[tuple[str, date, Decimal]]:
    """Unpaid receivable balances with a due date, by credit currency and due date, each
    converted at its order's stored rate."""
    places = minor_unit(company.credit_currency)
    owed = func.round(col(Receivable.balance) * col(Order.fx_rate), places)
    groups = await db.execute(
        select(col(Order.credit_currency), col(Receivable.due_date), func.sum(owed))
        .join(Order, col(Order.id) == col(Receivable.order_id))
        .where(
            col(Receivable.client_company_id) == company.id,
            col(Receivable.due_date).is_not(None),
            col(Receivable.balance) > 0,
            col(Receivable.status) != ReceivableStatus.REVERSED,
        )
        .group_by(col(Order.credit_currency), col(Receivable.due_date))
    )
    return [(str(currency), day, Decimal(str(amount))) for currency, day, amount in groups]


async def _converted(
    db: AsyncSession, company: ClientCompany, currency: str, amount: Decimal, now: datetime
) -> Decimal:
    if currency == company.credit_currency:
        return amount
    rate = await rate_at(db, currency, company.credit_currency, now)
    return Decimal(0) if rate is None else amount * rate.rate


async def roll_overdue_forward(db: AsyncSession, today: date) -> int:
    """Move the dues before `today` into `overdue_amount`, for every company time has
    overtaken; how many companies. Set-based, with those companies locked first: a concurrent
    posting waits, or is waited for and then read."""
    stale = list(
        await db.scalars(
            lock_for_no_key_update(
                select(col(ClientCompany.id))
                .where(col(ClientCompany.next_due_on) < today)
                .order_by(col(ClientCompany.id))
            )
        )
    )
    if not stale:
        return 0
    company = col(ClientCompany.id)
    passed = (
        select(func.coalesce(func.sum(col(ClientDue.amount)), 0))
        .where(col(ClientDue.company_id) == company, col(ClientDue.due_date) < today)
        .scalar_subquery()
    )
    later = (
        select(func.min(col(ClientDue.due_date)))
        .where(col(ClientDue.company_id) == company, col(ClientDue.due_date) >= today)
        .scalar_subquery()
    )
    await db.execute(
        update(ClientCompany)
        .where(company.in_(stale))
        .values(
            overdue_amount=col(ClientCompany.overdue_amount) + passed,
            next_due_on=later,
            updated_at=col(ClientCompany.updated_at),
        )
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        delete(ClientDue).where(
            col(ClientDue.company_id).in_(stale), col(ClientDue.due_date) < today
        )
    )
    return len(stale)
