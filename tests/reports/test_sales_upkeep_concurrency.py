"""Workers racing on the rollups, with real commits: the same event handled twice at once,
different orders' events at once (they share a month's rows), and a rebuild among them."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from core.db import Database
from core.settings import Settings
from models.orders import Order, OrderStatus
from resolvers.reports.sales_rollups import rebuild_sales, sync_order_sales
from tests.concurrently import settled
from tests.reports.books import make_book, recomputed, stored


async def _sync(database: Database, order_id: int, settings: Settings) -> None:
    async with database.transaction() as session:
        await sync_order_sales(session, order_id, settings=settings)


async def _rebuild(database: Database, settings: Settings) -> None:
    async with database.transaction() as session:
        await rebuild_sales(session, None, settings=settings)


async def test_racing_upkeep_counts_every_order_once(
    committed_db: Database, committed_settings: Settings
) -> None:
    # given a book committed, none of it counted yet
    async with committed_db.transaction() as session:
        book = await make_book(session)
    ids = [order.id for order in book.orders if order.id is not None]
    # when every order's event is handled twice, all at once, with a rebuild among them
    await settled(
        *(_sync(committed_db, pk, committed_settings) for pk in ids for _ in range(2)),
        _rebuild(committed_db, committed_settings),
    )
    # then each order is counted once
    async with committed_db.transaction() as session:
        assert await stored(session) == await recomputed(session, committed_settings)
    # when two orders are cancelled and their events race with each other's redelivery
    async with committed_db.transaction() as session:
        await session.execute(
            update(Order).where(col(Order.id).in_(ids[:2])).values(status=OrderStatus.CANCELLED)
        )
    await settled(
        *(_sync(committed_db, pk, committed_settings) for pk in ids[:2] for _ in range(3))
    )
    # then both are taken out once
    async with committed_db.transaction() as session:
        assert await stored(session) == await recomputed(session, committed_settings)
