"""A client's credit standing on its row: stored in the transactions that change it, always
equal to a recomputation from its orders and receivables, and overdue exact on any later day.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from admin_queries.clients import overdue_at_least
from app.worker_main import job_context
from core.db import Database
from core.settings import Settings
from jobs.context import JobContext
from jobs.ledger import HANDLED, post_to_ledger
from models.clients import ClientCompany, ClientDue
from models.outbox import OutboxEvent
from resolvers.orders.standing import Standing, overdue_on, standing_of
from tests.graphql_client import GraphQLClient, graphql_client
from tests.orders.builders import CANCEL, PAY, Shop, make_rate, make_shop, move, order_input
from tests.orders.builders import PLACE as PLACE_ORDER


@pytest.fixture
async def context(settings: Settings, db: Database) -> AsyncIterator[JobContext]:
    async with job_context(settings, db) as context:
        yield context


async def _post_everything(db: Database, context: JobContext) -> None:
    """What the worker would do: post every order event to the ledger (again is a no-op)."""
    async with db.session() as session:
        events = list(
            await session.scalars(
                select(OutboxEvent)
                .where(col(OutboxEvent.event_type).in_(HANDLED))
                .order_by(col(OutboxEvent.id))
            )
        )
    for event in events:
        await post_to_ledger(event, context)


async def _stored(db: Database, company_id: int) -> tuple[ClientCompany, list[ClientDue]]:
    async with db.session() as session:
        company = await session.get(ClientCompany, company_id, populate_existing=True)
        assert company is not None
        dues = list(
            await session.scalars(
                select(ClientDue)
                .where(col(ClientDue.company_id) == company_id)
                .order_by(col(ClientDue.due_date))
            )
        )
    return company, dues


async def _recomputed(db: Database, company: ClientCompany, now: datetime) -> Standing:
    async with db.session() as session:
        return await standing_of(session, company, now)


async def _assert_stored_equals_recomputation(db: Database, company_id: int) -> ClientCompany:
    company, dues = await _stored(db, company_id)
    fresh = await _recomputed(db, company, datetime.now(UTC))
    assert company.credit_used == fresh.credit_used
    assert company.overdue_amount == fresh.overdue_amount
    assert {due.due_date: due.amount for due in dues} == fresh.dues
    assert company.next_due_on == fresh.next_due_on
    return company


async def _place(http: GraphQLClient, shop: Shop, key: str, quantity: int, **fields: str) -> str:
    body = await http.as_(shop.client_token).data(
        PLACE_ORDER, {"input": order_input([(shop.variant, quantity)], **fields), "key": key}
    )
    assert body["placeOrder"]["userErrors"] == [], body
    order_id: str = body["placeOrder"]["order"]["id"]
    return order_id


async def test_stored_figures_equal_a_recomputation_after_orders_payments_and_cancellations(
    db: Database, settings: Settings, context: JobContext
) -> None:
    # given a client with credit in USD on net-0 terms (the balance due on confirmation day)
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        await session.execute(
            ClientCompany.__table__.update()  # type: ignore[attr-defined]
            .where(col(ClientCompany.id) == shop.client.id)
            .values(net_days=0, advance_percent=0)
        )
        await make_rate(session, "EUR", "USD", "1.0850")
    assert shop.client.id is not None
    async with graphql_client(settings, db) as http:
        # when it places orders in USD and EUR, staff confirm them, finance records payments,
        # one is cancelled after confirmation and one before, and the ledger posts it all
        usd = await _place(http, shop, "a", 100)  # 100 x 9.00 = 900.00 USD
        await _assert_stored_equals_recomputation(db, shop.client.id)
        eur = await _place(http, shop, "b", 60, currency="EUR")  # 60 x 9.40 EUR
        dropped = await _place(http, shop, "c", 10)
        for order_id in (usd, eur, dropped):
            confirmed = await move(http, shop.sales_token, "confirmOrder", order_id)
            assert confirmed["userErrors"] == []
        await _post_everything(db, context)
        await _assert_stored_equals_recomputation(db, shop.client.id)
        finance = http.as_(shop.finance_token)
        paid = await finance.data(PAY, {"id": usd, "amount": "250.00", "ref": "TT-1"})
        assert paid["recordPayment"]["userErrors"] == []
        await _assert_stored_equals_recomputation(db, shop.client.id)
        await _post_everything(db, context)
        await _assert_stored_equals_recomputation(db, shop.client.id)
        cancelled = await http.as_(shop.sales_token).data(
            CANCEL, {"id": dropped, "reason": "client withdrew"}
        )
        assert cancelled["cancelOrder"]["userErrors"] == []
        await _assert_stored_equals_recomputation(db, shop.client.id)
        unconfirmed = await _place(http, shop, "d", 5)
        await http.as_(shop.sales_token).data(CANCEL, {"id": unconfirmed, "reason": "typo"})
        await _post_everything(db, context)
        company = await _assert_stored_equals_recomputation(db, shop.client.id)

    # then credit used is what the open orders still owe: 900 - 250 + 564.00 EUR at 1.0850
    assert company.credit_used == Decimal("650.00") + Decimal("611.94")
    # and nothing is overdue yet: everything falls due today, overdue from tomorrow on
    today = datetime.now(UTC).date()
    assert company.overdue_amount == 0
    assert company.next_due_on == today
    _, dues = await _stored(db, shop.client.id)
    assert [(due.due_date, due.amount) for due in dues] == [(today, company.credit_used)]


async def test_overdue_is_exact_on_a_later_day_with_nothing_written(
    db: Database, settings: Settings, context: JobContext
) -> None:
    # given a client whose confirmed order falls due today (net 0), posted to the ledger
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        await session.execute(
            ClientCompany.__table__.update()  # type: ignore[attr-defined]
            .where(col(ClientCompany.id) == shop.client.id)
            .values(net_days=0, advance_percent=0)
        )
    assert shop.client.id is not None
    async with graphql_client(settings, db) as http:
        order_id = await _place(http, shop, "a", 100)
        await move(http, shop.sales_token, "confirmOrder", order_id)
    await _post_everything(db, context)
    company, dues = await _stored(db, shop.client.id)
    today = datetime.now(UTC).date()
    tomorrow = today + timedelta(days=1)

    # when time passes to tomorrow, nothing written: the stored figure says 0 overdue
    assert company.overdue_amount == 0
    # then the figure of tomorrow, from the stored dues, is what a recomputation finds then
    later = await _recomputed(db, company, datetime.now(UTC) + timedelta(days=1))
    assert overdue_on(company, dues, tomorrow) == later.overdue_amount == Decimal("900.00")
    assert overdue_on(company, dues, today) == 0
    # and the listing's condition finds it tomorrow at 900, not at 900.01, and not today
    assert await _matching(db, Decimal("900.00"), tomorrow) == [shop.client.id]
    assert await _matching(db, Decimal("900.01"), tomorrow) == []
    assert await _matching(db, Decimal("0.01"), today) == []


async def _matching(db: Database, amount: Decimal, today: date) -> list[int | None]:
    async with db.session() as session:
        found = await session.scalars(
            select(col(ClientCompany.id)).where(overdue_at_least(amount, today))
        )
        return list(found)


CREDIT = """mutation($id: ID!, $v: Int!, $currency: String!) {
  updateClientCredit(id: $id, expectedVersion: $v, creditLimit: "100000", creditCurrency: $currency,
    paymentTerms: {advancePercent: 0, balanceDueOn: INVOICE, netDays: 0}) {
  company { creditUsed { amount currency } overdueAmount { amount currency } }
  userErrors { field code } } }"""


async def test_a_new_credit_currency_restates_the_figures_in_it(
    db: Database, settings: Settings, context: JobContext
) -> None:
    # given a client with credit in USD, an open order of 900.00 USD due today, posted
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        await session.execute(
            ClientCompany.__table__.update()  # type: ignore[attr-defined]
            .where(col(ClientCompany.id) == shop.client.id)
            .values(net_days=0, advance_percent=0)
        )
        await make_rate(session, "USD", "EUR", "0.5")
    assert shop.client.id is not None
    async with graphql_client(settings, db) as http:
        order_id = await _place(http, shop, "a", 100)
        await move(http, shop.sales_token, "confirmOrder", order_id)
        await _post_everything(db, context)
        version = (await _stored(db, shop.client.id))[0].version
        # when finance moves its credit to EUR
        body = await http.as_(shop.finance_token).data(
            CREDIT, {"id": shop.client_id, "v": version, "currency": "EUR"}
        )
    # then the figures are restated in EUR at today's rate, as a recomputation finds them
    assert body["updateClientCredit"]["userErrors"] == []
    assert body["updateClientCredit"]["company"]["creditUsed"] == {
        "amount": "450.00",
        "currency": "EUR",
    }
    company = await _assert_stored_equals_recomputation(db, shop.client.id)
    _, dues = await _stored(db, shop.client.id)
    assert (company.credit_used, [due.amount for due in dues]) == (
        Decimal("450.00"),
        [Decimal("450.00")],
    )
