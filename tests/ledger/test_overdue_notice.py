"""`invoice.overdue`: scheduled when the ledger gives a receivable its due date, announced the
next day (UTC) by a running worker (never before) and fanned out to partners, once, with the
balance as it is then; never for a receivable settled, reversed or given another due date;
for an order shipped in parts under terms from the bill of lading, once per shipment.

The due date is weeks away, so the tests bring the notice's moment near by moving the
scheduled event's `available_at`, as the clock would.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select

from core.db import Database
from core.global_id import decode_typed_id, encode_global_id
from core.settings import Settings
from models.clients import BalanceDueOn, ClientCompany
from models.ledger import Receivable
from models.outbox import EventState, OutboxEvent
from models.webhooks import WebhookDelivery
from tests.graphql_client import GraphQLClient, graphql_client
from tests.jobs.worker_support import running_worker
from tests.orders.builders import CANCEL, Shop, make_shop, place_one
from tests.outbox_support import bring_due, events_of, subscribe, until

CONFIRM = "mutation($id: ID!) { confirmOrder(id: $id) { userErrors { code } } }"
PAY = """mutation($id: ID!, $amount: Decimal!, $ref: String!, $at: DateTime!) {
  recordPayment(orderId: $id, amount: $amount, reference: $ref, receivedAt: $at) {
    userErrors { code } } }"""
POLL_SECONDS = 0.25
LEAD_SECONDS = 1.5
BOUND_SECONDS = 15.0


@pytest.fixture
def ledger_settings(committed_url: str) -> Settings:
    return Settings(
        env="test",
        database_url=committed_url,
        webhook_allow_private_targets=True,
        outbox_max_attempts=1,
        outbox_backoff_base_seconds=0.01,
        outbox_backoff_max_seconds=0.05,
        worker_poll_seconds=POLL_SECONDS,
        stock_event_window_seconds=1,
    )


async def _confirmed(http: GraphQLClient, shop: Shop, key: str) -> str:
    """An order of 100 units (900.00), placed and confirmed."""
    order_id = await place_one(http, shop, key, quantity=100)
    confirmed = await http.as_(shop.sales_token).data(CONFIRM, {"id": order_id})
    assert confirmed["confirmOrder"]["userErrors"] == []
    return order_id


async def _pay(http: GraphQLClient, shop: Shop, order_id: str, amount: str, ref: str) -> None:
    variables = {"id": order_id, "amount": amount, "ref": ref, "at": datetime.now(UTC).isoformat()}
    paid = await http.as_(shop.finance_token).data(PAY, variables)
    assert paid["recordPayment"]["userErrors"] == []


async def _receivable(database: Database, order_id: str) -> Receivable:
    pk = decode_typed_id(order_id, "Order", argument="orderId")
    async with database.session() as session:
        found = await session.scalar(select(Receivable).where(col(Receivable.order_id) == pk))
    assert found is not None
    return found


async def _scheduled(database: Database, count: int) -> list[OutboxEvent]:
    """Once the ledger has scheduled `count` notices, them."""

    async def all_there() -> bool:
        return len(await events_of(database, "invoice.overdue_due")) == count

    await until(all_there, BOUND_SECONDS)
    return await events_of(database, "invoice.overdue_due")


async def _scheduled_per_shipment(database: Database, count: int) -> list[OutboxEvent]:
    """Once the ledger has scheduled the notices of `count` shipments' receivables, them
    (the worker handles events concurrently, so they may be posted in any order)."""

    async def of_shipments() -> list[OutboxEvent]:
        async with database.session() as session:
            ids = set(
                await session.scalars(
                    select(col(Receivable.id)).where(col(Receivable.shipment_id).is_not(None))
                )
            )
        notices = await events_of(database, "invoice.overdue_due")
        return [event for event in notices if int(event.payload["receivable_id"]) in ids]

    async def all_there() -> bool:
        return len(await of_shipments()) == count

    await until(all_there, BOUND_SECONDS)
    return await of_shipments()


async def _bring_due(database: Database, receivable: Receivable, moment: datetime) -> None:
    """The clock reaches the notice's moment: its schedule is due at `moment` instead."""
    assert receivable.due_date is not None
    key = f"invoice.overdue_due:{receivable.id}:{receivable.due_date.isoformat()}"
    await bring_due(database, key, moment)


async def _deliveries(database: Database) -> list[int]:
    async with database.session() as session:
        return list(await session.scalars(select(col(WebhookDelivery.event_id))))


def _overdue_from(due_date: date) -> datetime:
    return datetime.combine(due_date + timedelta(days=1), time(), tzinfo=UTC)


@pytest.mark.slow
async def test_an_unpaid_invoice_is_announced_overdue_once_the_day_after_it_fell_due(
    committed_db: Database, ledger_settings: Settings
) -> None:
    settings = ledger_settings
    async with committed_db.transaction() as session:
        shop = await make_shop(session, settings)
    await subscribe(committed_db, settings, "invoice.overdue")
    async with (
        running_worker(settings, committed_db),
        graphql_client(settings, committed_db) as http,
    ):
        order_id = await _confirmed(http, shop, "overdue-1")
        [scheduled] = await _scheduled(committed_db, 1)
        receivable = await _receivable(committed_db, order_id)
        # Due net 60 days from the invoice (the client's terms); overdue from the next day.
        assert receivable.due_date is not None
        assert scheduled.available_at == _overdue_from(receivable.due_date)
        assert scheduled.payload == {
            "receivable_id": receivable.id,
            "due_date": receivable.due_date.isoformat(),
        }
        await _pay(http, shop, order_id, "300.00", "HSBC-1")

        moment = datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)
        await _bring_due(committed_db, receivable, moment)
        while datetime.now(UTC) < moment - timedelta(seconds=POLL_SECONDS):
            assert await events_of(committed_db, "invoice.overdue") == []
            await asyncio.sleep(0.05)

        async def fanned_out() -> bool:
            announced = await events_of(committed_db, "invoice.overdue")
            return bool(announced) and announced[0].id in await _deliveries(committed_db)

        await until(fanned_out, BOUND_SECONDS)
        await asyncio.sleep(4 * POLL_SECONDS)

    [announced] = await events_of(committed_db, "invoice.overdue")
    assert announced.created_at is not None
    assert announced.created_at >= moment
    assert announced.payload == {
        "receivable_id": encode_global_id("Receivable", receivable.id or 0),
        "order_id": order_id,
        "number": f"SO-{decode_typed_id(order_id, 'Order', argument='id'):06d}",
        "client_company_id": shop.client_id,
        "currency": "USD",
        "balance": "600.00",
        "due_date": receivable.due_date.isoformat(),
    }
    assert announced.id is not None
    assert (await _deliveries(committed_db)).count(announced.id) == 1
    [done] = await events_of(committed_db, "invoice.overdue_due")
    assert (done.state, done.attempts) == (EventState.DONE, 1)


@pytest.mark.slow
async def test_a_settled_reversed_or_rescheduled_invoice_is_never_announced(
    committed_db: Database, ledger_settings: Settings
) -> None:
    settings = ledger_settings
    async with committed_db.transaction() as session:
        shop = await make_shop(session, settings)
    await subscribe(committed_db, settings, "invoice.overdue")
    async with (
        running_worker(settings, committed_db),
        graphql_client(settings, committed_db) as http,
    ):
        settled = await _confirmed(http, shop, "overdue-settled")
        cancelled = await _confirmed(http, shop, "overdue-cancelled")
        moved = await _confirmed(http, shop, "overdue-moved")
        await _scheduled(committed_db, 3)
        await _pay(http, shop, settled, "900.00", "HSBC-2")
        refused = await http.as_(shop.sales_token).data(
            CANCEL, {"id": cancelled, "reason": "client request"}
        )
        assert refused["cancelOrder"]["userErrors"] == []

        async def posted() -> bool:
            balances = [
                (await _receivable(committed_db, order_id)).balance
                for order_id in (settled, cancelled)
            ]
            return balances == [Decimal(0), Decimal(0)]

        await until(posted, BOUND_SECONDS)
        receivables = [await _receivable(committed_db, o) for o in (settled, cancelled, moved)]
        # The third invoice is given another due date since it was scheduled.
        async with committed_db.transaction() as session:
            await session.execute(
                update(Receivable)
                .where(col(Receivable.id) == receivables[2].id)
                .values(due_date=date.today() + timedelta(days=90))
            )
        now = datetime.now(UTC)
        for receivable in receivables:
            await _bring_due(committed_db, receivable, now)

        async def schedules_done() -> bool:
            due = await events_of(committed_db, "invoice.overdue_due")
            return all(event.state == EventState.DONE for event in due)

        await until(schedules_done, BOUND_SECONDS)

    assert await events_of(committed_db, "invoice.overdue") == []
    async with committed_db.session() as session:
        overdue_deliveries = await session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .join(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.event_id))
            .where(col(OutboxEvent.event_type) == "invoice.overdue")
        )
    assert overdue_deliveries == 0


BOOK = """mutation($order: ID!, $input: ShipmentInput!) {
  createShipment(orderId: $order, input: $input) { shipment { id } userErrors { code } } }"""
DEPART = """mutation($id: ID!, $bl: Date) { departShipment(id: $id, billOfLadingDate: $bl) {
  userErrors { code } } }"""
LINES = "query($id: ID!) { order(id: $id) { lines { id } } }"


async def _ship_part(
    http: GraphQLClient, shop: Shop, order_id: str, units: int | None, bl: str
) -> None:
    """Book `units` of the order's line (all that is left when None) and depart them."""
    sales = http.as_(shop.sales_token)
    given: dict[str, object] = {"legs": [{"carrier": "Maersk", "mode": "SEA"}]}
    if units is not None:
        [line] = (await sales.data(LINES, {"id": order_id}))["order"]["lines"]
        given["lines"] = [{"orderLineId": line["id"], "quantity": units}]
    booked = await sales.data(BOOK, {"order": order_id, "input": given})
    shipment_id = booked["createShipment"]["shipment"]["id"]
    departed = await sales.data(DEPART, {"id": shipment_id, "bl": bl})
    assert departed["departShipment"]["userErrors"] == []


@pytest.mark.slow
async def test_each_shipment_of_an_order_is_announced_overdue_on_its_own(
    committed_db: Database, ledger_settings: Settings
) -> None:
    # given a client on net 30 days from the bill of lading
    settings = ledger_settings
    async with committed_db.transaction() as session:
        shop = await make_shop(session, settings)
        await session.execute(
            update(ClientCompany)
            .where(col(ClientCompany.id) == shop.client.id)
            .values(advance_percent=0, balance_due_on=BalanceDueOn.BILL_OF_LADING, net_days=30)
        )
    async with (
        running_worker(settings, committed_db),
        graphql_client(settings, committed_db) as http,
    ):
        # when its order of 100 units (900.00) leaves in two parts, 40 then 60
        order_id = await _confirmed(http, shop, "overdue-parts")
        await _ship_part(http, shop, order_id, 40, "2026-11-25")
        await _ship_part(http, shop, order_id, None, "2026-12-03")
        first, last = await _scheduled_per_shipment(committed_db, 2)
        # and the first part is paid
        await _pay(http, shop, order_id, "360.00", "HSBC-PARTS")

        async def paid() -> bool:
            async with committed_db.session() as session:
                owed = await session.scalar(
                    select(func.sum(col(Receivable.balance))).where(
                        col(Receivable.shipment_id).is_not(None)
                    )
                )
            return owed == Decimal("540.00")

        await until(paid, BOUND_SECONDS)
        now = datetime.now(UTC)
        for scheduled in (first, last):
            await bring_due(committed_db, str(scheduled.idempotency_key), now)

        async def announced() -> bool:
            return len(await events_of(committed_db, "invoice.overdue")) == 1

        await until(announced, BOUND_SECONDS)
        await asyncio.sleep(4 * POLL_SECONDS)

    # then each part fell due 30 days after its own bill of lading
    assert [event.payload["due_date"] for event in (first, last)] == ["2026-12-25", "2027-01-02"]
    # and only the part still owed was announced, with its own balance
    [overdue] = await events_of(committed_db, "invoice.overdue")
    assert (overdue.payload["balance"], overdue.payload["due_date"]) == ("540.00", "2027-01-02")
    assert overdue.payload["order_id"] == order_id
