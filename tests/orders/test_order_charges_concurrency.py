"""Charges under concurrency, over HTTP against committed data: setting charges takes the
company's lock as placing an order does, and names the version it read, so racing writers
never pass the credit limit together and never both apply to one version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.clients import ClientCompany
from models.orders import Order
from tests.concurrently import settled
from tests.graphql_client import graphql_client
from tests.orders.builders import PLACE, make_shop, order_input, place_one
from tests.orders.test_order_charges import SET_CHARGES


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


@pytest.mark.slow
async def test_charges_and_a_new_order_racing_for_the_last_credit_never_both_fit(
    committed_db: Database, committed_settings: Settings
) -> None:
    # given a client with 2000.00 of credit and a placed order of 900.00
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings, credit_limit="2000.00")
    async with graphql_client(committed_settings, committed_db) as http:
        order_id = await place_one(http, shop, "first", quantity=100)
        # when staff add 600.00 of freight while the client places another 900.00
        charges, placed = await settled(
            http.as_(shop.sales_token).post(
                SET_CHARGES,
                {
                    "id": order_id,
                    "version": 1,
                    "charges": [{"kind": "FREIGHT", "amount": "600.00"}],
                },
            ),
            http.as_(shop.client_token).post(
                PLACE, {"input": order_input([(shop.variant, 100)]), "key": "second"}
            ),
        )
    # then exactly one fits, the other is refused for credit, and nothing errs
    assert "errors" not in charges
    assert "errors" not in placed
    outcomes = sorted(
        (_codes(charges["data"]["setOrderCharges"]), _codes(placed["data"]["placeOrder"]))
    )
    assert outcomes == [[], ["CREDIT_LIMIT_EXCEEDED"]]
    async with committed_db.session() as session:
        totals = list(
            await session.scalars(
                select(col(Order.total)).where(col(Order.client_company_id) == shop.client.id)
            )
        )
        used = await session.scalar(
            select(col(ClientCompany.credit_used)).where(col(ClientCompany.id) == shop.client.id)
        )
    # and what the company's row says it uses is what its orders owe, within the limit
    assert used == sum(totals, Decimal(0))
    assert used is not None
    assert used <= Decimal("2000.00")


@pytest.mark.slow
async def test_two_charge_sets_from_one_version_apply_once(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        shop = await make_shop(session, committed_settings)
    async with graphql_client(committed_settings, committed_db) as http:
        order_id = await place_one(http, shop, "first", quantity=100)
        bodies = await settled(
            *(
                http.as_(shop.sales_token).post(
                    SET_CHARGES,
                    {
                        "id": order_id,
                        "version": 1,
                        "charges": [{"kind": "FREIGHT", "amount": amount}],
                    },
                )
                for amount in ("100.00", "200.00")
            )
        )
    assert all("errors" not in body for body in bodies)
    outcomes = sorted(_codes(body["data"]["setOrderCharges"]) for body in bodies)
    assert outcomes == [[], ["CONFLICT"]]
    winner = next(b for b in bodies if not b["data"]["setOrderCharges"]["userErrors"])
    async with committed_db.session() as session:
        order = (
            await session.scalars(
                select(Order).where(col(Order.client_company_id) == shop.client.id)
            )
        ).one()
    assert order.version == 2
    assert {"amount": f"{order.total:.2f}"} == winner["data"]["setOrderCharges"]["order"]["total"]
