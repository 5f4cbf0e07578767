"""Dues per shipment: under terms counted from the bill of lading each departed shipment's
value moves from the order's receivable to one of its own, due on its B/L date plus the net
days, with its own overdue notice; the shipment that completes the order takes what is left
(charges, rounding); payments go to the oldest due first; under other terms a departure
changes nothing in the books."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from app.worker_main import job_context
from core import event_types
from core.db import Database
from core.settings import Settings
from jobs.context import JobContext
from jobs.ledger import announce_invoice_overdue
from jobs.registry import Defer
from models.accounts import Role
from models.clients import BalanceDueOn, ClientCompany
from models.ledger import LedgerEntry, Receivable, ReceivableStatus
from models.orders import Order
from tests.callers import make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.ledger.books import order_event, order_gid, payment_event, post, receivable_of
from tests.outbox_support import events_of
from tests.shipments.support import (
    CREATE,
    DEPART,
    lines_of,
    make_shippable_order,
    shipment_input,
)

CONFIRMED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
async def context(settings: Settings, db: Database) -> AsyncIterator[JobContext]:
    async with job_context(settings, db) as context:
        yield context


async def _confirmed(
    db: Database, context: JobContext, balance_due_on: BalanceDueOn
) -> tuple[ClientCompany, Order]:
    """A client on net 30 days from `balance_due_on`; its order of 10 towels and 6 robes at
    5.00 plus 20.00 of freight (100.00), confirmed and posted."""
    async with db.transaction() as session:
        company = await make_client_company(
            session, advance_percent=0, net_days=30, balance_due_on=balance_due_on
        )
    order = await make_shippable_order(
        db, company, quantities=(10, 6), charges="20.00", confirmed_at=CONFIRMED_AT
    )
    await post(context, await order_event(db, event_types.ORDER_CONFIRMED, order))
    return company, order


async def _depart(
    db: Database, settings: Settings, order: Order, *lines: tuple[Any, int], bl: str
) -> str:
    async with graphql_client(settings, db) as http:
        async with db.transaction() as session:
            sales: GraphQLClient = http.as_(await token_for(session, settings, Role.SALES))
        variables = {"order": order_gid(order), "input": shipment_input(*lines)}
        booked = await sales.data(CREATE, variables)
        shipment_id: str = booked["createShipment"]["shipment"]["id"]
        departed = await sales.data(DEPART, {"id": shipment_id, "at": None, "bl": bl})
    assert departed["departShipment"]["userErrors"] == []
    return shipment_id


async def _post_new(context: JobContext, db: Database, seen: set[int]) -> None:
    """Post every event of the order's life not posted yet, in the order they were emitted."""
    for event_type in (event_types.SHIPMENT_DEPARTED, event_types.ORDER_SHIPPED):
        for event in await events_of(db, event_type):
            assert event.id is not None
            if event.id not in seen:
                seen.add(event.id)
                await post(context, event)


async def _receivables(db: Database, order: Order) -> list[Receivable]:
    async with db.session() as session:
        statement = (
            select(Receivable)
            .where(col(Receivable.order_id) == order.id)
            .order_by(col(Receivable.id))
        )
        return list(await session.scalars(statement))


async def _entries(db: Database, receivable: Receivable) -> list[tuple[str, Decimal]]:
    async with db.session() as session:
        rows = await session.execute(
            select(col(LedgerEntry.kind), col(LedgerEntry.amount))
            .where(col(LedgerEntry.receivable_id) == receivable.id)
            .order_by(col(LedgerEntry.id))
        )
    return [(str(kind), amount) for kind, amount in rows.all()]


async def test_each_shipment_falls_due_from_its_own_bill_of_lading(
    any_db: Database, settings: Settings
) -> None:
    db = any_db  # on PostgreSQL and on SQLite, the embedded default
    async with job_context(settings, db) as context:
        await _falls_due_per_shipment(db, settings, context)


async def _falls_due_per_shipment(db: Database, settings: Settings, context: JobContext) -> None:
    # given a confirmed order of 100.00 under terms of net 30 from the bill of lading
    company, order = await _confirmed(db, context, BalanceDueOn.BILL_OF_LADING)
    towels, _robes = await lines_of(db, order)
    posted: set[int] = set()
    # when 4 towels (20.00) leave under a B/L of 25 November, and the rest on 3 December
    await _depart(db, settings, order, (towels, 4), bl="2026-11-25")
    await _post_new(context, db, posted)
    await _depart(db, settings, order, bl="2026-12-03")
    await _post_new(context, db, posted)

    # then the order's own receivable moved everything out, and has no due date of its own
    own, first, last = await _receivables(db, order)
    assert own.shipment_id is None
    assert (own.balance, own.due_date) == (Decimal(0), None)
    assert await _entries(db, own) == [
        ("invoice", Decimal("100.00")),
        ("transfer", Decimal("-20.00")),
        ("transfer", Decimal("-80.00")),
    ]
    # and each shipment owes its own value, due 30 days after its own B/L; the last one
    # took the freight with it
    assert (first.amount, first.balance, first.due_date) == (
        Decimal("20.00"),
        Decimal("20.00"),
        date(2026, 12, 25),
    )
    assert (last.amount, last.balance, last.due_date) == (
        Decimal("80.00"),
        Decimal("80.00"),
        date(2027, 1, 2),
    )
    assert await _entries(db, first) == [("transfer", Decimal("20.00"))]
    # and each has its overdue notice; none for the order's own
    notices = await events_of(db, event_types.INVOICE_OVERDUE_DUE)
    assert sorted(event.payload["receivable_id"] for event in notices) == [first.id, last.id]
    # and the client's standing counts what falls due when
    async with db.session() as session:
        refreshed = await session.get(ClientCompany, company.id)
    assert refreshed is not None
    assert refreshed.next_due_on == date(2026, 12, 25)


async def test_payments_go_to_the_oldest_due_first_and_notices_follow_each_shipment(
    db: Database, settings: Settings, context: JobContext
) -> None:
    _company, order = await _confirmed(db, context, BalanceDueOn.BILL_OF_LADING)
    towels, _robes = await lines_of(db, order)
    posted: set[int] = set()
    await _depart(db, settings, order, (towels, 4), bl="2026-11-25")
    await _post_new(context, db, posted)
    await _depart(db, settings, order, bl="2026-12-03")
    await _post_new(context, db, posted)
    # when 30.00 is paid
    await post(context, await payment_event(db, order, "30.00"))

    # then the first shipment's 20.00 is settled and 10.00 went to the second
    own, first, last = await _receivables(db, order)
    assert (first.balance, first.status) == (Decimal(0), ReceivableStatus.SETTLED)
    assert first.settled_at is not None
    assert (last.balance, last.status) == (Decimal("70.00"), ReceivableStatus.PARTLY_SETTLED)
    assert own.balance == Decimal(0)
    # and at their moments only the one still owed is announced overdue, with its balance
    notices = {
        event.payload["receivable_id"]: event
        for event in await events_of(db, event_types.INVOICE_OVERDUE_DUE)
    }
    for receivable in (first, last):
        await announce_invoice_overdue(notices[receivable.id], context)
    [overdue] = await events_of(db, event_types.INVOICE_OVERDUE)
    assert (overdue.payload["balance"], overdue.payload["due_date"]) == ("70.00", "2027-01-02")


async def test_a_payment_ahead_of_a_departure_is_credited_to_the_goods_shipped_first(
    db: Database, settings: Settings, context: JobContext
) -> None:
    _company, order = await _confirmed(db, context, BalanceDueOn.BILL_OF_LADING)
    towels, _robes = await lines_of(db, order)
    # given 90.00 paid before anything left
    await post(context, await payment_event(db, order, "90.00"))
    # when 10 towels (50.00) leave, then the robes (30.00, and the 20.00 freight)
    posted: set[int] = set()
    await _depart(db, settings, order, (towels, 10), bl="2026-11-25")
    await _post_new(context, db, posted)
    await _depart(db, settings, order, bl="2026-12-03")
    await _post_new(context, db, posted)

    # then only the 10.00 still owed fell due, with the last shipment
    own, last = await _receivables(db, order)
    assert own.balance == Decimal(0)
    assert (last.amount, last.due_date) == (Decimal("10.00"), date(2027, 1, 2))
    [notice] = await events_of(db, event_types.INVOICE_OVERDUE_DUE)
    assert notice.payload["receivable_id"] == last.id


@pytest.mark.parametrize("terms", [BalanceDueOn.INVOICE, BalanceDueOn.DELIVERY])
async def test_under_other_terms_a_departure_changes_nothing_in_the_books(
    db: Database, settings: Settings, context: JobContext, terms: BalanceDueOn
) -> None:
    _company, order = await _confirmed(db, context, terms)
    towels, _robes = await lines_of(db, order)
    await _depart(db, settings, order, (towels, 4), bl="2026-11-25")
    await _post_new(context, db, set())

    [own] = await _receivables(db, order)
    assert await _entries(db, own) == [("invoice", Decimal("100.00"))]
    assert own.balance == Decimal("100.00")


async def test_a_redelivered_departure_posts_nothing_twice(
    db: Database, settings: Settings, context: JobContext
) -> None:
    _company, order = await _confirmed(db, context, BalanceDueOn.BILL_OF_LADING)
    towels, _robes = await lines_of(db, order)
    await _depart(db, settings, order, (towels, 4), bl="2026-11-25")
    [departed] = await events_of(db, event_types.SHIPMENT_DEPARTED)
    await post(context, departed, departed)

    own, first = await _receivables(db, order)
    assert own.balance == Decimal("80.00")
    assert await _entries(db, first) == [("transfer", Decimal("20.00"))]
    assert (await receivable_of(db, order)) == own


READ = """query($id: ID!) { order(id: $id) {
  receivable { balance { amount } dueDate }
  shipments { status billOfLadingDate receivable { amount { amount } dueDate shipment { id } } }
} }"""
LIST = "{ receivables(first: 10) { totalCount nodes { dueDate shipment { status } } } }"


async def test_the_client_reads_what_each_shipment_owes_and_finance_lists_them_all(
    db: Database, settings: Settings, context: JobContext
) -> None:
    company, order = await _confirmed(db, context, BalanceDueOn.BILL_OF_LADING)
    towels, _robes = await lines_of(db, order)
    first_id = await _depart(db, settings, order, (towels, 4), bl="2026-11-25")
    await _post_new(context, db, set())
    async with graphql_client(settings, db) as http:
        async with db.transaction() as session:
            client = http.as_(await token_for(session, settings, Role.CLIENT, company=company))
            other = await make_client_company(session, name="Other GmbH")
            stranger = http.as_(await token_for(session, settings, Role.CLIENT, company=other))
            finance = http.as_(await token_for(session, settings, Role.FINANCE))
        mine = await client.data(READ, {"id": order_gid(order)})
        theirs = await stranger.post(READ, {"id": order_gid(order)})
        listed = await finance.data(LIST)

    # the client sees what is still owed on the order and what its departed shipment owes
    assert mine["order"]["receivable"] == {"balance": {"amount": "80.00"}, "dueDate": None}
    [shipment] = mine["order"]["shipments"]
    assert (shipment["status"], shipment["billOfLadingDate"]) == ("DEPARTED", "2026-11-25")
    assert shipment["receivable"] == {
        "amount": {"amount": "20.00"},
        "dueDate": "2026-12-25",
        "shipment": {"id": first_id},
    }
    # another company's user sees no such order
    assert theirs["data"]["order"] is None
    # finance lists both receivables, the shipment's first (it has a due date)
    assert listed["receivables"]["totalCount"] == 2
    assert listed["receivables"]["nodes"] == [
        {"dueDate": "2026-12-25", "shipment": {"status": "DEPARTED"}},
        {"dueDate": None, "shipment": None},
    ]


async def test_an_order_shipped_ahead_of_its_departure_waits_for_it_to_be_posted(
    any_db: Database, settings: Settings
) -> None:
    db = any_db  # the payload is read as JSON on PostgreSQL and on SQLite alike
    async with job_context(settings, db) as context:
        # given an order under terms from the bill of lading, shipped whole by one shipment
        _company, order = await _confirmed(db, context, BalanceDueOn.BILL_OF_LADING)
        await _depart(db, settings, order, bl="2026-11-25")
        [departed] = await events_of(db, event_types.SHIPMENT_DEPARTED)
        [shipped] = await events_of(db, event_types.ORDER_SHIPPED)

        # when a worker takes `order.shipped` first, then it is put off, posting nothing
        with pytest.raises(Defer, match="not posted yet"):
            await post(context, shipped)
        own = await receivable_of(db, order)
        assert own is not None
        assert own.due_date is None
        # and once the departure is posted, it posts, and leaves the order's own receivable
        # without a due date or a notice: the shipment owes it all
        await post(context, departed, shipped)

    own, shipment_owes = await _receivables(db, order)
    assert (own.balance, own.due_date) == (Decimal(0), None)
    assert (shipment_owes.balance, shipment_owes.due_date) == (
        Decimal("100.00"),
        date(2026, 12, 25),
    )
    notices = await events_of(db, event_types.INVOICE_OVERDUE_DUE)
    assert [event.payload["receivable_id"] for event in notices] == [shipment_owes.id]


async def _two_parts_left(db: Database, settings: Settings, context: JobContext) -> Order:
    """An order of 100.00 under terms from the B/L whose two shipments have both left (4 towels
    on 25 November, the rest on 3 December), nothing of them posted yet."""
    _company, order = await _confirmed(db, context, BalanceDueOn.BILL_OF_LADING)
    towels, _robes = await lines_of(db, order)
    await _depart(db, settings, order, (towels, 4), bl="2026-11-25")
    await _depart(db, settings, order, bl="2026-12-03")
    return order


async def test_a_departure_posted_after_the_next_one_left_owes_only_its_own_goods(
    db: Database, settings: Settings, context: JobContext
) -> None:
    # given an order under terms from the bill of lading, whose two shipments both left
    # before the worker posted the first one's departure (events are handled concurrently)
    order = await _two_parts_left(db, settings, context)

    # when the departures are posted then, in the order they left
    await _post_new(context, db, set())

    # then each shipment owes its own goods, the last one the rest, as if posted in time
    own, first, last = await _receivables(db, order)
    assert (own.balance, own.due_date) == (Decimal(0), None)
    assert (first.amount, first.due_date) == (Decimal("20.00"), date(2026, 12, 25))
    assert (last.amount, last.due_date) == (Decimal("80.00"), date(2027, 1, 2))


async def test_the_completing_departure_waits_for_an_earlier_one_to_be_posted(
    db: Database, settings: Settings, context: JobContext
) -> None:
    order = await _two_parts_left(db, settings, context)
    first_left, last_left = await events_of(db, event_types.SHIPMENT_DEPARTED)

    # when a worker takes the completing departure first, then it is put off, posting nothing
    with pytest.raises(Defer, match="earlier departure"):
        await post(context, last_left)
    [own] = await _receivables(db, order)
    assert own.balance == Decimal("100.00")

    # and posted after the first, each shipment owes its own goods
    await post(context, first_left, last_left)
    own, first, last = await _receivables(db, order)
    assert (own.balance, first.amount, last.amount) == (
        Decimal(0),
        Decimal("20.00"),
        Decimal("80.00"),
    )
