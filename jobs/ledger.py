"""The ledger: accounts receivable posted from order events, exactly once per event.

Confirmation opens an order's receivable, payments settle it, shipping or delivery may set its
due date, cancellation reverses it; each entry is unique per (event, kind), and an event that
arrives before its confirmation is deferred. A due date, once set, schedules the receivable's
overdue notice (resolvers/ledger/overdue_notice.py), announced by `announce_invoice_overdue`
only if still owed then. The advance share and the due date follow the ORDER's payment terms
(copied from its quote or its company when it was placed), never the company's terms of
today. The whole design is in docs/design/ledger.md.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import event_types
from core.global_id import decode_typed_id
from core.outbox import claim_effect, utcnow
from jobs.context import JobContext
from jobs.registry import Defer, HandlerRegistry
from models.clients import BalanceDueOn, PaymentTerms
from models.ledger import LedgerEntry, LedgerEntryKind, Receivable, ReceivableStatus
from models.money import round_money
from models.orders import Order
from models.outbox import OutboxEvent
from resolvers.ledger.overdue_notice import announce_overdue, schedule_overdue_notice
from resolvers.orders.standing import refresh_overdue

POST_TO_LEDGER = "ledger.post"
ANNOUNCE_INVOICE_OVERDUE = "ledger.announce_overdue"
# The confirmation being waited for is normally just behind in the queue.
DEFER_SECONDS = 2.0
HANDLED = (
    event_types.ORDER_CONFIRMED,
    event_types.ORDER_PAYMENT_RECORDED,
    event_types.ORDER_SHIPPED,
    event_types.ORDER_DELIVERED,
    event_types.ORDER_CANCELLED,
)
# Which transition starts the net days for each kind of terms (the invoice: confirmation).
DUE_FROM = {
    event_types.ORDER_SHIPPED: BalanceDueOn.BILL_OF_LADING,
    event_types.ORDER_DELIVERED: BalanceDueOn.DELIVERY,
}


class LedgerMismatch(ValueError):
    """An event that contradicts the books (another currency); retried, then dead-lettered."""


def register(registry: HandlerRegistry) -> None:
    registry.register(POST_TO_LEDGER, HANDLED)(post_to_ledger)
    registry.register(ANNOUNCE_INVOICE_OVERDUE, [event_types.INVOICE_OVERDUE_DUE])(
        announce_invoice_overdue
    )


async def announce_invoice_overdue(event: OutboxEvent, context: JobContext) -> None:
    """`invoice.overdue`, emitted with the effect: once, and only while still owed."""
    assert event.id is not None
    due_date = date.fromisoformat(str(event.payload["due_date"]))
    async with context.database.transaction() as session:
        if await claim_effect(session, event.id, ANNOUNCE_INVOICE_OVERDUE):
            await announce_overdue(session, int(event.payload["receivable_id"]), due_date)


async def post_to_ledger(event: OutboxEvent, context: JobContext) -> None:
    assert event.id is not None
    async with context.database.transaction() as session:
        if not await claim_effect(session, event.id, POST_TO_LEDGER):
            return
        order = await _order(session, event)
        if await _post(session, event, order):
            # What is overdue, and when the rest falls due, is kept on the client's row.
            await refresh_overdue(session, order.client_company_id, utcnow())


async def _post(session: AsyncSession, event: OutboxEvent, order: Order) -> bool:
    """Post the event to the order's receivable; False when there is nothing to post."""
    if event.event_type == event_types.ORDER_CONFIRMED:
        await _open(session, event, order)
        return True
    receivable = await _receivable(session, order)
    if receivable is None:
        if order.confirmed_at is not None:
            # Raised inside the transaction: the claim rolls back with it.
            raise Defer(DEFER_SECONDS, f"the receivable of order {order.id} is not posted yet")
        return False  # never confirmed: nothing is owed, nothing to post
    if event.event_type == event_types.ORDER_PAYMENT_RECORDED:
        await _settle(session, event, receivable)
    elif event.event_type == event_types.ORDER_CANCELLED:
        await _reverse(session, event, receivable)
    else:
        await _set_due_date(session, event, order, receivable)
    return True


async def _order(session: AsyncSession, event: OutboxEvent) -> Order:
    pk = decode_typed_id(str(event.payload["order_id"]), "Order", argument="order_id")
    order = await session.get(Order, pk)
    if order is None:
        raise LookupError(f"{event.event_type} names order {pk}, which does not exist")
    return order


async def _receivable(session: AsyncSession, order: Order) -> Receivable | None:
    """The order's receivable, locked: postings to one order apply one after another."""
    statement = select(Receivable).where(col(Receivable.order_id) == order.id)
    found: Receivable | None = (await session.scalars(statement.with_for_update())).first()
    return found


def _terms(order: Order) -> PaymentTerms:
    """The terms the order was sold under: the one place the ledger reads them."""
    return PaymentTerms.of(order)


def _day(moment: datetime | None, event: OutboxEvent) -> date:
    """The UTC date of a transition: the order's timestamp, else when its event happened."""
    return (moment or event.created_at or utcnow()).astimezone(UTC).date()


def settlement(amount: Decimal, balance: Decimal) -> ReceivableStatus:
    if balance <= 0:
        return ReceivableStatus.SETTLED
    return ReceivableStatus.PARTLY_SETTLED if balance < amount else ReceivableStatus.OPEN


def _entry(
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


async def _open(session: AsyncSession, event: OutboxEvent, order: Order) -> None:
    """The receivable of a confirmed order; its INVOICE entry is the order's total (lines
    and charges)."""
    existing = await session.scalar(
        select(col(Receivable.id)).where(col(Receivable.order_id) == order.id)
    )
    if existing is not None:  # a second confirmation event for one order posts nothing
        return
    assert order.id is not None
    terms = _terms(order)
    due_date = None
    if terms.balance_due_on == BalanceDueOn.INVOICE:
        due_date = _day(order.confirmed_at, event) + timedelta(days=terms.net_days)
    receivable = Receivable(
        order_id=order.id,
        client_company_id=order.client_company_id,
        currency=order.currency,
        amount=order.total,
        balance=order.total,
        advance_amount=round_money(order.total * terms.advance_percent / 100, order.currency),
        due_date=due_date,
        status=settlement(order.total, order.total),
    )
    session.add(receivable)
    await session.flush()
    invoice = _entry(receivable, event, LedgerEntryKind.INVOICE, order.total)
    session.add(invoice)
    await session.flush()
    if _mark_settlement(receivable, invoice):  # an order of nothing owes nothing
        session.add(receivable)
        await session.flush()
    if due_date is not None:
        await schedule_overdue_notice(session, receivable)


async def _settle(session: AsyncSession, event: OutboxEvent, receivable: Receivable) -> None:
    """A PAYMENT entry; after a reversal the payment is still booked (as a credit)."""
    amount = Decimal(str(event.payload["amount"]))
    currency = str(event.payload["currency"])
    if currency != receivable.currency:
        raise LedgerMismatch(
            f"a payment in {currency} for a receivable in {receivable.currency} "
            f"(order {receivable.order_id})"
        )
    payment = _entry(receivable, event, LedgerEntryKind.PAYMENT, -amount)
    session.add(payment)
    await session.flush()
    receivable.balance -= amount
    if receivable.status != ReceivableStatus.REVERSED:
        receivable.status = settlement(receivable.amount, receivable.balance)
    _mark_settlement(receivable, payment)
    session.add(receivable)
    await session.flush()


async def _reverse(session: AsyncSession, event: OutboxEvent, receivable: Receivable) -> None:
    """Write off what is still owed; a settled or overpaid receivable has nothing to reverse."""
    if receivable.status == ReceivableStatus.REVERSED:
        return
    if receivable.balance > 0:
        reversal = _entry(receivable, event, LedgerEntryKind.REVERSAL, -receivable.balance)
        session.add(reversal)
        await session.flush()
        receivable.balance = Decimal(0)
        _mark_settlement(receivable, reversal)
    receivable.status = ReceivableStatus.REVERSED
    session.add(receivable)
    await session.flush()


def _mark_settlement(receivable: Receivable, entry: LedgerEntry) -> bool:
    """Keep `settled_at` the moment of the entry that brought the balance to zero or below,
    null while something is owed; whether it changed. The aging of a past day finds the
    receivables owed then by this interval, so it takes the entry's own moment (the
    database's clock), never the worker's."""
    settled_at = receivable.settled_at
    if receivable.balance > 0:
        settled_at = None
    elif settled_at is None:
        settled_at = entry.created_at
    changed = settled_at != receivable.settled_at
    receivable.settled_at = settled_at
    return changed


async def _set_due_date(
    session: AsyncSession, event: OutboxEvent, order: Order, receivable: Receivable
) -> None:
    """From the bill of lading or the delivery, under the order's terms."""
    terms = _terms(order)
    if receivable.due_date is not None or terms.balance_due_on != DUE_FROM[event.event_type]:
        return
    happened = {
        event_types.ORDER_SHIPPED: order.shipped_at,
        event_types.ORDER_DELIVERED: order.delivered_at,
    }[event.event_type]
    receivable.due_date = _day(happened, event) + timedelta(days=terms.net_days)
    session.add(receivable)
    await session.flush()
    await schedule_overdue_notice(session, receivable)
