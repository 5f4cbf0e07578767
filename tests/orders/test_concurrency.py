"""Orders under concurrency, over HTTP against committed data in the committed database.

Stock is reserved by conditional UPDATEs in ascending variant id, placements of one client
are serialised by a lock on its row, and state changes are conditional UPDATEs: so racing
requests never oversell, never deadlock, never pass the credit limit together, never create
two orders for one idempotency key, and never release a reservation twice.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.orders import Order, OrderLine
from models.outbox import OutboxEvent
from tests.callers import make_client_company, token_for
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient, graphql_client
from tests.orders.builders import (
    CANCEL,
    MOVE,
    PLACE,
    Shop,
    events_of,
    make_shop,
    order_input,
    stock_of,
)


async def _client_tokens(database: Database, settings: Settings, count: int) -> list[str]:
    """Users of `count` more client companies, each with ample credit."""
    async with database.transaction() as session:
        tokens = []
        for index in range(count):
            company = await make_client_company(
                session, name=f"Buyer {index}", credit_currency="USD"
            )
            tokens.append(await token_for(session, settings, Role.CLIENT, company=company))
    return tokens


async def _place_all(
    http: GraphQLClient, requests: list[tuple[str, dict[str, Any], str]]
) -> list[Any]:
    bodies = await settled(
        *(
            http.as_(token).post(PLACE, {"input": given, "key": key})
            for token, given, key in requests
        )
    )
    for body in bodies:
        assert "errors" not in body, body["errors"]  # no deadlock, no 500, ever
    return [body["data"]["placeOrder"] for body in bodies]


async def _count_orders(database: Database, shop: Shop) -> int:
    async with database.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OrderLine)
            .where(col(OrderLine.variant_id).in_([shop.variant.id, shop.other_variant.id]))
        )
    return int(count or 0)


@pytest.mark.slow
async def test_fifty_buyers_racing_for_ten_units_never_oversell(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings)
        shop.variant.stock_on_hand = 10
        session.add(shop.variant)
    tokens = [shop.client_token, *await _client_tokens(committed_db, committed_settings, 4)]
    given = order_input([(shop.variant, 1)])
    async with graphql_client(committed_settings, committed_db) as http:
        payloads = await _place_all(
            http, [(tokens[i % len(tokens)], given, f"unit-{i}") for i in range(50)]
        )
    placed = [p for p in payloads if p["userErrors"] == []]
    refused = [p for p in payloads if [e["code"] for e in p["userErrors"]] == ["OUT_OF_STOCK"]]
    assert (len(placed), len(refused)) == (10, 40)
    async with committed_db.session() as session:
        assert await stock_of(session, shop.variant) == (10, 10)
    assert await _count_orders(committed_db, shop) == 10


@pytest.mark.slow
async def test_multi_line_orders_in_opposite_line_orders_never_deadlock(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings)
    tokens = [shop.client_token, *await _client_tokens(committed_db, committed_settings, 9)]
    forwards = order_input([(shop.variant, 2), (shop.other_variant, 3)])
    backwards = order_input([(shop.other_variant, 3), (shop.variant, 2)])
    async with graphql_client(committed_settings, committed_db) as http:
        payloads = await _place_all(
            http,
            [
                (tokens[i % len(tokens)], forwards if i % 2 else backwards, f"two-{i}")
                for i in range(100)
            ],
        )
    assert all(p["userErrors"] == [] for p in payloads)
    async with committed_db.session() as session:
        assert await stock_of(session, shop.variant) == (1_000, 200)
        assert await stock_of(session, shop.other_variant) == (1_000, 300)


async def test_twenty_retries_of_one_key_make_one_order(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings)
    given = order_input([(shop.variant, 7)])
    async with graphql_client(committed_settings, committed_db) as http:
        payloads = await _place_all(http, [(shop.client_token, given, "retry-me")] * 20)
    assert {p["order"]["id"] for p in payloads} == {payloads[0]["order"]["id"]}
    async with committed_db.session() as session:
        assert await stock_of(session, shop.variant) == (1_000, 7)
    assert await _count_orders(committed_db, shop) == 1


async def test_two_orders_racing_past_the_credit_limit_one_wins(
    committed_db: Database, committed_settings: Settings
) -> None:
    # given 1,500 USD of credit and two orders of 1,000 USD each
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings, credit_limit="1500.00")
    given = order_input([(shop.variant, 100), (shop.other_variant, 8)])  # 900 + 100
    async with graphql_client(committed_settings, committed_db) as http:
        payloads = await _place_all(
            http, [(shop.client_token, given, "first"), (shop.client_token, given, "second")]
        )
    codes = sorted(tuple(e["code"] for e in p["userErrors"]) for p in payloads)
    assert codes == [(), ("CREDIT_LIMIT_EXCEEDED",)]
    async with committed_db.session() as session:
        assert await stock_of(session, shop.variant) == (1_000, 100)


@pytest.mark.slow
async def test_a_failure_after_the_lines_are_written_leaves_no_trace(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings)
        marker = shop.variant.sku
        outbox_before = await session.scalar(select(func.count()).select_from(OutboxEvent))
    async with committed_db.transaction() as session:
        await session.execute(text(FAILING_FUNCTION.replace("MARKER", marker)))
        await session.execute(text(FAILING_TRIGGER))
    try:
        async with graphql_client(committed_settings, committed_db) as http:
            body = await http.as_(shop.client_token).post(
                PLACE, {"input": order_input([(shop.variant, 5)]), "key": "doomed"}
            )
    finally:
        async with committed_db.transaction() as session:
            await session.execute(text("DROP TRIGGER test_fail_order_line ON order_lines"))
            await session.execute(text("DROP FUNCTION test_fail_order_line()"))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL_ERROR"]
    async with committed_db.session() as session:
        assert await stock_of(session, shop.variant) == (1_000, 0)
        orders = await session.scalar(
            select(func.count())
            .select_from(Order)
            .where(col(Order.client_company_id) == shop.client.id)
        )
        outbox_after = await session.scalar(select(func.count()).select_from(OutboxEvent))
    assert orders == 0
    assert await _count_orders(committed_db, shop) == 0
    assert outbox_after == outbox_before


FAILING_FUNCTION = """
CREATE FUNCTION test_fail_order_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.sku = 'MARKER' THEN RAISE EXCEPTION 'injected failure'; END IF;
  RETURN NEW;
END $$"""
FAILING_TRIGGER = """
CREATE TRIGGER test_fail_order_line AFTER INSERT ON order_lines
FOR EACH ROW EXECUTE FUNCTION test_fail_order_line()"""


@pytest.mark.slow
async def test_twenty_racing_cancels_and_ships_move_the_order_once(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings)
    async with graphql_client(committed_settings, committed_db) as http:
        placed = await http.as_(shop.client_token).data(
            PLACE, {"input": order_input([(shop.variant, 30)]), "key": "race"}
        )
        order_id = placed["placeOrder"]["order"]["id"]
        sales = http.as_(shop.sales_token)
        await sales.data(MOVE % "confirmOrder", {"id": order_id})
        bodies = await settled(
            *(
                sales.post(CANCEL, {"id": order_id, "reason": f"race {i}"})
                if i % 2
                else sales.post(MOVE % "shipOrder", {"id": order_id})
                for i in range(20)
            )
        )
    assert all("errors" not in body for body in bodies)
    payloads = [next(iter(body["data"].values())) for body in bodies]
    winners = [p for p in payloads if p["userErrors"] == []]
    assert len(winners) == 1
    assert all(
        p["userErrors"][0]["code"] == "ILLEGAL_TRANSITION" for p in payloads if p not in winners
    )
    async with committed_db.session() as session:
        stock = await stock_of(session, shop.variant)
        events = [
            *await events_of(session, "order.cancelled", order_id),
            *await events_of(session, "order.shipped", order_id),
        ]
    # released once (back to 1,000 / 0) or taken off stock on hand once (970 / 0)
    expected = (970, 0) if winners[0]["order"]["status"] == "SHIPPED" else (1_000, 0)
    assert stock == expected
    assert len(events) == 1
