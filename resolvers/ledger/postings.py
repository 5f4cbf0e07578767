"""Postings to an order's receivables: payments spread oldest due first, and a departed
shipment's value moved to a receivable of its own that falls due from its bill of lading.

An order owes on one receivable of its own (`shipment_id` null) until, under terms counted
from the bill of lading, its shipments depart: each departed shipment's value then moves to
its own receivable by a TRANSFER pair (minus on the order's, plus on the shipment's; the sum
the client owes is unchanged), due on its B/L date plus the net days, with its own overdue
notice. A shipment's value is its lines' unit price times quantity, rounded to the
currency; the shipment that completes the order takes whatever the order's receivable
still holds, so charges and rounding land on it. What was paid before a shipment left pays
for the goods that leave first: the order's receivable keeps owing for the goods still to
leave after this shipment, and the shipment takes only what it holds beyond that.

Every posting for an order first locks the order's own receivable (jobs/ledger.py), so
postings to one order apply one after another; entries are unique per (event, kind,
receivable), so a redelivered event cannot post twice. The whole design is in
docs/design/ledger.md.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from models.ledger import LedgerEntry, LedgerEntryKind, Receivable, ReceivableStatus
from models.money import round_money
from models.orders import Order, OrderLine
from models.outbox import OutboxEvent
from models.shipments import Shipment, ShipmentLine
from resolvers.ledger.overdue_notice import schedule_overdue_notice


def settlement(amount: Decimal, balance: Decimal) -> ReceivableStatus:
    if balance <= 0:
        return ReceivableStatus.SETTLED
    return ReceivableStatus.PARTLY_SETTLED if balance < amount else ReceivableStatus.OPEN


def entry(
    receivable: Receivable, event: OutboxEvent, kind: LedgerEntryKind, amount: Decimal
) -> LedgerEntry:
    assert receivable.id is not None
    assert event.id is not None
    return LedgerEntry(
        receivable_id=receivable.id,
        kind=kind,
        amount=amount,
        currency=receivable.currency,
        event_id=event.id,
    )


def mark_settlement(receivable: Receivable, posted: LedgerEntry) -> bool:
    """Keep `settled_at` the moment of the entry that brought the balance to zero or below,
    null while something is owed; whether it changed. The aging of a past day finds the
    receivables owed then by this interval, so it takes the entry's own moment (the
    database's clock), never the worker's."""
    settled_at = receivable.settled_at
    if receivable.balance > 0:
        settled_at = None
    elif settled_at is None:
        settled_at = posted.created_at
    changed = settled_at != receivable.settled_at
    receivable.settled_at = settled_at
    return changed


async def post(
    session: AsyncSession,
    receivable: Receivable,
    event: OutboxEvent,
    kind: LedgerEntryKind,
    amount: Decimal,
) -> None:
    """One entry, and the receivable's balance, status and settlement moment after it
    (a reversed receivable stays reversed: a later payment is booked as a credit)."""
    posted = entry(receivable, event, kind, amount)
    session.add(posted)
    await session.flush()
    receivable.balance += amount
    if receivable.status != ReceivableStatus.REVERSED:
        receivable.status = settlement(receivable.amount, receivable.balance)
    mark_settlement(receivable, posted)
    session.add(receivable)
    await session.flush()


async def _value(session: AsyncSession, currency: str, *conditions: ColumnElement[bool]) -> Decimal:
    """What the shipment lines meeting `conditions` carry is worth: unit price times
    quantity, summed, rounded once to the currency."""
    value = await session.scalar(
        select(func.coalesce(func.sum(col(OrderLine.unit_price) * col(ShipmentLine.quantity)), 0))
        .select_from(ShipmentLine)
        .join(OrderLine, col(OrderLine.id) == col(ShipmentLine.order_line_id))
        .join(Shipment, col(Shipment.id) == col(ShipmentLine.shipment_id))
        .where(*conditions)
    )
    return round_money(Decimal(value or 0), currency)


async def move_to_shipment(
    session: AsyncSession,
    event: OutboxEvent,
    order: Order,
    own: Receivable,
    shipment: Shipment,
    *,
    net_days: int,
    completes_order: bool,
    posted_shipment_ids: Collection[int],
) -> Receivable | None:
    """The shipment's own receivable, due from its B/L date, holding its value moved out of
    the order's; None when nothing is left to owe for it (paid ahead) or it has one already.

    What the order's receivable keeps back for goods still to be taken in counts every
    shipment but those whose departures the books have posted (`posted_shipment_ids`): a
    departure posted late, after the next one left, still owes only its own goods."""
    assert shipment.id is not None
    assert shipment.bill_of_lading_date is not None
    existing = await session.scalar(
        select(col(Receivable.id)).where(col(Receivable.shipment_id) == shipment.id)
    )
    if existing is not None or own.status == ReceivableStatus.REVERSED:
        return None
    held = max(own.balance, Decimal(0))
    value = await _value(session, own.currency, col(Shipment.id) == shipment.id)
    posted_before = [pk for pk in posted_shipment_ids if pk != shipment.id]
    others = (
        await _value(
            session,
            own.currency,
            col(Shipment.order_id) == order.id,
            col(Shipment.id).in_(posted_before),
        )
        if posted_before
        else Decimal(0)
    )
    still_to_leave = own.amount - others - value
    moved = held if completes_order else min(held, max(held - still_to_leave, Decimal(0)))
    if moved <= 0:
        return None
    assert order.id is not None
    due = Receivable(
        order_id=order.id,
        shipment_id=shipment.id,
        client_company_id=order.client_company_id,
        currency=own.currency,
        amount=moved,
        balance=Decimal(0),
        due_date=shipment.bill_of_lading_date + timedelta(days=net_days),
        status=ReceivableStatus.OPEN,
    )
    session.add(due)
    await session.flush()
    await post(session, own, event, LedgerEntryKind.TRANSFER, -moved)
    await post(session, due, event, LedgerEntryKind.TRANSFER, moved)
    await schedule_overdue_notice(session, due)
    return due


async def spread_payment(
    session: AsyncSession, event: OutboxEvent, own: Receivable, amount: Decimal
) -> None:
    """A payment over the order's receivables still owed, the oldest due first (the order's
    own, with no due date, last); what is left over is a credit on the order's own."""
    shipped = list(
        await session.scalars(
            select(Receivable)
            .where(
                col(Receivable.order_id) == own.order_id,
                col(Receivable.shipment_id).is_not(None),
                col(Receivable.balance) > 0,
            )
            .order_by(col(Receivable.due_date), col(Receivable.id))
            .with_for_update()
        )
    )
    remaining = amount
    for receivable in [*shipped, own]:
        if remaining <= 0:
            return
        # The order's own takes the rest, and any overpayment, as a credit.
        share = remaining if receivable is own else min(remaining, receivable.balance)
        if share <= 0:
            continue
        await post(session, receivable, event, LedgerEntryKind.PAYMENT, -share)
        remaining -= share
