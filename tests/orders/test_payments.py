"""Recording payments: partial, full, over the balance, duplicate references, bad amounts."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select

from core.db import Database
from core.settings import Settings
from models.orders import Payment
from tests.graphql_client import graphql_client
from tests.orders.builders import PAY, events_of, make_shop, move, place_one


async def test_payments_fill_the_balance_and_then_the_order_is_paid(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a", quantity=100)  # 100 x 9.00 = 900.00 USD
        finance = http.as_(shop.finance_token)
        too_early = await finance.data(PAY, {"id": order_id, "amount": "10", "ref": "R0"})
        await move(http, shop.sales_token, "confirmOrder", order_id)
        refusals = {
            name: (await finance.data(PAY, {"id": order_id, "amount": amount, "ref": ref}))[
                "recordPayment"
            ]["userErrors"]
            for name, amount, ref in (
                ("zero", "0", "R1"),
                ("places", "10.001", "R2"),
                ("over", "900.01", "R3"),
                ("no reference", "10", " "),
            )
        }
        partial = await finance.data(PAY, {"id": order_id, "amount": "300.00", "ref": "R4"})
        duplicate = await finance.data(PAY, {"id": order_id, "amount": "100", "ref": "R4"})
        rest = await finance.data(PAY, {"id": order_id, "amount": "600", "ref": "R5"})
        after_paid = await finance.data(PAY, {"id": order_id, "amount": "1", "ref": "R6"})
    assert too_early["recordPayment"]["userErrors"] == [
        {"field": ["orderId"], "code": "ILLEGAL_TRANSITION"}
    ]
    assert refusals == {
        "zero": [{"field": ["amount"], "code": "INVALID_AMOUNT"}],
        "places": [{"field": ["amount"], "code": "INVALID_AMOUNT"}],
        "over": [{"field": ["amount"], "code": "AMOUNT_EXCEEDS_BALANCE"}],
        "no reference": [{"field": ["reference"], "code": "REQUIRED"}],
    }
    assert partial["recordPayment"]["order"] == {
        "status": "CONFIRMED",
        "paymentStatus": "PARTLY_PAID",
        "amountPaid": {"amount": "300.00"},
        "balanceDue": {"amount": "600.00"},
    }
    assert duplicate["recordPayment"]["userErrors"] == [
        {"field": ["reference"], "code": "DUPLICATE_REFERENCE"}
    ]
    assert rest["recordPayment"]["order"]["status"] == "PAID"
    assert rest["recordPayment"]["order"]["paymentStatus"] == "PAID"
    assert after_paid["recordPayment"]["userErrors"] == [
        {"field": ["amount"], "code": "AMOUNT_EXCEEDS_BALANCE"}
    ]
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Payment)) == 2
        recorded = await events_of(session, "order.payment_recorded", order_id)
        paid = await events_of(session, "order.paid", order_id)
    assert [(e["amount"], e["amount_paid"], e["payment_status"]) for e in recorded] == [
        ("300.00", "300.00", "partly_paid"),
        ("600.00", "900.00", "paid"),
    ]
    assert [(e["status"], e["previous_status"], e["total"]) for e in paid] == [
        ("paid", "confirmed", "900.00")
    ]


async def test_a_payment_completing_a_shipped_order_changes_only_its_payment_status(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a")  # 100.00 USD
        await move(http, shop.sales_token, "confirmOrder", order_id)
        await move(http, shop.sales_token, "shipOrder", order_id)  # balance against B/L
        paid = await http.as_(shop.finance_token).data(
            PAY, {"id": order_id, "amount": "100", "ref": "BL-1"}
        )
    assert paid["recordPayment"]["order"]["status"] == "SHIPPED"
    assert paid["recordPayment"]["order"]["paymentStatus"] == "PAID"
    assert paid["recordPayment"]["payment"] == {
        "amount": {"amount": "100.00", "currency": "USD"},
        "reference": "BL-1",
    }
    async with db.session() as session:
        assert await events_of(session, "order.paid", order_id) == []
    assert Decimal(paid["recordPayment"]["order"]["balanceDue"]["amount"]) == 0
