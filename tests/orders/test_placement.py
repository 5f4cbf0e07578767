"""Placing orders over HTTP: server-side prices, MOQ, credit, idempotency, who may place."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select

from core.db import Database
from core.event_types import ORDER_PLACED
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.orders import Order, OrderLine
from tests.callers import token_for
from tests.graphql_client import graphql_client
from tests.orders.builders import (
    PLACE,
    deactivate,
    events_of,
    gid,
    make_rate,
    make_shop,
    order_input,
    stock_of,
)


async def test_a_client_places_an_order_priced_from_the_tiers(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as anyone:
        client = anyone.as_(shop.client_token)
        # when the client orders 99, 100 and 500 units: each tier's boundary
        results = [
            (await client.data(PLACE, {"input": order_input([(shop.variant, q)]), "key": f"k{q}"}))[
                "placeOrder"
            ]
            for q in (99, 100, 500)
        ]
    # then each line is priced from the highest tier not above its quantity
    assert [r["userErrors"] for r in results] == [[], [], []]
    prices = [r["order"]["lines"][0]["unitPrice"]["amount"] for r in results]
    assert [Decimal(p) for p in prices] == [Decimal("10.00"), Decimal("9.00"), Decimal("8.25")]
    assert [r["order"]["total"] for r in results] == [
        {"amount": "990.00", "currency": "USD"},
        {"amount": "900.00", "currency": "USD"},
        {"amount": "4125.00", "currency": "USD"},
    ]
    assert results[0]["order"]["status"] == "PLACED"
    async with db.session() as session:
        # and stock is reserved, the event emitted and the placement audited
        assert await stock_of(session, shop.variant) == (1_000, 99 + 100 + 500)
        order_id = results[0]["order"]["id"]
        events = await events_of(session, ORDER_PLACED, order_id)
        audited = await session.scalar(
            select(func.count()).where(col(AuditEntry.action) == "order.place")
        )
    assert events == [
        {
            "order_id": order_id,
            "number": results[0]["order"]["number"],
            "client_company_id": shop.client_id,
            "status": "placed",
            "previous_status": None,
            "currency": "USD",
            "total": "990.00",
        }
    ]
    assert audited == 3


async def test_an_order_mixing_lines_sums_their_rounded_totals(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    lines = [(shop.other_variant, 3), (shop.variant, 2)]
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(shop.client_token).data(
            PLACE, {"input": order_input(lines, note="Pack in 50 m rolls"), "key": "mix"}
        )
    order = body["placeOrder"]["order"]
    assert [line["sku"] for line in order["lines"]] == [
        shop.other_variant.sku,
        shop.variant.sku,
    ]
    assert order["total"]["amount"] == "57.50"


async def test_refusals_name_the_line_at_fault_and_change_nothing(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings, moq=50)
    cases = {
        # below the product's MOQ of 50, summed over its lines
        "moq": (
            order_input([(shop.variant, 20), (shop.other_variant, 20)]),
            [(["input", "lines", "0", "quantity"], "BELOW_MOQ")],
        ),
        # no tier in that currency / quantity below every tier in it
        "no price": (
            order_input([(shop.other_variant, 60)], currency="EUR"),
            [(["input", "lines", "0", "variantId"], "NO_PRICE")],
        ),
        "below tier": (
            order_input([(shop.variant, 49), (shop.other_variant, 1)], currency="EUR"),
            [
                (["input", "lines", "0", "quantity"], "BELOW_PRICE_TIER"),
                (["input", "lines", "1", "variantId"], "NO_PRICE"),
            ],
        ),
        "duplicate": (
            order_input([(shop.variant, 60), (shop.variant, 1)]),
            [(["input", "lines", "1", "variantId"], "DUPLICATE_ITEM")],
        ),
        "quantity": (
            order_input([(shop.variant, 0)]),
            [(["input", "lines", "0", "quantity"], "OUT_OF_RANGE")],
        ),
        "address": (
            order_input([(shop.variant, 60)], shippingAddress={**ADDRESS_NO_CITY}),
            [(["input", "shippingAddress", "city"], "REQUIRED")],
        ),
        "currency": (
            order_input([(shop.variant, 60)], currency="XYZ"),
            [(["input", "currency"], "INVALID_CURRENCY")],
        ),
        "no fx rate": (
            order_input([(shop.variant, 60)], currency="EUR"),
            [(["input", "currency"], "NO_FX_RATE")],
        ),
        "out of stock": (
            order_input([(shop.variant, 1_001)]),
            [(["input", "lines", "0", "quantity"], "OUT_OF_STOCK")],
        ),
        "unknown variant": (
            {**order_input([]), "lines": [{"variantId": gid("Variant", 999_999), "quantity": 60}]},
            [(["input", "lines", "0", "variantId"], "NOT_FOUND")],
        ),
        "no lines": (order_input([]), [(["input", "lines"], "NO_ITEMS")]),
    }
    async with graphql_client(settings, db) as anyone:
        client = anyone.as_(shop.client_token)
        for name, (given, expected) in cases.items():
            body = await client.data(PLACE, {"input": given, "key": name})
            payload = body["placeOrder"]
            assert payload["order"] is None, name
            assert [(e["field"], e["code"]) for e in payload["userErrors"]] == expected, name
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 0
        assert await session.scalar(select(func.count()).select_from(OrderLine)) == 0
        assert await stock_of(session, shop.variant) == (1_000, 0)


ADDRESS_NO_CITY = {"name": "Hanse", "line1": "Am Sandtorkai 1", "city": " ", "country": "DE"}


async def test_an_inactive_product_cannot_be_ordered(db: Database, settings: Settings) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        await deactivate(session, shop.product)
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(shop.client_token).data(
            PLACE, {"input": order_input([(shop.variant, 5)]), "key": "k"}
        )
    errors = body["placeOrder"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["input", "lines", "0", "variantId"], "PRODUCT_NOT_ACTIVE")
    ]


async def test_credit_counts_earlier_orders_at_their_stored_rate(
    db: Database, settings: Settings
) -> None:
    # given a client with 10,000 EUR of credit and an order placed at 0.90 EUR per USD
    async with db.transaction() as session:
        shop = await make_shop(session, settings, credit_limit="10000.00", credit_currency="EUR")
        first_rate = await make_rate(session, "USD", "EUR", "0.90")
    async with graphql_client(settings, db) as anyone:
        client = anyone.as_(shop.client_token)
        first = await client.data(
            PLACE, {"input": order_input([(shop.variant, 1_000)]), "key": "a"}
        )
        assert first["placeOrder"]["userErrors"] == []  # 8,250 USD = 7,425 EUR
        # when the rate moves to 0.50 EUR per USD (a newer row)
        async with db.transaction() as session:
            await make_rate(session, "USD", "EUR", "0.50")
        # then the earlier order still counts 7,425 EUR: 5,162.50 USD more (2,581.25 EUR)
        # is over the limit, 5,150 USD (2,575 EUR) fills it exactly
        over = await client.data(
            PLACE, {"input": order_input([(shop.other_variant, 413)]), "key": "b"}
        )
        within = await client.data(
            PLACE, {"input": order_input([(shop.other_variant, 412)]), "key": "c"}
        )
    assert [e["code"] for e in over["placeOrder"]["userErrors"]] == ["CREDIT_LIMIT_EXCEEDED"]
    assert within["placeOrder"]["userErrors"] == []
    async with db.session() as session:
        stored = list(await session.scalars(select(Order).order_by(col(Order.id))))
    assert [(o.credit_currency, o.fx_rate) for o in stored] == [
        ("EUR", Decimal("0.9000000000")),
        ("EUR", Decimal("0.5000000000")),
    ]
    assert stored[0].fx_rate_id == first_rate.id


async def test_a_retry_with_the_same_key_returns_the_same_order(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    given = order_input([(shop.variant, 10)])
    async with graphql_client(settings, db) as anyone:
        client = anyone.as_(shop.client_token)
        first = await client.data(PLACE, {"input": given, "key": "same"})
        again = await client.data(PLACE, {"input": given, "key": "same"})
        other = await client.data(
            PLACE, {"input": order_input([(shop.variant, 11)]), "key": "same"}
        )
    assert again == first
    assert other["placeOrder"] == {
        "order": None,
        "userErrors": [
            {
                "field": ["idempotencyKey"],
                "code": "IDEMPOTENCY_KEY_REUSED",
                "message": "this key was used for a different order; use a new key for a new order",
            }
        ],
    }
    async with db.session() as session:
        assert await stock_of(session, shop.variant) == (1_000, 10)
        assert await session.scalar(select(func.count()).select_from(Order)) == 1


async def test_who_may_place_an_order(db: Database, settings: Settings) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        support = await token_for(session, settings, Role.SUPPORT)
    given = order_input([(shop.variant, 10)])
    async with graphql_client(settings, db) as anyone:
        # staff holding orders:write name the client; client users must not
        staff = await anyone.as_(shop.sales_token).data(
            PLACE, {"input": {**given, "clientCompanyId": shop.client_id}, "key": "s"}
        )
        staff_without = await anyone.as_(shop.sales_token).data(
            PLACE, {"input": given, "key": "s2"}
        )
        client_naming = await anyone.as_(shop.client_token).data(
            PLACE, {"input": {**given, "clientCompanyId": shop.client_id}, "key": "c"}
        )
        refused = [
            await anyone.as_(token).post(PLACE, {"input": given, "key": "x"})
            for token in (None, support)
        ]
    assert staff["placeOrder"]["userErrors"] == []
    assert [e["code"] for e in staff_without["placeOrder"]["userErrors"]] == ["REQUIRED"]
    assert [e["code"] for e in client_naming["placeOrder"]["userErrors"]] == ["NOT_ALLOWED"]
    for body in refused:
        assert body["data"] == {"placeOrder": None}
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
