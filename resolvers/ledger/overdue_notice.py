"""`invoice.overdue`: notice that a receivable's balance was not paid by its due date.

A receivable is overdue from the day after its due date while a balance remains, the UTC day
as the ledger counts it (resolvers/orders/standing.py), whatever REPORTING_TIMEZONE says. When
the ledger gives a receivable its due date it schedules `invoice.overdue_due` for the start
of the next UTC day, keyed by the receivable and that date (a new due date would schedule a
new one). At the moment, `announce_overdue` checks the receivable under a share lock (a
payment posting racing it waits, or is waited for) and emits the public `invoice.overdue`
only if it still has that due date and a balance: a settled or reversed invoice is never
announced, to partners or to the buyer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.event_types import INVOICE_OVERDUE, INVOICE_OVERDUE_DUE
from core.global_id import encode_global_id
from core.outbox import emit
from models.ledger import Receivable, ReceivableStatus
from models.money import round_money
from models.orders import order_number


def overdue_from(due_date: date) -> datetime:
    """The moment a balance due on `due_date` becomes overdue."""
    return datetime.combine(due_date + timedelta(days=1), time(), tzinfo=UTC)


async def schedule_overdue_notice(db: AsyncSession, receivable: Receivable) -> None:
    """Schedule the notice of a receivable just given its due date, in that transaction."""
    assert receivable.id is not None
    assert receivable.due_date is not None
    due_date = receivable.due_date.isoformat()
    await emit(
        db,
        INVOICE_OVERDUE_DUE,
        {"receivable_id": receivable.id, "due_date": due_date},
        idempotency_key=f"{INVOICE_OVERDUE_DUE}:{receivable.id}:{due_date}",
        due_at=overdue_from(receivable.due_date),
    )


async def announce_overdue(db: AsyncSession, receivable_id: int, due_date: date) -> bool:
    """Emit `invoice.overdue` if the receivable is still owed on that due date.

    Called at the notice's moment (the schedule is the clock), so only the state is checked.
    """
    receivable = (
        await db.scalars(
            select(Receivable)
            .where(col(Receivable.id) == receivable_id)
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
    ).first()
    if (
        receivable is None
        or receivable.due_date != due_date
        or receivable.balance <= 0
        or receivable.status == ReceivableStatus.REVERSED
    ):
        return False
    await emit(db, INVOICE_OVERDUE, overdue_payload(receivable))
    return True


def overdue_payload(receivable: Receivable) -> dict[str, Any]:
    """The public payload (core/event_types.py), the balance as it is at the moment."""
    assert receivable.id is not None
    assert receivable.due_date is not None
    return {
        "receivable_id": encode_global_id("Receivable", receivable.id),
        "order_id": encode_global_id("Order", receivable.order_id),
        "number": order_number(receivable.order_id),
        "client_company_id": encode_global_id("ClientCompany", receivable.client_company_id),
        "currency": receivable.currency,
        "balance": str(round_money(receivable.balance, receivable.currency)),
        "due_date": receivable.due_date.isoformat(),
    }
