"""From the mutations to the report: placing an order snapshots its cost and, once the
outbox has run, counts it at the rate of its placement; a later rate changes nothing, a
backdated one changes it once its rebuild has run; cancelling takes it out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from app.worker_main import job_context
from core import event_types
from core.db import Database
from core.settings import Settings
from jobs.context import JobContext
from jobs.registry import HandlerFunction
from jobs.reports import rebuild_after_rates, sync_order
from models.orders import OrderLine
from models.outbox import OutboxEvent
from models.reports import OrderSalesMark
from resolvers.reports.periods import month_of, month_text
from tests.graphql_client import GraphQLClient
from tests.orders.builders import CANCEL, Shop, make_rate, make_shop, place_one

SET_RATES = """mutation($rates: [ExchangeRateInput!]!) { setExchangeRates(rates: $rates) {
  userErrors { field code } } }"""
REPORTS = """query($currency: String!, $month: String!) {
  salesReport(currency: $currency, fromMonth: $month, toMonth: $month, by: PRODUCT) {
    rows { orderCount quantity amount } total { orderCount amount } }
  marginReport(currency: $currency, fromMonth: $month, toMonth: $month, by: PRODUCT) {
    total { costedRevenue cost margin marginPercent } } }"""


@pytest.fixture
async def context(settings: Settings, db: Database) -> AsyncIterator[JobContext]:
    async with job_context(settings, db) as context:
        yield context


async def _run(db: Database, context: JobContext, handler: HandlerFunction, *types: str) -> int:
    """Deliver every event of `types` emitted so far to `handler`; how many there were."""
    async with db.transaction() as session:
        events = list(
            await session.scalars(
                select(OutboxEvent)
                .where(col(OutboxEvent.event_type).in_(types))
                .order_by(col(OutboxEvent.id))
            )
        )
    for event in events:
        await handler(event, context)
    return len(events)


async def _shop(db: Database, settings: Settings) -> Shop:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        await make_rate(session, "EUR", "USD", "1.25")  # since yesterday: 1 USD = 0.8 EUR
    return shop


async def _reports(http: GraphQLClient, shop: Shop, settings: Settings) -> dict[str, Any]:
    month = month_text(month_of(datetime.now(UTC), settings.reporting_zone))
    return await http.as_(shop.finance_token).data(REPORTS, {"currency": "EUR", "month": month})


async def test_a_placed_order_counts_at_its_placement_rate_and_keeps_its_cost(
    client: GraphQLClient, db: Database, settings: Settings, context: JobContext
) -> None:
    shop = await _shop(db, settings)
    # given an order of 10 units at 10.00 USD, the variant costing 4.00 USD
    await place_one(client, shop, "k-1", quantity=10)
    # then its line keeps the cost the variant had
    async with db.transaction() as session:
        line = (await session.scalars(select(OrderLine))).one()
    assert (line.unit_cost, line.cost_currency) == (Decimal("4.0000"), "USD")
    # and nothing is counted before the outbox has run
    assert (await _reports(client, shop, settings))["salesReport"]["total"] == {
        "orderCount": 0,
        "amount": "0.00",
    }

    # when the placement event is handled, twice
    assert await _run(db, context, sync_order, event_types.ORDER_PLACED) == 1
    await _run(db, context, sync_order, event_types.ORDER_PLACED)
    # then it counts once, converted at the inverse of the EUR rate: 100 USD = 80 EUR
    reports = await _reports(client, shop, settings)
    assert reports["salesReport"]["rows"] == [
        {"orderCount": 1, "quantity": "10", "amount": "80.00"}
    ]
    assert reports["marginReport"]["total"] == {
        "costedRevenue": "80.00",
        "cost": "32.00",
        "margin": "48.00",
        "marginPercent": "60.00",
    }

    # when finance records a newer rate, effective now (after the order was placed)
    rates = [{"base": "EUR", "quote": "USD", "rate": "2.00"}]
    await client.as_(shop.finance_token).data(SET_RATES, {"rates": rates})
    # then nothing needs rebuilding and the figures stand
    assert await _run(db, context, rebuild_after_rates, event_types.FX_RATES_BACKDATED) == 0
    assert (await _reports(client, shop, settings))["salesReport"]["total"]["amount"] == "80.00"

    # when finance records a rate that took effect before the order was placed
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    backdated = [{"base": "EUR", "quote": "USD", "rate": "1.60", "effectiveAt": an_hour_ago}]
    await client.as_(shop.finance_token).data(SET_RATES, {"rates": backdated})
    # then the figures change once its rebuild has run: 100 USD at 1/1.6 = 62.50 EUR
    assert (await _reports(client, shop, settings))["salesReport"]["total"]["amount"] == "80.00"
    assert await _run(db, context, rebuild_after_rates, event_types.FX_RATES_BACKDATED) == 1
    reports = await _reports(client, shop, settings)
    assert reports["salesReport"]["total"] == {"orderCount": 1, "amount": "62.50"}
    assert reports["marginReport"]["total"]["cost"] == "25.00"


async def test_a_cancelled_order_leaves_the_report_whenever_its_events_arrive(
    client: GraphQLClient, db: Database, settings: Settings, context: JobContext
) -> None:
    shop = await _shop(db, settings)
    kept = await place_one(client, shop, "k-1", quantity=10)
    cancelled = await place_one(client, shop, "k-2", quantity=20)
    # given the second order is cancelled before any event was handled
    body = await client.as_(shop.sales_token).data(CANCEL, {"id": cancelled, "reason": "duplicate"})
    assert body["cancelOrder"]["order"]["status"] == "CANCELLED"
    # when the cancellations are handled first, then the placements, then all again
    for _ in range(2):
        await _run(db, context, sync_order, event_types.ORDER_CANCELLED)
        await _run(db, context, sync_order, event_types.ORDER_PLACED)
    # then only the order kept is counted
    assert (await _reports(client, shop, settings))["salesReport"]["total"] == {
        "orderCount": 1,
        "amount": "80.00",
    }
    # when it is cancelled too, and the event handled
    await client.as_(shop.sales_token).data(CANCEL, {"id": kept, "reason": "changed mind"})
    await _run(db, context, sync_order, event_types.ORDER_CANCELLED)
    # then nothing is counted, and both orders are marked as not counted
    assert (await _reports(client, shop, settings))["salesReport"]["total"] == {
        "orderCount": 0,
        "amount": "0.00",
    }
    async with db.transaction() as session:
        marks = list(await session.scalars(select(col(OrderSalesMark.counted))))
    assert marks == [False, False]
