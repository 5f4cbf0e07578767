"""The credit standing under concurrency: placements, payments, cancellations and ledger
postings of one client racing over HTTP and the worker's handler, against committed data,
leave the figures on its row equal to a recomputation (each refresh waits for the company's
lock, then reads what the others committed), with no deadlock and no error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from app.worker_main import job_context
from core.db import Database
from core.settings import Settings
from jobs.context import JobContext
from jobs.ledger import HANDLED, post_to_ledger
from models.clients import ClientCompany, ClientDue
from models.outbox import OutboxEvent
from resolvers.orders.standing import standing_of
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient, graphql_client
from tests.orders.builders import CANCEL, PAY, PLACE, Shop, make_shop, move, order_input


@pytest.fixture
async def context(
    committed_settings: Settings, committed_db: Database
) -> AsyncIterator[JobContext]:
    async with job_context(committed_settings, committed_db) as context:
        yield context


async def _placed(http: GraphQLClient, shop: Shop, key: str) -> str:
    body = await http.as_(shop.client_token).post(
        PLACE, {"input": order_input([(shop.variant, 10)]), "key": key}
    )
    assert "errors" not in body, body
    order_id: str = body["data"]["placeOrder"]["order"]["id"]
    return order_id


async def _post_all(db: Database, context: JobContext) -> None:
    async with db.session() as session:
        events = list(
            await session.scalars(
                select(OutboxEvent)
                .where(col(OutboxEvent.event_type).in_(HANDLED))
                .order_by(col(OutboxEvent.id))
            )
        )
    await settled(*(post_to_ledger(event, context) for event in events))


@pytest.mark.slow
async def test_racing_changes_of_one_client_leave_its_figures_equal_to_a_recomputation(
    committed_db: Database, committed_settings: Settings, context: JobContext
) -> None:
    # given a client with six confirmed orders, posted to the ledger
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings)
    async with graphql_client(committed_settings, committed_db) as http:
        orders = [await _placed(http, shop, f"o{index}") for index in range(6)]
        for order_id in orders:
            await move(http, shop.sales_token, "confirmOrder", order_id)
        await _post_all(committed_db, context)
        finance = http.as_(shop.finance_token)
        sales = http.as_(shop.sales_token)
        # when payments, cancellations, new placements and ledger postings race
        bodies = await settled(
            *(
                finance.post(PAY, {"id": order_id, "amount": "40.00", "ref": f"r{i}"})
                for i, order_id in enumerate(orders[:3])
            ),
            *(sales.post(CANCEL, {"id": order_id, "reason": "race"}) for order_id in orders[3:]),
            *(
                http.as_(shop.client_token).post(
                    PLACE, {"input": order_input([(shop.variant, 5)]), "key": f"n{i}"}
                )
                for i in range(4)
            ),
            _post_all(committed_db, context),
        )
        for body in bodies[:-1]:
            assert body is not None
            assert "errors" not in body, body
            assert all(not payload["userErrors"] for payload in body["data"].values()), body
        await _post_all(committed_db, context)

    # then the stored figures are what a recomputation finds
    assert shop.client.id is not None
    async with committed_db.session() as session:
        company = await session.get(ClientCompany, shop.client.id, populate_existing=True)
        assert company is not None
        dues = {
            due.due_date: due.amount
            for due in await session.scalars(
                select(ClientDue).where(col(ClientDue.company_id) == shop.client.id)
            )
        }
        fresh = await standing_of(session, company, datetime.now(UTC))
    assert company.credit_used == fresh.credit_used
    assert (company.overdue_amount, dues) == (fresh.overdue_amount, fresh.dues)
    # 3 orders of 100.00 less 40.00 paid each, 3 cancelled, 4 new of 50.00
    assert company.credit_used == 3 * 60 + 4 * 50
