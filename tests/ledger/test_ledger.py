"""The ledger handler: each order event posts to the order's receivable exactly once, in
any order of arrival, and the due date follows the client's payment terms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from app.worker_main import job_context
from core import event_types
from core.db import Database
from core.settings import Settings
from jobs.context import JobContext
from jobs.ledger import POST_TO_LEDGER
from jobs.registry import Defer
from models.clients import BalanceDueOn, ClientCompany
from models.ledger import LedgerEntry, ReceivableStatus
from models.orders import OrderStatus
from models.outbox import OutboxEffect
from tests.callers import make_client_company
from tests.ledger.books import (
    entries_of,
    make_order,
    order_event,
    payment_event,
    post,
    receivable_of,
)

CONFIRMED_AT = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)
SHIPPED_AT = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
DELIVERED_AT = datetime(2026, 5, 20, 13, 0, tzinfo=UTC)


@pytest.fixture
async def context(settings: Settings, db: Database) -> AsyncIterator[JobContext]:
    async with job_context(settings, db) as context:
        yield context


async def _company(db: Database, **terms: Any) -> ClientCompany:
    async with db.transaction() as session:
        return await make_client_company(session, **terms)


@pytest.mark.parametrize(
    ("total", "currency", "advance"),
    [("1234.57", "USD", "370.37"), ("100001", "JPY", "30000"), ("10.005", "KWD", "3.002")],
)
async def test_a_confirmation_opens_a_receivable_for_the_order_total(
    db: Database, context: JobContext, total: str, currency: str, advance: str
) -> None:
    # given a client on 30 % advance, the balance net 60 days from the invoice
    company = await _company(db, advance_percent=30, net_days=60)
    order = await make_order(db, company, total=total, currency=currency, confirmed_at=CONFIRMED_AT)
    # when the confirmation is posted
    await post(context, await order_event(db, event_types.ORDER_CONFIRMED, order))

    # then the order has one open receivable for its total, in its currency
    receivable = await receivable_of(db, order)
    assert receivable is not None
    assert (receivable.amount, receivable.balance) == (Decimal(total), Decimal(total))
    assert receivable.currency == currency
    assert receivable.client_company_id == company.id
    assert receivable.status == ReceivableStatus.OPEN
    # and the advance is 30 % rounded to the currency's minor unit
    assert receivable.advance_amount == Decimal(advance)
    # and the balance is due 60 days after the (UTC) confirmation date
    assert receivable.due_date == date(2026, 5, 9)
    assert await entries_of(db, order) == [("invoice", Decimal(total))]


async def test_payments_settle_the_receivable_partly_then_fully(
    db: Database, context: JobContext
) -> None:
    company = await _company(db)
    order = await make_order(db, company, total="1000.00", confirmed_at=CONFIRMED_AT)
    await post(context, await order_event(db, event_types.ORDER_CONFIRMED, order))

    # when 300 is paid, then it is partly settled
    await post(context, await payment_event(db, order, "300.00", payment_pk=1))
    partly = await receivable_of(db, order)
    assert partly is not None
    assert (partly.balance, partly.status) == (Decimal("700.00"), ReceivableStatus.PARTLY_SETTLED)
    # when the remaining 700 is paid, then it is settled
    await post(context, await payment_event(db, order, "700.00", payment_pk=2))
    settled = await receivable_of(db, order)
    assert settled is not None
    assert (settled.balance, settled.status) == (Decimal(0), ReceivableStatus.SETTLED)
    assert await entries_of(db, order) == [
        ("invoice", Decimal("1000.00")),
        ("payment", Decimal("-300.00")),
        ("payment", Decimal("-700.00")),
    ]


async def test_a_redelivered_event_posts_nothing_twice(db: Database, context: JobContext) -> None:
    company = await _company(db)
    order = await make_order(db, company, total="500.00", confirmed_at=CONFIRMED_AT)
    confirmed = await order_event(db, event_types.ORDER_CONFIRMED, order)
    paid = await payment_event(db, order, "200.00")
    cancelled = await order_event(db, event_types.ORDER_CANCELLED, order, reason="duplicate")

    # when every event is delivered twice, even interleaved
    await post(context, confirmed, confirmed, paid, confirmed, paid, cancelled, paid, cancelled)

    # then each was posted once
    assert await entries_of(db, order) == [
        ("invoice", Decimal("500.00")),
        ("payment", Decimal("-200.00")),
        ("reversal", Decimal("-300.00")),
    ]
    receivable = await receivable_of(db, order)
    assert receivable is not None
    assert (receivable.balance, receivable.status) == (Decimal(0), ReceivableStatus.REVERSED)


async def test_a_payment_arriving_before_the_confirmation_is_deferred_until_it_is_posted(
    db: Database, context: JobContext
) -> None:
    company = await _company(db)
    order = await make_order(db, company, total="800.00", confirmed_at=CONFIRMED_AT)
    confirmed = await order_event(db, event_types.ORDER_CONFIRMED, order)
    paid = await payment_event(db, order, "800.00")
    cancelled = await order_event(db, event_types.ORDER_CANCELLED, order)

    # when the payment and the cancellation are handled before the confirmation
    for early in (paid, cancelled):
        with pytest.raises(Defer):
            await post(context, early)
    # then nothing was written, nor the events marked as handled
    assert await receivable_of(db, order) is None
    async with db.session() as session:
        effects = await session.scalars(
            select(OutboxEffect).where(col(OutboxEffect.handler) == POST_TO_LEDGER)
        )
        assert list(effects) == []

    # when the confirmation is posted and the payment comes round again
    await post(context, confirmed, paid)
    # then it settles the receivable
    receivable = await receivable_of(db, order)
    assert receivable is not None
    assert (receivable.balance, receivable.status) == (Decimal(0), ReceivableStatus.SETTLED)


async def test_cancelling_an_order_never_confirmed_posts_nothing(
    db: Database, context: JobContext
) -> None:
    company = await _company(db)
    order = await make_order(db, company, status=OrderStatus.CANCELLED)
    await post(context, await order_event(db, event_types.ORDER_CANCELLED, order))
    assert await receivable_of(db, order) is None


async def test_a_cancellation_reverses_what_is_still_owed(
    db: Database, context: JobContext
) -> None:
    company = await _company(db)
    order = await make_order(db, company, total="2500.00", confirmed_at=CONFIRMED_AT)
    await post(
        context,
        await order_event(db, event_types.ORDER_CONFIRMED, order),
        await payment_event(db, order, "1000.00"),
        await order_event(db, event_types.ORDER_CANCELLED, order, reason="client request"),
    )
    receivable = await receivable_of(db, order)
    assert receivable is not None
    assert (receivable.balance, receivable.status) == (Decimal(0), ReceivableStatus.REVERSED)
    assert await entries_of(db, order) == [
        ("invoice", Decimal("2500.00")),
        ("payment", Decimal("-1000.00")),
        ("reversal", Decimal("-1500.00")),
    ]


@pytest.mark.parametrize(
    ("due_on", "due_after_confirmation", "due_after_shipping", "due_after_delivery"),
    [
        (BalanceDueOn.INVOICE, date(2026, 4, 9), date(2026, 4, 9), date(2026, 4, 9)),
        (BalanceDueOn.BILL_OF_LADING, None, date(2026, 5, 2), date(2026, 5, 2)),
        (BalanceDueOn.DELIVERY, None, None, date(2026, 6, 19)),
    ],
)
async def test_the_due_date_counts_net_days_from_the_event_the_terms_name(
    db: Database,
    context: JobContext,
    due_on: BalanceDueOn,
    due_after_confirmation: date | None,
    due_after_shipping: date | None,
    due_after_delivery: date | None,
) -> None:
    # given a client whose balance is due 30 days after `due_on`
    company = await _company(db, balance_due_on=due_on, net_days=30)
    order = await make_order(
        db,
        company,
        status=OrderStatus.DELIVERED,
        confirmed_at=CONFIRMED_AT,
        shipped_at=SHIPPED_AT,
        delivered_at=DELIVERED_AT,
    )
    due_dates = []
    # when the order is confirmed, shipped and delivered
    for event_type in (
        event_types.ORDER_CONFIRMED,
        event_types.ORDER_SHIPPED,
        event_types.ORDER_DELIVERED,
    ):
        await post(context, await order_event(db, event_type, order))
        receivable = await receivable_of(db, order)
        assert receivable is not None
        due_dates.append(receivable.due_date)
    # then the due date is set by the event the terms count from, and kept afterwards
    assert due_dates == [due_after_confirmation, due_after_shipping, due_after_delivery]


async def test_a_payment_in_another_currency_is_refused(db: Database, context: JobContext) -> None:
    company = await _company(db)
    order = await make_order(db, company, confirmed_at=CONFIRMED_AT)
    await post(context, await order_event(db, event_types.ORDER_CONFIRMED, order))
    with pytest.raises(ValueError, match="a payment in EUR for a receivable in USD"):
        await post(context, await payment_event(db, order, "10.00", currency="EUR"))
    assert await entries_of(db, order) == [("invoice", Decimal("1000.00"))]


async def _settled_at_and_last_entry(db: Database, order: Any) -> tuple[Any, Any]:
    receivable = await receivable_of(db, order)
    assert receivable is not None
    async with db.session() as session:
        last_entry = await session.scalar(
            select(func.max(col(LedgerEntry.created_at))).where(
                col(LedgerEntry.receivable_id) == receivable.id
            )
        )
    return receivable.settled_at, last_entry


async def test_a_receivable_is_settled_when_the_entry_paying_it_off_is_posted(
    db: Database, context: JobContext
) -> None:
    company = await _company(db)
    order = await make_order(db, company, total="1000.00", confirmed_at=CONFIRMED_AT)
    # given an open receivable, then one partly paid: both still owed, never settled
    await post(context, await order_event(db, event_types.ORDER_CONFIRMED, order))
    assert (await _settled_at_and_last_entry(db, order))[0] is None
    await post(context, await payment_event(db, order, "400.00", payment_pk=1))
    assert (await _settled_at_and_last_entry(db, order))[0] is None
    # when the rest is paid, then it was settled at the moment of that payment's entry
    await post(context, await payment_event(db, order, "600.00", payment_pk=2))
    settled_at, paid_off = await _settled_at_and_last_entry(db, order)
    assert settled_at is not None
    assert settled_at == paid_off


@pytest.mark.parametrize("paid_first", ["0.00", "300.00"])
async def test_a_reversal_settles_what_was_owed_and_a_later_payment_keeps_it_settled(
    db: Database, context: JobContext, paid_first: str
) -> None:
    company = await _company(db)
    order = await make_order(db, company, total="900.00", confirmed_at=CONFIRMED_AT)
    events = [await order_event(db, event_types.ORDER_CONFIRMED, order)]
    if paid_first != "0.00":
        events.append(await payment_event(db, order, paid_first, payment_pk=1))
    events.append(await order_event(db, event_types.ORDER_CANCELLED, order, reason="duplicate"))
    await post(context, *events)
    # the reversal's entry settles it
    settled_at, reversed_at = await _settled_at_and_last_entry(db, order)
    assert settled_at is not None
    assert settled_at == reversed_at
    # a payment recorded after the cancellation is owed back: still nothing is owed
    await post(context, await payment_event(db, order, "50.00", payment_pk=2))
    receivable = await receivable_of(db, order)
    assert receivable is not None
    assert receivable.balance == Decimal("-50.00")
    assert receivable.settled_at == settled_at


async def test_an_order_of_nothing_is_settled_by_its_invoice(
    db: Database, context: JobContext
) -> None:
    company = await _company(db)
    order = await make_order(db, company, total="0.00", confirmed_at=CONFIRMED_AT)
    await post(context, await order_event(db, event_types.ORDER_CONFIRMED, order))
    settled_at, invoiced_at = await _settled_at_and_last_entry(db, order)
    assert settled_at is not None
    assert settled_at == invoiced_at
