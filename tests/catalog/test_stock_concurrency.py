"""Stock under racing writers, over HTTP against committed data, through at most 8 connections.

Each change is one conditional UPDATE adding to what the row holds when it gets the lock, and
its ledger row is written while that lock is held: so racing orders and adjustments all
count, none is lost, and the ledger, in id order, explains the stored figures exactly.
"""

from __future__ import annotations

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from tests.callers import token_for
from tests.catalog.stock_support import ADJUST, RECEIVE, assert_ledger_explains, ledger_of
from tests.concurrently import settled
from tests.conftest import COMMITTED_POOL_SIZE
from tests.graphql_client import graphql_client
from tests.orders.builders import PLACE, gid, make_shop, order_input

CHANGES = [7, -3, 12, -5, 1, -2, 9, -4, 3, -6]  # adjustments racing ten orders


async def test_twenty_racing_adjustments_and_orders_end_at_the_exact_sum(
    committed_db: Database, committed_settings: Settings
) -> None:
    assert COMMITTED_POOL_SIZE * 2 <= 8  # pool and overflow: at most 8 connections
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings)
        manager = await token_for(session, committed_settings, Role.CATALOG_MANAGER)
    variant = gid("Variant", shop.variant.id)
    async with graphql_client(committed_settings, committed_db) as http:
        orders = [
            http.as_(shop.client_token).post(
                PLACE, {"input": order_input([(shop.variant, 10 + i)]), "key": f"race-{i}"}
            )
            for i in range(10)
        ]
        adjustments = [
            http.as_(manager).post(
                ADJUST,
                {"variant": variant, "adjustment": {"change": change}, "reason": f"count {i}"},
            )
            for i, change in enumerate(CHANGES)
        ]
        racing = [call for pair in zip(orders, adjustments, strict=True) for call in pair]
        bodies = await settled(*racing)
    for body in bodies:
        assert "errors" not in body, body["errors"]
        (payload,) = body["data"].values()
        assert payload["userErrors"] == []
    async with committed_db.session() as session:
        rows = await assert_ledger_explains(
            session, shop.variant, on_hand_before=1_000, reserved_before=0
        )
    assert len(rows) == 20
    assert rows[-1].on_hand_after == 1_000 + sum(CHANGES)
    assert rows[-1].reserved_after == sum(10 + i for i in range(10))


async def test_a_receipt_retried_concurrently_counts_once(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings)
        manager = await token_for(session, committed_settings, Role.CATALOG_MANAGER)
    given = {"variant": gid("Variant", shop.variant.id), "quantity": 120, "key": "asn-77"}
    async with graphql_client(committed_settings, committed_db) as http:
        bodies = await settled(*(http.as_(manager).post(RECEIVE, given) for _ in range(10)))
    movements = {body["data"]["receiveStock"]["movement"]["id"] for body in bodies}
    assert len(movements) == 1
    async with committed_db.session() as session:
        await assert_ledger_explains(session, shop.variant, on_hand_before=1_000, reserved_before=0)
        (row,) = await ledger_of(session, shop.variant.id)
    assert row.on_hand_after == 1_120
