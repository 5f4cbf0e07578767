"""The ledger counts by the order: its receivable is the order's total with its charges, and
the advance and due date follow the terms the order was sold under, whatever its company's
terms have become since."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from app.worker_main import job_context
from core import event_types
from core.db import Database
from core.settings import Settings
from jobs.context import JobContext
from models.clients import BalanceDueOn, ClientCompany
from models.orders import OrderStatus
from tests.callers import make_client_company
from tests.ledger.books import make_order, order_event, post, receivable_of

CONFIRMED_AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
SHIPPED_AT = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
async def context(settings: Settings, db: Database) -> AsyncIterator[JobContext]:
    async with job_context(settings, db) as context:
        yield context


async def _company(db: Database, **terms: Any) -> ClientCompany:
    async with db.transaction() as session:
        return await make_client_company(session, **terms)


async def _change_terms(db: Database, company: ClientCompany, **terms: Any) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(ClientCompany).where(col(ClientCompany.id) == company.id).values(**terms)
        )


async def test_the_receivable_is_the_total_with_charges_under_the_order_terms(
    db: Database, context: JobContext
) -> None:
    # given an order of 900.00 of goods and 262.40 of charges, sold on 30 % advance, net 60
    company = await _company(db, advance_percent=30, net_days=60)
    order = await make_order(
        db, company, total="1162.40", charges_total=Decimal("262.40"), confirmed_at=CONFIRMED_AT
    )
    # and the company's terms changed after the sale
    await _change_terms(
        db, company, advance_percent=0, balance_due_on=BalanceDueOn.DELIVERY, net_days=10
    )
    # when the confirmation is posted
    await post(context, await order_event(db, event_types.ORDER_CONFIRMED, order))
    # then the receivable owes the whole total, its advance and due date by the order's terms
    receivable = await receivable_of(db, order)
    assert receivable is not None
    assert (receivable.amount, receivable.balance) == (Decimal("1162.40"), Decimal("1162.40"))
    assert receivable.advance_amount == Decimal("348.72")
    assert receivable.due_date == date(2026, 5, 9)


async def test_the_due_date_counts_from_the_event_the_order_terms_name(
    db: Database, context: JobContext
) -> None:
    # given an order sold with the balance 45 days after the bill of lading
    company = await _company(db, balance_due_on=BalanceDueOn.BILL_OF_LADING, net_days=45)
    order = await make_order(
        db,
        company,
        status=OrderStatus.SHIPPED,
        confirmed_at=CONFIRMED_AT,
        shipped_at=SHIPPED_AT,
    )
    # and the company since moved to net 5 from the invoice
    await _change_terms(db, company, balance_due_on=BalanceDueOn.INVOICE, net_days=5)
    # when confirmation and shipping are posted
    await post(context, await order_event(db, event_types.ORDER_CONFIRMED, order))
    after_confirmation = await receivable_of(db, order)
    await post(context, await order_event(db, event_types.ORDER_SHIPPED, order))
    after_shipping = await receivable_of(db, order)
    # then nothing falls due at confirmation, and the balance 45 days after the B/L date
    assert after_confirmation is not None
    assert after_shipping is not None
    assert after_confirmation.due_date is None
    assert after_shipping.due_date == date(2026, 5, 17)
