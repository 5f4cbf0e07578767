"""Orders and their events as the ledger sees them, and what the ledger wrote for them.

Orders are written as rows in the state the test needs (the order mutations have tests of
their own); events carry exactly the payloads of `core.event_types`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from core import event_types
from core.db import Database
from core.global_id import encode_global_id
from core.outbox import emit
from jobs.context import JobContext
from jobs.ledger import post_to_ledger
from models.clients import ClientCompany
from models.ledger import LedgerEntry, Receivable
from models.orders import Order, OrderStatus, order_number
from models.outbox import OutboxEvent


async def make_order(
    db: Database,
    company: ClientCompany,
    *,
    total: str = "1000.00",
    currency: str = "USD",
    status: OrderStatus = OrderStatus.CONFIRMED,
    **moments: Any,
) -> Order:
    """An order under the company's terms as they are now, as placing one copies them."""
    assert company.id is not None
    async with db.transaction() as session:
        order = Order(
            client_company_id=company.id,
            request_hash="0" * 64,
            status=status,
            currency=currency,
            incoterm="FOB",
            total=Decimal(total),
            advance_percent=company.advance_percent,
            balance_due_on=company.balance_due_on,
            net_days=company.net_days,
            credit_currency=currency,
            fx_rate=Decimal(1),
            **moments,
        )
        session.add(order)
    return order


def order_gid(order: Order) -> str:
    return encode_global_id("Order", order.id or 0)


async def order_event(db: Database, event_type: str, order: Order, **extra: Any) -> OutboxEvent:
    """An order transition event, as the order mutations emit it."""
    payload = {
        "order_id": order_gid(order),
        "number": order_number(order.id or 0),
        "client_company_id": encode_global_id("ClientCompany", order.client_company_id),
        "status": event_type.removeprefix("order."),
        "previous_status": "placed",
        "currency": order.currency,
        "total": str(order.total),
        **extra,
    }
    return await _emit(db, event_type, payload)


async def payment_event(
    db: Database, order: Order, amount: str, *, payment_pk: int = 1, currency: str | None = None
) -> OutboxEvent:
    payload = {
        "order_id": order_gid(order),
        "payment_id": encode_global_id("Payment", payment_pk),
        "amount": amount,
        "currency": currency or order.currency,
        "amount_paid": amount,
        "payment_status": "partly_paid",
    }
    return await _emit(db, event_types.ORDER_PAYMENT_RECORDED, payload)


async def _emit(db: Database, event_type: str, payload: dict[str, Any]) -> OutboxEvent:
    async with db.transaction() as session:
        event = await emit(session, event_type, payload)
        await session.flush()
        await session.refresh(event)
    return event


async def post(context: JobContext, *events: OutboxEvent) -> None:
    for event in events:
        await post_to_ledger(event, context)


async def receivable_of(db: Database, order: Order) -> Receivable | None:
    """The order's own receivable (not a departed shipment's)."""
    async with db.session() as session:
        return await session.scalar(
            select(Receivable).where(
                col(Receivable.order_id) == order.id, col(Receivable.shipment_id).is_(None)
            )
        )


async def entries_of(db: Database, order: Order) -> list[tuple[str, Decimal]]:
    """(kind, amount) of the order's ledger entries, in posting order."""
    async with db.session() as session:
        rows = await session.execute(
            select(col(LedgerEntry.kind), col(LedgerEntry.amount))
            .join(Receivable, col(Receivable.id) == col(LedgerEntry.receivable_id))
            .where(col(Receivable.order_id) == order.id)
            .order_by(col(LedgerEntry.id))
        )
    return [(str(kind), amount) for kind, amount in rows.all()]
