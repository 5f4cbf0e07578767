"""The sales figures the home screen shows: one local day's, from the orders, and one
month's, from the rollups, by the same conversion rule as the reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from admin_queries.reports.sales import PeriodSales, sales_of_day, sales_of_month
from core.db import Database
from core.errors import BadUserInput
from core.settings import Settings
from models.accounts import Role
from models.money import round_money
from resolvers.context import Context
from resolvers.reports.sales_rollups import rebuild_sales
from tests.callers import context_for, principal_of, token_for
from tests.reports.books import make_book, recomputed


@pytest.fixture
def kolkata(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"reporting_timezone": "Asia/Kolkata", "reporting_currencies": "USD,EUR"}
    )


async def _finance(db: Database, settings: Settings) -> Context:
    async with db.transaction() as session:
        await make_book(session)
        await rebuild_sales(session, None, settings=settings)
        token = await token_for(session, settings, Role.FINANCE)
    return context_for(db, settings, await principal_of(db, settings, token))


async def test_a_day_is_counted_in_the_reporting_time_zone(db: Database, kolkata: Settings) -> None:
    ctx = await _finance(db, kolkata)
    # the EUR order placed at 20:00 UTC on 31 January is India's 1 February; in USD at the
    # EUR rate then (1.1): 388.89 x 1.1 = 427.779
    assert await sales_of_day(ctx, "usd", date(2026, 2, 1)) == PeriodSales(1, Decimal("427.78"), 0)
    assert await sales_of_day(ctx, "USD", date(2026, 1, 31)) == PeriodSales(0, Decimal("0.00"), 0)
    # the yen order of 2 March has no rate: counted apart
    assert await sales_of_day(ctx, "EUR", date(2026, 3, 2)) == PeriodSales(0, Decimal("0.00"), 1)


async def test_a_month_is_the_rollups_total(db: Database, kolkata: Settings) -> None:
    ctx = await _finance(db, kolkata)
    async with db.transaction() as session:
        expected, _ = await recomputed(session, kolkata)
    february = expected[(date(2026, 2, 1), "EUR", "total", "")]
    month = await sales_of_month(ctx, "EUR", date(2026, 2, 1))
    assert month == PeriodSales(february[0], round_money(february[2], "EUR"), 0)
    # the yen order of 2 March is counted apart in its month
    march = await sales_of_month(ctx, "EUR", date(2026, 3, 1))
    assert march.unconverted_orders == 1


async def test_a_currency_not_reported_in_is_refused(db: Database, kolkata: Settings) -> None:
    ctx = await _finance(db, kolkata)
    with pytest.raises(BadUserInput) as refused:
        await sales_of_day(ctx, "GBP", date(2026, 2, 1))
    assert refused.value.argument == "currency"
