"""Orders, cancellations and shipments write the stock ledger, and stock.changed coalesces.

Every stock change goes through resolvers/catalog/stock.py: the ledger explains the stored
figures row by row, each row points at its order and its actor, and a burst of changes to a
variant sends one stock.changed with the figures after the last of them.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col, select

from core.db import Database
from core.event_types import STOCK_CHANGED
from core.global_id import decode_global_id
from core.settings import Settings
from models.accounts import Role
from models.outbox import OutboxEvent
from tests.callers import token_for
from tests.catalog.stock_support import RECEIVE, assert_ledger_explains
from tests.graphql_client import graphql_client
from tests.orders.builders import CANCEL, gid, make_shop, move, place_one

ROOT = Path(__file__).resolve().parents[2]
# A long window: the whole test falls in one (a crossing would split it in two, once a year).
ONE_WINDOW = 3_600


async def _stock_events(database: Database) -> list[OutboxEvent]:
    async with database.session() as session:
        rows = await session.scalars(
            select(OutboxEvent)
            .where(col(OutboxEvent.event_type) == STOCK_CHANGED)
            .order_by(col(OutboxEvent.id))
        )
        return list(rows)


async def test_orders_cancellations_and_shipments_write_the_ledger(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        cancelled = await place_one(http, shop, "to-cancel", quantity=10)
        shipped = await place_one(http, shop, "to-ship", quantity=25)
        await http.as_(shop.sales_token).data(CANCEL, {"id": cancelled, "reason": "by phone"})
        await move(http, shop.sales_token, "confirmOrder", shipped)
        await move(http, shop.sales_token, "shipOrder", shipped)
    async with db.session() as session:
        rows = await assert_ledger_explains(
            session, shop.variant, on_hand_before=1_000, reserved_before=0
        )
    cancelled_pk = decode_global_id(cancelled, argument="id")[1]
    shipped_pk = decode_global_id(shipped, argument="id")[1]
    assert [
        (row.kind, row.on_hand_change, row.reserved_change, row.order_id, row.reason)
        for row in rows
    ] == [
        ("reserved", 0, 10, cancelled_pk, ""),
        ("reserved", 0, 25, shipped_pk, ""),
        ("released", 0, -10, cancelled_pk, "by phone"),
        ("shipped", -25, -25, shipped_pk, ""),
    ]
    assert rows[-1].on_hand_after == 975
    assert all(row.actor_user_id is not None and row.request_id for row in rows)


async def test_a_burst_of_orders_sends_one_event_with_the_last_figures(
    db: Database, settings: Settings
) -> None:
    coalescing = settings.model_copy(update={"stock_event_window_seconds": ONE_WINDOW})
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(coalescing, db) as http:
        for index in range(5):
            await place_one(http, shop, f"burst-{index}", quantity=10)
    (event,) = await _stock_events(db)
    assert event.payload["variant_id"] == gid("Variant", shop.variant.id)
    assert (event.payload["stock_reserved"], event.payload["available"]) == (50, 950)
    assert event.available_at > event.created_at  # type: ignore[operator]


async def test_a_change_after_a_worker_took_the_event_goes_into_the_next_one(
    db: Database, settings: Settings
) -> None:
    coalescing = settings.model_copy(update={"stock_event_window_seconds": ONE_WINDOW})
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(coalescing, db) as http:
        await place_one(http, shop, "first", quantity=10)
        async with db.transaction() as session:
            await session.execute(
                update(OutboxEvent)
                .where(col(OutboxEvent.event_type) == STOCK_CHANGED)
                .values(lease_owner="worker-1")
            )
        await place_one(http, shop, "second", quantity=5)
        await place_one(http, shop, "third", quantity=1)
    first, later = await _stock_events(db)
    assert first.payload["stock_reserved"] == 10  # what the worker read stays as it was
    assert later.payload["stock_reserved"] == 16  # nothing after it is lost
    assert later.available_at > first.available_at


async def test_stock_events_of_two_variants_are_not_merged(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        token = await token_for(session, settings, Role.CATALOG_MANAGER)
    async with graphql_client(settings, db) as http:
        await place_one(http, shop, "one", quantity=10)
        await http.as_(token).post(
            RECEIVE, {"variant": gid("Variant", shop.other_variant.id), "quantity": 1}
        )
    events = await _stock_events(db)
    assert sorted(event.payload["sku"] for event in events) == sorted(
        [shop.variant.sku, shop.other_variant.sku]
    )


STOCK_WRITE = re.compile(
    r"\.values\(\s*stock_(on_hand|reserved)\s*=|UPDATE\s+variants\s+SET\s+stock", re.IGNORECASE
)


def test_only_the_stock_module_changes_stock() -> None:
    """Any other UPDATE of the stock columns would change stock without a ledger row."""
    writers = [
        str(path.relative_to(ROOT))
        for folder in ("resolvers", "admin_queries", "schema", "jobs", "app", "core")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if STOCK_WRITE.search(path.read_text(encoding="utf-8"))
    ]
    # The demo order book's seeder writes stock in bulk beside the ledger rows it writes for
    # it; tests/app/test_order_book_seed.py checks that the two agree.
    assert sorted(writers) == ["app/demo_orders/stock.py", "resolvers/catalog/stock.py"]
