"""The ledger: accounts receivable posted from order events, exactly once per event.

Confirmation opens an order's receivable, payments settle it, shipping or delivery may set its
due date, cancellation reverses it; under terms counted from the bill of lading each departed
shipment's value moves to a receivable of its own, due from its B/L date, and payments are
spread over the order's receivables, oldest due first (resolvers/ledger/postings.py). Each
entry is unique per (event, kind, receivable), and an event that arrives before its
confirmation is deferred. A due date, once set, schedules the receivable's
overdue notice (resolvers/ledger/overdue_notice.py), announced by `announce_invoice_overdue`
only if still owed then. The advance share and the due date follow the ORDER's payment terms
(copied from its quote or its company when it was placed), never the company's terms of
today. The whole design is in docs/design/ledger.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import event_types
from core.global_id import decode_typed_id, encode_global_id
from core.outbox import claim_effect, utcnow
from jobs.context import JobContext
from jobs.registry import Defer, HandlerRegistry
from models.clients import BalanceDueOn, PaymentTerms
from models.ledger import LedgerEntryKind, Receivable, ReceivableStatus
from models.money import round_money
from models.orders import Order, OrderStatus
from models.outbox import EventState, OutboxEffect, OutboxEvent
from models.shipments import Shipment
from resolvers.ledger.overdue_notice import announce_overdue, schedule_overdue_notice
from resolvers.ledger.postings import (
    entry,
    mark_settlement,
    move_to_shipment,
    settlement,
    spread_payment,
)
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
    event_types.SHIPMENT_DEPARTED,
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
    elif event.event_type == event_types.SHIPMENT_DEPARTED:
        return await _shipment_departed(session, event, order, receivable)
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
    """The order's own receivable, locked: postings to one order apply one after another."""
    statement = select(Receivable).where(
        col(Receivable.order_id) == order.id, col(Receivable.shipment_id).is_(None)
    )
    found: Receivable | None = (await session.scalars(statement.with_for_update())).first()
    return found


def _terms(order: Order) -> PaymentTerms:
    """The terms the order was sold under: the one place the ledger reads them."""
    return PaymentTerms.of(order)


def _day(moment: datetime | None, event: OutboxEvent) -> date:
    """The UTC date of a transition: the order's timestamp, else when its event happened."""
    return (moment or event.created_at or utcnow()).astimezone(UTC).date()


async def _open(session: AsyncSession, event: OutboxEvent, order: Order) -> None:
    """The receivable of a confirmed order; its INVOICE entry is the order's total (lines
    and charges)."""
    existing = await session.scalar(
        select(col(Receivable.id)).where(
            col(Receivable.order_id) == order.id, col(Receivable.shipment_id).is_(None)
        )
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
    invoice = entry(receivable, event, LedgerEntryKind.INVOICE, order.total)
    session.add(invoice)
    await session.flush()
    if mark_settlement(receivable, invoice):  # an order of nothing owes nothing
        session.add(receivable)
        await session.flush()
    if due_date is not None:
        await schedule_overdue_notice(session, receivable)


async def _settle(session: AsyncSession, event: OutboxEvent, receivable: Receivable) -> None:
    """PAYMENT entries over the order's receivables, oldest due first; after a reversal the
    payment is still booked (as a credit)."""
    amount = Decimal(str(event.payload["amount"]))
    currency = str(event.payload["currency"])
    if currency != receivable.currency:
        raise LedgerMismatch(
            f"a payment in {currency} for a receivable in {receivable.currency} "
            f"(order {receivable.order_id})"
        )
    await spread_payment(session, event, receivable, amount)


async def _reverse(session: AsyncSession, event: OutboxEvent, receivable: Receivable) -> None:
    """Write off what is still owed; a settled or overpaid receivable has nothing to reverse."""
    if receivable.status == ReceivableStatus.REVERSED:
        return
    if receivable.balance > 0:
        reversal = entry(receivable, event, LedgerEntryKind.REVERSAL, -receivable.balance)
        session.add(reversal)
        await session.flush()
        receivable.balance = Decimal(0)
        mark_settlement(receivable, reversal)
    receivable.status = ReceivableStatus.REVERSED
    session.add(receivable)
    await session.flush()


async def _set_due_date(
    session: AsyncSession, event: OutboxEvent, order: Order, receivable: Receivable
) -> None:
    """From the bill of lading or the delivery, under the order's terms. An order shipped by
    its shipments owes per shipment under terms from the bill of lading: nothing to date."""
    terms = _terms(order)
    if receivable.due_date is not None or terms.balance_due_on != DUE_FROM[event.event_type]:
        return
    if event.event_type == event_types.ORDER_SHIPPED:
        if _unposted(await _departures(session, order)):
            # Events are handled concurrently: the departure that shipped the order, emitted
            # with it, may still be on its way to the books. Dated now, the order's own
            # receivable would get a due date and a notice it never needs once that departure
            # moves its value out.
            raise Defer(DEFER_SECONDS, f"a departure of order {order.id} is not posted yet")
        if await _owed_per_shipment(session, order):
            return
    happened = {
        event_types.ORDER_SHIPPED: order.shipped_at,
        event_types.ORDER_DELIVERED: order.delivered_at,
    }[event.event_type]
    receivable.due_date = _day(happened, event) + timedelta(days=terms.net_days)
    session.add(receivable)
    await session.flush()
    await schedule_overdue_notice(session, receivable)


@dataclass(frozen=True)
class _Departure:
    """A `shipment.departed` of an order, as the books stand in this transaction."""

    shipment_id: int
    posted: bool  # the ledger has its effect (this transaction's own included)
    pending: bool  # not handled yet, nor dead-lettered


async def _departures(session: AsyncSession, order: Order) -> list[_Departure]:
    """The order's departures: events are handled concurrently, so not always posted in the
    order the goods left."""
    assert order.id is not None
    effect = (col(OutboxEffect.event_id) == col(OutboxEvent.id)) & (
        col(OutboxEffect.handler) == POST_TO_LEDGER
    )
    rows = await session.execute(
        select(
            col(OutboxEvent.payload)["shipment_id"].as_string(),
            col(OutboxEffect.event_id).is_not(None),
            col(OutboxEvent.state) == EventState.PENDING,
        )
        .outerjoin(OutboxEffect, effect)
        .where(
            col(OutboxEvent.event_type) == event_types.SHIPMENT_DEPARTED,
            col(OutboxEvent.payload)["order_id"].as_string() == encode_global_id("Order", order.id),
        )
    )
    return [
        _Departure(decode_typed_id(shipment, "Shipment", argument="shipment_id"), posted, pending)
        for shipment, posted, pending in rows
        if shipment
    ]


def _unposted(departures: list[_Departure]) -> bool:
    """Whether a departure is still to be posted (one dead-lettered is not waited for)."""
    return any(departure.pending and not departure.posted for departure in departures)


async def _owed_per_shipment(session: AsyncSession, order: Order) -> bool:
    found = await session.scalar(
        select(col(Receivable.id))
        .where(col(Receivable.order_id) == order.id, col(Receivable.shipment_id).is_not(None))
        .limit(1)
    )
    return found is not None


async def _shipment_departed(
    session: AsyncSession, event: OutboxEvent, order: Order, own: Receivable
) -> bool:
    """Under terms from the bill of lading, the shipment's value falls due from its own B/L
    date; under other terms a departure changes nothing in the books."""
    terms = _terms(order)
    if terms.balance_due_on != BalanceDueOn.BILL_OF_LADING:
        return False
    pk = decode_typed_id(str(event.payload["shipment_id"]), "Shipment", argument="shipment_id")
    shipment = await session.get(Shipment, pk)
    if shipment is None or shipment.bill_of_lading_date is None:
        raise LookupError(f"{event.event_type} names shipment {pk}, which has not departed")
    completes = event.payload["order_status"] == OrderStatus.SHIPPED.value
    departures = await _departures(session, order)
    if completes and _unposted(departures):
        # The completing departure takes whatever the order still holds: posted before an
        # earlier one, it would take that one's goods too.
        raise Defer(DEFER_SECONDS, f"an earlier departure of order {order.id} is not posted yet")
    due = await move_to_shipment(
        session,
        event,
        order,
        own,
        shipment,
        net_days=terms.net_days,
        completes_order=completes,
        posted_shipment_ids=[departure.shipment_id for departure in departures if departure.posted],
    )
    return due is not None
