"""Charges on orders: storefront orders carry none and the company's terms; staff set them
while an order is placed, the total and credit follow, under the version and credit rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.audit import AuditEntry
from models.clients import BalanceDueOn, ClientCompany
from models.orders import Order, OrderCharge
from tests.graphql_client import GraphQLClient, graphql_client
from tests.orders.builders import PLACE, Shop, make_shop, move, order_input, place_one

SET_CHARGES = """mutation($id: ID!, $version: Int!, $charges: [ChargeInput!]!) {
  setOrderCharges(orderId: $id, expectedVersion: $version, charges: $charges) {
    order { version total { amount } linesTotal { amount } chargesTotal { amount }
            charges { kind amount { amount currency } description } }
    userErrors { field code } } }"""
READ = """query($id: ID!) { order(id: $id) { version total { amount } chargesTotal { amount }
  paymentTerms { advancePercent balanceDueOn netDays } charges { kind } } }"""
FREIGHT = {"kind": "FREIGHT", "amount": "250.00"}
INSURANCE = {"kind": "INSURANCE", "amount": "12.40"}


async def _set(
    http: GraphQLClient, shop: Shop, order_id: str, charges: list[Any], version: int = 1
) -> dict[str, Any]:
    variables = {"id": order_id, "version": version, "charges": charges}
    body = await http.as_(shop.sales_token).data(SET_CHARGES, variables)
    payload: dict[str, Any] = body["setOrderCharges"]
    return payload


def _errors(payload: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def _credit_used(db: Database, shop: Shop) -> Decimal:
    async with db.session() as session:
        used = await session.scalar(
            select(col(ClientCompany.credit_used)).where(col(ClientCompany.id) == shop.client.id)
        )
    assert used is not None
    return used


async def _charge_rows(db: Database) -> list[tuple[str, Decimal]]:
    async with db.session() as session:
        rows = await session.execute(
            select(col(OrderCharge.kind), col(OrderCharge.amount)).order_by(
                col(OrderCharge.position)
            )
        )
    return [(str(kind), amount) for kind, amount in rows]


async def test_a_storefront_order_has_no_charges_and_the_company_terms(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)  # 30 % advance, net 60 from the invoice
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a", quantity=100)  # 100 x 9.00
        read = (await http.as_(shop.client_token).data(READ, {"id": order_id}))["order"]
    assert read["charges"] == []
    assert (read["total"], read["chargesTotal"]) == ({"amount": "900.00"}, {"amount": "0.00"})
    assert read["paymentTerms"] == {"advancePercent": 30, "balanceDueOn": "INVOICE", "netDays": 60}


async def test_staff_set_charges_on_a_placed_order_and_total_and_credit_follow(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a", quantity=100)
        # when staff state the freight and an inspection fee
        inspection = {"kind": "OTHER", "amount": "40", "description": "Inspection"}
        first = await _set(http, shop, order_id, [FREIGHT, inspection])
        used_after_first = await _credit_used(db, shop)
        # and then replace them with the freight alone
        second = await _set(http, shop, order_id, [FREIGHT], version=2)
    # then each set replaces the last, the total is the lines plus the charges
    assert first["userErrors"] == []
    assert second["userErrors"] == []
    assert [
        (charge["kind"], charge["amount"], charge["description"])
        for charge in first["order"]["charges"]
    ] == [
        ("FREIGHT", {"amount": "250.00", "currency": "USD"}, ""),
        ("OTHER", {"amount": "40.00", "currency": "USD"}, "Inspection"),
    ]
    assert (first["order"]["total"], first["order"]["version"]) == ({"amount": "1190.00"}, 2)
    assert second["order"]["total"] == {"amount": "1150.00"}
    assert second["order"]["linesTotal"] == {"amount": "900.00"}
    assert second["order"]["chargesTotal"] == {"amount": "250.00"}
    assert await _charge_rows(db) == [("freight", Decimal("250.0000"))]
    # and the company's credit used follows the total each time
    assert used_after_first == Decimal("1190.00")
    assert await _credit_used(db, shop) == Decimal("1150.00")
    async with db.session() as session:
        audited = list(
            await session.scalars(
                select(AuditEntry).where(col(AuditEntry.action) == "order.set_charges")
            )
        )
    assert [entry.changes["total"] for entry in audited] == [
        ["900.0000 USD", "1190.0000 USD"],
        ["1190.0000 USD", "1150.0000 USD"],
    ]


async def test_charges_change_only_while_placed_and_at_the_version_read(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a", quantity=100)
        stale = await _set(http, shop, order_id, [FREIGHT], version=7)
        await move(http, shop.sales_token, "confirmOrder", order_id)
        confirmed = await _set(http, shop, order_id, [FREIGHT], version=2)
        unknown = await _set(http, shop, "T3JkZXI6OTk5OTk5", [FREIGHT])
        read = (await http.as_(shop.sales_token).data(READ, {"id": order_id}))["order"]
    assert _errors(stale) == [(["expectedVersion"], "CONFLICT")]
    assert _errors(confirmed) == [(["orderId"], "ILLEGAL_TRANSITION")]
    assert _errors(unknown) == [(["orderId"], "NOT_FOUND")]
    # nothing changed: the total, the version (confirmation only), no charge rows
    assert (read["total"], read["version"], read["charges"]) == ({"amount": "900.00"}, 2, [])
    assert await _charge_rows(db) == []


async def test_charges_past_the_credit_limit_are_refused_and_change_nothing(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings, credit_limit="1000.00")
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a", quantity=100)  # 900.00 of 1000.00
        over = await _set(http, shop, order_id, [FREIGHT])
        within = await _set(http, shop, order_id, [{"kind": "FREIGHT", "amount": "100.00"}])
    assert _errors(over) == [(["charges"], "CREDIT_LIMIT_EXCEEDED")]
    assert within["userErrors"] == []
    assert within["order"]["total"] == {"amount": "1000.00"}
    assert await _credit_used(db, shop) == Decimal("1000.00")


async def test_lowering_charges_is_allowed_even_over_a_lowered_limit(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings, credit_limit="2000.00")
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a", quantity=100)
        assert (await _set(http, shop, order_id, [FREIGHT]))["userErrors"] == []
        async with db.transaction() as session:  # finance cuts the limit below the order
            await session.execute(
                update(ClientCompany)
                .where(col(ClientCompany.id) == shop.client.id)
                .values(credit_limit=Decimal("500.00"))
            )
        lowered = await _set(http, shop, order_id, [], version=2)
    assert lowered["userErrors"] == []
    assert lowered["order"]["total"] == {"amount": "900.00"}


async def test_a_cif_order_needs_freight_and_insurance(db: Database, settings: Settings) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        body = await http.as_(shop.client_token).data(
            PLACE,
            {
                "input": order_input([(shop.variant, 100)], incoterm="CIF", namedPlace="Mersin"),
                "key": "cif",
            },
        )
        order_id = body["placeOrder"]["order"]["id"]
        freight_only = await _set(http, shop, order_id, [FREIGHT])
        both = await _set(http, shop, order_id, [FREIGHT, INSURANCE])
    assert _errors(freight_only) == [(["charges"], "CHARGE_REQUIRED")]
    assert both["order"]["total"] == {"amount": "1162.40"}


async def test_the_order_keeps_its_terms_when_the_company_terms_change(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a", quantity=100)
        async with db.transaction() as session:
            await session.execute(
                update(ClientCompany)
                .where(col(ClientCompany.id) == shop.client.id)
                .values(advance_percent=0, balance_due_on=BalanceDueOn.DELIVERY, net_days=90)
            )
        read = (await http.as_(shop.client_token).data(READ, {"id": order_id}))["order"]
    assert read["paymentTerms"] == {"advancePercent": 30, "balanceDueOn": "INVOICE", "netDays": 60}
    async with db.session() as session:
        stored = (await session.scalars(select(Order))).one()
    assert (stored.advance_percent, stored.net_days) == (30, 60)


async def test_charges_are_exact_to_the_cent_on_each_backend(
    any_db: Database, settings: Settings
) -> None:
    async with any_db.transaction() as session:
        shop = await make_shop(session, settings, credit_limit="1200.00")
    async with graphql_client(settings, any_db) as http:
        order_id = await place_one(http, shop, "a", quantity=100)  # 900.00
        charges = [FREIGHT, INSURANCE, {"kind": "OTHER", "amount": "0.01", "description": "Fee"}]
        set_ = await _set(http, shop, order_id, charges)
        over = await _set(http, shop, order_id, [{"kind": "FREIGHT", "amount": "300.01"}], 2)
        read = (await http.as_(shop.client_token).data(READ, {"id": order_id}))["order"]
    assert set_["userErrors"] == []
    assert _errors(over) == [(["charges"], "CREDIT_LIMIT_EXCEEDED")]
    assert (read["total"], read["chargesTotal"], read["version"]) == (
        {"amount": "1162.41"},
        {"amount": "262.41"},
        2,
    )
    assert [charge["kind"] for charge in read["charges"]] == ["FREIGHT", "INSURANCE", "OTHER"]
