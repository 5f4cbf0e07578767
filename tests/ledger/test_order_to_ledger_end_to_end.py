"""From the API to the books, end to end: an order placed, confirmed and partly paid over
HTTP reaches a partner's webhook receiver (signatures checked with `standardwebhooks`) and
the ledger through the real worker, and replaying the confirmation doubles nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, update
from sqlmodel import col, select

from app.worker import Worker
from app.worker_main import build_worker, job_context
from core import outbox
from core.db import Database
from core.event_types import ORDER_CONFIRMED, ORDER_PAYMENT_RECORDED, ORDER_PLACED
from core.settings import Settings
from jobs.ledger import POST_TO_LEDGER
from models.ledger import ReceivableStatus
from models.orders import Order
from models.outbox import EventState, OutboxEffect, OutboxEvent
from tests.graphql_client import graphql_client
from tests.ledger.books import entries_of, receivable_of
from tests.orders.builders import PLACE, make_shop, order_input
from tests.webhooks.webhook_receiver import webhook_receiver
from tests.webhooks.webhook_support import add_endpoint

CONFIRM = "mutation($id: ID!) { confirmOrder(id: $id) { userErrors { code } } }"
PAY = """mutation($id: ID!, $at: DateTime!) { recordPayment(orderId: $id, amount: "300.00",
  reference: "HSBC-0042", receivedAt: $at) { userErrors { code } } }"""
ORDER_EVENTS = [ORDER_PLACED, ORDER_CONFIRMED, ORDER_PAYMENT_RECORDED]


@pytest.fixture
def e2e_settings(committed_url: str) -> Settings:
    return Settings(
        env="test",
        database_url=committed_url,
        webhook_allow_private_targets=True,
        webhook_timeout_seconds=2.0,
        outbox_backoff_base_seconds=0.01,
        outbox_backoff_max_seconds=0.05,
        # The order moves stock: its coalesced stock.changed event waits out one window
        # before it is due, and the worker runs until nothing is pending.
        stock_event_window_seconds=1,
    )


async def _pending(database: Database) -> int:
    """Events still to run now or in a moment; the invoice's overdue notice, days away, is not."""
    soon = datetime.now(UTC) + timedelta(minutes=1)
    async with database.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.state) == EventState.PENDING)
            .where(col(OutboxEvent.available_at) < soon)
        )
    return int(count or 0)


async def _run_until_idle(worker: Worker, database: Database) -> None:
    """Worker passes until no event is pending (deferred ones included; scheduled notices
    days away not); 20 s at most."""
    async with asyncio.timeout(20):
        while await _pending(database):
            await worker.run_once()
            await asyncio.sleep(0.05)


async def _event(database: Database, event_type: str) -> OutboxEvent:
    async with database.session() as session:
        found = await session.scalar(
            select(OutboxEvent).where(col(OutboxEvent.event_type) == event_type)
        )
    assert found is not None
    return found


async def _replay(database: Database, event: OutboxEvent) -> None:
    """Send a handled event through the worker again, as `tradeql events replay` does."""
    async with database.transaction() as session:
        await session.execute(
            update(OutboxEvent).where(col(OutboxEvent.id) == event.id).values(state=EventState.DEAD)
        )
    assert event.id is not None
    assert await outbox.replay(database, event.id)


@pytest.mark.slow
async def test_an_order_reaches_partners_and_the_books_once(
    committed_db: Database, e2e_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        shop = await make_shop(session, e2e_settings)
    async with webhook_receiver() as receiver:
        # given a partner subscribed to the order events
        issued = await add_endpoint(
            committed_db, e2e_settings, receiver.url, event_types=ORDER_EVENTS
        )
        receiver.secret = issued.secret
        # when a client places an order of 100 units (900.00), sales confirm it, and finance
        # records 300.00 of it, all over HTTP
        async with graphql_client(e2e_settings, committed_db) as http:
            placed = await http.as_(shop.client_token).data(
                PLACE,
                {"input": order_input([(shop.variant, 100)]), "key": "e2e-order-1"},
            )
            order_id = placed["placeOrder"]["order"]["id"]
            confirmed = await http.as_(shop.sales_token).data(CONFIRM, {"id": order_id})
            paid = await http.as_(shop.finance_token).data(
                PAY, {"id": order_id, "at": datetime.now(UTC).isoformat()}
            )
        assert confirmed["confirmOrder"]["userErrors"] == []
        assert paid["recordPayment"]["userErrors"] == []
        # and the worker runs until nothing is left to do
        async with job_context(e2e_settings, committed_db) as context:
            worker = build_worker(e2e_settings, committed_db, context)
            await _run_until_idle(worker, committed_db)

            # then the partner received each event once, every signature valid
            assert all(request.verified for request in receiver.requests)
            bodies = [json.loads(request.body) for request in receiver.requests]
            assert sorted(body["type"] for body in bodies) == sorted(ORDER_EVENTS)
            assert {body["data"]["order_id"] for body in bodies} == {order_id}
            # and the books hold one receivable for the order, 300.00 of 900.00 paid
            async with committed_db.session() as session:
                order = await session.scalar(select(Order))
            assert order is not None
            await _assert_books(committed_db, order)

            # when the confirmation is handled again, even with its ledger effect forgotten
            confirmation = await _event(committed_db, ORDER_CONFIRMED)
            await _replay(committed_db, confirmation)
            await _run_until_idle(worker, committed_db)
            async with committed_db.transaction() as session:
                await session.execute(
                    delete(OutboxEffect).where(
                        col(OutboxEffect.event_id) == confirmation.id,
                        col(OutboxEffect.handler) == POST_TO_LEDGER,
                    )
                )
            await _replay(committed_db, confirmation)
            await _run_until_idle(worker, committed_db)

    # then nothing doubled: no second delivery, still one receivable and one invoice
    assert len(receiver.requests) == len(ORDER_EVENTS)
    await _assert_books(committed_db, order)


async def _assert_books(database: Database, order: Order) -> None:
    receivable = await receivable_of(database, order)
    assert receivable is not None
    assert (receivable.amount, receivable.balance) == (Decimal("900.00"), Decimal("600.00"))
    assert receivable.status == ReceivableStatus.PARTLY_SETTLED
    assert await entries_of(database, order) == [
        ("invoice", Decimal("900.00")),
        ("payment", Decimal("-300.00")),
    ]
