"""Workers handling the ledger's events at the same moment, on committed data: of two
handling one event, one posts and the other finds it claimed; payments racing on one
receivable apply one after the other, so the balance loses none of them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import delete
from sqlmodel import col, select

from app.worker_main import job_context
from core import event_types
from core.db import Database
from core.settings import Settings
from jobs.ledger import post_to_ledger
from models.clients import ClientCompany
from models.ledger import LedgerEntry, Receivable, ReceivableStatus
from models.orders import Order
from models.outbox import OutboxEffect, OutboxEvent
from tests.callers import make_client_company
from tests.ledger.books import (
    entries_of,
    make_order,
    order_event,
    order_gid,
    payment_event,
    receivable_of,
)


@pytest.fixture
async def order(committed_db: Database) -> AsyncIterator[Order]:
    async with committed_db.transaction() as session:
        company = await make_client_company(session, name="Concurrent Imports Ltd")
    order = await make_order(committed_db, company, total="900.00", confirmed_at=datetime.now(UTC))
    try:
        yield order
    finally:
        async with committed_db.transaction() as session:
            events = select(col(OutboxEvent.id)).where(
                col(OutboxEvent.payload)["order_id"].as_string() == order_gid(order)
            )
            receivables = select(col(Receivable.id)).where(col(Receivable.order_id) == order.id)
            await session.execute(
                delete(LedgerEntry).where(col(LedgerEntry.receivable_id).in_(receivables))
            )
            await session.execute(delete(Receivable).where(col(Receivable.order_id) == order.id))
            await session.execute(
                delete(OutboxEffect).where(col(OutboxEffect.event_id).in_(events))
            )
            await session.execute(delete(OutboxEvent).where(col(OutboxEvent.id).in_(events)))
            await session.execute(delete(Order).where(col(Order.id) == order.id))
            await session.execute(delete(ClientCompany).where(col(ClientCompany.id) == company.id))


async def test_two_workers_racing_on_one_event_post_it_once(
    committed_db: Database, settings: Settings, order: Order
) -> None:
    confirmed = await order_event(committed_db, event_types.ORDER_CONFIRMED, order)
    payments = [
        await payment_event(committed_db, order, amount, payment_pk=pk)
        for pk, amount in ((1, "100.00"), (2, "250.00"), (3, "50.00"))
    ]
    async with job_context(settings, committed_db) as context:
        # when two workers handle the confirmation at once
        await asyncio.gather(*(post_to_ledger(confirmed, context) for _ in range(2)))
        # and every payment is handled twice, all at once
        await asyncio.gather(
            *(post_to_ledger(event, context) for event in payments for _ in range(2))
        )

    # then one invoice and one entry per payment were posted, whatever their order
    entries = await entries_of(committed_db, order)
    assert entries[0] == ("invoice", Decimal("900.00"))
    assert sorted(entries[1:]) == [
        ("payment", Decimal("-250.00")),
        ("payment", Decimal("-100.00")),
        ("payment", Decimal("-50.00")),
    ]
    # and the balance counts each payment once
    receivable = await receivable_of(committed_db, order)
    assert receivable is not None
    assert (receivable.balance, receivable.status) == (
        Decimal("500.00"),
        ReceivableStatus.PARTLY_SETTLED,
    )
