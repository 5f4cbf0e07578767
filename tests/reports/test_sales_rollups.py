"""The monthly sales rollups equal a plain recomputation over the orders, however they are
kept: rebuilt whole, from a month on, or order by order as events arrive (in any order,
twice over)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from core.db import Database
from core.settings import Settings
from models.orders import Order, OrderStatus
from resolvers.reports.sales_rollups import rebuild_sales, sync_order_sales
from tests.reports.books import add_rate, make_book, recomputed, stored


@pytest.fixture
def kolkata(settings: Settings) -> Settings:
    """Months counted in India, reported in USD and EUR."""
    return settings.model_copy(
        update={"reporting_timezone": "Asia/Kolkata", "reporting_currencies": "USD,EUR"}
    )


async def test_a_rebuild_counts_every_order_not_cancelled_at_its_placement_rate(
    db: Database, kolkata: Settings
) -> None:
    async with db.transaction() as session:
        # given a book of orders in three currencies over three months
        await make_book(session)
        # when the rollups are rebuilt
        months = await rebuild_sales(session, None, settings=kolkata)
        # then every month of the book was rebuilt, in India's calendar
        assert months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
        # and the rollups are exactly what a line-by-line recomputation finds
        expected_sales, expected_unconverted = await recomputed(session, kolkata)
        assert await stored(session) == (expected_sales, expected_unconverted)


async def test_the_book_lands_where_the_rules_say(db: Database, kolkata: Settings) -> None:
    async with db.transaction() as session:
        book = await make_book(session)
        await rebuild_sales(session, None, settings=kolkata)
        sales, unconverted = await stored(session)
    february = date(2026, 2, 1)
    # the order placed on 31 January at 20:00 UTC is February's in India, and goes to its
    # client's country (it named none)
    assert sales[(february, "EUR", "country", "IN")][:3] == (1, 50, Decimal("388.8900"))
    # its line costed in INR, which has no rate, is a line without cost, as is the sheet
    # line of 20 February that has no cost at all
    assert sales[(february, "EUR", "product", str(book.sheet.product_id))][5:] == (
        Decimal("388.8900") + Decimal("266.6600"),
        2,
    )
    # the JPY order is named apart, in yen, for both reporting currencies
    march = date(2026, 3, 1)
    assert unconverted == {
        (march, "USD", "JPY"): (1, Decimal("650000.0000")),
        (march, "EUR", "JPY"): (1, Decimal("650000.0000")),
    }
    # the cancelled order is nowhere
    assert (march, "USD", "client", str(book.hamburg.id)) not in sales


async def test_events_keep_the_rollups_equal_in_any_order_and_delivered_twice(
    db: Database, kolkata: Settings
) -> None:
    async with db.transaction() as session:
        book = await make_book(session)
        cancelled_first = book.orders[1]
        await _cancel(session, cancelled_first)
        # when each order's events are handled, every one twice, a cancellation before
        # its placement included
        for order in book.orders:
            assert order.id is not None
            await sync_order_sales(session, order.id, settings=kolkata)
            await sync_order_sales(session, order.id, settings=kolkata)
        # then the rollups equal the recomputation
        assert await stored(session) == await recomputed(session, kolkata)
        # when an order counted is cancelled and its event handled (twice)
        placed = book.orders[0]
        assert placed.id is not None
        await _cancel(session, placed)
        await sync_order_sales(session, placed.id, settings=kolkata)
        await sync_order_sales(session, placed.id, settings=kolkata)
        # then it is taken out again, exactly
        assert await stored(session) == await recomputed(session, kolkata)


async def test_a_rebuild_from_a_month_keeps_the_months_before_it(
    db: Database, kolkata: Settings
) -> None:
    async with db.transaction() as session:
        book = await make_book(session)
        for order in book.orders:
            assert order.id is not None
            await sync_order_sales(session, order.id, settings=kolkata)
        # when March is rebuilt after a rate that changes March's conversions
        await add_rate(session, "USD", "EUR", "0.9000000000", datetime(2026, 3, 3, tzinfo=UTC))
        months = await rebuild_sales(session, date(2026, 3, 1), settings=kolkata)
        # then only March was recomputed, and every month equals the recomputation
        assert months == [date(2026, 3, 1)]
        assert await stored(session) == await recomputed(session, kolkata)
        # and orders placed later still count once when their events arrive
        for order in book.orders:
            assert order.id is not None
            await sync_order_sales(session, order.id, settings=kolkata)
        assert await stored(session) == await recomputed(session, kolkata)


async def _cancel(session: AsyncSession, order: Order) -> None:
    await session.execute(
        update(Order).where(col(Order.id) == order.id).values(status=OrderStatus.CANCELLED)
    )


async def test_the_same_sql_keeps_the_rollups_on_either_database(
    any_db: Database, kolkata: Settings
) -> None:
    async with any_db.transaction() as session:
        # given the book, each order synced as its events would
        book = await make_book(session)
        for order in book.orders:
            assert order.id is not None
            await sync_order_sales(session, order.id, settings=kolkata)
        # then the rollups equal the recomputation, and a rebuild changes nothing
        expected = await recomputed(session, kolkata)
        assert await stored(session) == expected
        await rebuild_sales(session, None, settings=kolkata)
        assert await stored(session) == expected
