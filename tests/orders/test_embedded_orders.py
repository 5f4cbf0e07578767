"""The order path on SQLite, the embedded default: the same mutations, exact money.

SQLite has no row locks (its write transactions run one at a time) and no native decimal
type; this checks placement, credit, payments and the state machine give the same
answers there, to the cent.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.orders import Order
from tests.graphql_client import graphql_client
from tests.orders.builders import CANCEL, MOVE, PLACE, make_shop, order_input, stock_of

PAY = """mutation($id: ID!, $amount: Decimal!, $ref: String!, $at: DateTime!) {
  recordPayment(orderId: $id, amount: $amount, reference: $ref, receivedAt: $at) {
    order { status paymentStatus amountPaid { amount } balanceDue { amount } }
    userErrors { field code } } }"""


async def test_orders_are_placed_paid_shipped_and_cancelled_on_each_backend(
    any_db: Database, settings: Settings
) -> None:
    async with any_db.transaction() as session:
        shop = await make_shop(session, settings, credit_limit="9000.00")
    async with graphql_client(settings, any_db) as http:
        client = http.as_(shop.client_token)
        # 600 at the 500+ tier (8.25) and 3 at 12.50: 4950.00 + 37.50
        first = await client.data(
            PLACE,
            {"input": order_input([(shop.variant, 600), (shop.other_variant, 3)]), "key": "a"},
        )
        order = first["placeOrder"]["order"]
        replay = await client.data(
            PLACE,
            {"input": order_input([(shop.variant, 600), (shop.other_variant, 3)]), "key": "a"},
        )
        # 4987.50 is open; another 4100.00 would pass 9000.00
        over = await client.data(PLACE, {"input": order_input([(shop.variant, 500)]), "key": "b"})
        sales = http.as_(shop.sales_token)
        await sales.data(MOVE % "confirmOrder", {"id": order["id"]})
        paid = await http.as_(shop.finance_token).data(
            PAY,
            {"id": order["id"], "amount": "4987.50", "ref": "BANK-1", "at": "2026-11-20T10:00:00Z"},
        )
        shipped = await sales.data(MOVE % "shipOrder", {"id": order["id"]})
        small = await client.data(PLACE, {"input": order_input([(shop.variant, 10)]), "key": "c"})
        cancelled = await sales.data(
            CANCEL, {"id": small["placeOrder"]["order"]["id"], "reason": "duplicate"}
        )
    assert order["total"] == {"amount": "4987.50", "currency": "USD"}
    assert [line["lineTotal"]["amount"] for line in order["lines"]] == ["4950.00", "37.50"]
    assert replay["placeOrder"]["order"]["id"] == order["id"]
    assert over["placeOrder"]["userErrors"][0]["code"] == "CREDIT_LIMIT_EXCEEDED"
    assert paid["recordPayment"]["order"] == {
        "status": "PAID",
        "paymentStatus": "PAID",
        "amountPaid": {"amount": "4987.50"},
        "balanceDue": {"amount": "0.00"},
    }
    assert shipped["shipOrder"]["order"]["status"] == "SHIPPED"
    assert cancelled["cancelOrder"]["order"]["status"] == "CANCELLED"
    async with any_db.session() as session:
        # shipped 600 left stock on hand; the cancelled 10 were released
        assert await stock_of(session, shop.variant) == (400, 0)
        totals = (await session.scalars(select(col(Order.total)).order_by(col(Order.id)))).all()
    assert Decimal("4987.50") in totals
