"""Workers handling the ledger's events at the same moment, on committed data: of two
handling one event, one posts and the other finds it claimed; payments racing on one
receivable apply one after the other, so the balance loses none of them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.worker_main import job_context
from core import event_types
from core.db import Database
from core.settings import Settings
from jobs.ledger import post_to_ledger
from models.ledger import ReceivableStatus
from models.orders import Order
from tests.callers import make_client_company
from tests.concurrently import settled
from tests.ledger.books import (
    entries_of,
    make_order,
    order_event,
    payment_event,
    receivable_of,
)


@pytest.fixture
async def order(committed_db: Database) -> Order:
    async with committed_db.transaction() as session:
        company = await make_client_company(session, name="Concurrent Imports Ltd")
    return await make_order(committed_db, company, total="900.00", confirmed_at=datetime.now(UTC))


async def test_two_workers_racing_on_one_event_post_it_once(
    committed_db: Database, committed_settings: Settings, order: Order
) -> None:
    confirmed = await order_event(committed_db, event_types.ORDER_CONFIRMED, order)
    payments = [
        await payment_event(committed_db, order, amount, payment_pk=pk)
        for pk, amount in ((1, "100.00"), (2, "250.00"), (3, "50.00"))
    ]
    async with job_context(committed_settings, committed_db) as context:
        # when two workers handle the confirmation at once
        await settled(*(post_to_ledger(confirmed, context) for _ in range(2)))
        # and every payment is handled twice, all at once
        await settled(*(post_to_ledger(event, context) for event in payments for _ in range(2)))

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
