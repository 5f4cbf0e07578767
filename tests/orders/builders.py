"""A small shop for order tests: a client with credit, its user, staff, priced variants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.catalog import Product, ProductStatus, Variant
from models.clients import ClientCompany
from models.fx import FxRate
from models.outbox import OutboxEvent
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.callers import make_client_company, token_for
from tests.graphql_client import GraphQLClient

ADDRESS = {
    "name": "Hanse Textil GmbH",
    "line1": "Am Sandtorkai 1",
    "city": "Hamburg",
    "country": "DE",
}

PLACE = """mutation($input: PlaceOrderInput!, $key: String!) {
  placeOrder(input: $input, idempotencyKey: $key) {
    order { id number status total { amount currency } version
            lines { sku quantity unitPrice { amount } lineTotal { amount } } }
    userErrors { field code message } } }"""


def gid(type_name: str, pk: int | None) -> str:
    assert pk is not None
    return encode_global_id(type_name, pk)


def order_input(lines: list[tuple[Variant, int]], **fields: Any) -> dict[str, Any]:
    return {
        "currency": "USD",
        "incoterm": "FOB",
        "namedPlace": "Nhava Sheva",
        "shippingAddress": ADDRESS,
        "lines": [{"variantId": gid("Variant", v.id), "quantity": q} for v, q in lines],
        **fields,
    }


@dataclass
class Shop:
    client: ClientCompany
    client_token: str
    sales_token: str
    finance_token: str
    product: Product
    variant: Variant  # USD tiers 1: 10.00, 100: 9.00, 500: 8.25; 1,000 on hand
    other_variant: Variant  # same product, USD tier 1: 12.50; 1,000 on hand

    @property
    def client_id(self) -> str:
        return gid("ClientCompany", self.client.id)


async def make_shop(
    session: AsyncSession,
    settings: Settings,
    *,
    credit_limit: str = "1000000.00",
    credit_currency: str = "USD",
    moq: int = 1,
    name: str = "Hanse Textil GmbH",
) -> Shop:
    client = await make_client_company(
        session, name=name, credit_limit=Decimal(credit_limit), credit_currency=credit_currency
    )
    product = await make_product(
        session,
        product_type=await make_fabric_type(session),
        category=await make_category(session),
        moq=moq,
    )
    variant = await make_variant(
        session,
        product=product,
        on_hand=1_000,
        prices={"USD": [(1, "10.00"), (100, "9.00"), (500, "8.25")], "EUR": [(50, "9.40")]},
        cost_price=Decimal("4.00"),
        cost_currency="USD",
    )
    other = await make_variant(
        session, product=product, on_hand=1_000, prices={"USD": [(1, "12.50")]}
    )
    return Shop(
        client=client,
        client_token=await token_for(session, settings, Role.CLIENT, company=client),
        sales_token=await token_for(session, settings, Role.SALES),
        finance_token=await token_for(session, settings, Role.FINANCE),
        product=product,
        variant=variant,
        other_variant=other,
    )


async def make_rate(session: AsyncSession, base: str, quote: str, rate: str) -> FxRate:
    row = FxRate(
        base_currency=base,
        quote_currency=quote,
        rate=Decimal(rate),
        effective_at=datetime.now(UTC) - timedelta(days=1),
    )
    session.add(row)
    await session.flush()
    return row


async def stock_of(session: AsyncSession, variant: Variant) -> tuple[int, int]:
    """(on hand, reserved) as stored now."""
    row = (
        await session.execute(
            select(col(Variant.stock_on_hand), col(Variant.stock_reserved)).where(
                col(Variant.id) == variant.id
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def events_of(session: AsyncSession, event_type: str, order_id: str) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(OutboxEvent)
        .where(col(OutboxEvent.event_type) == event_type)
        .order_by(col(OutboxEvent.id))
    )
    return [row.payload for row in rows if row.payload.get("order_id") == order_id]


async def deactivate(session: AsyncSession, product: Product) -> None:
    product.status = ProductStatus.DRAFT
    session.add(product)
    await session.flush()


MOVE = """mutation($id: ID!) { %s(id: $id) {
  order { status version confirmedAt shippedAt deliveredAt cancelledAt cancelReason }
  userErrors { field code } } }"""
CANCEL = """mutation($id: ID!, $reason: String!) { cancelOrder(id: $id, reason: $reason) {
  order { status cancelReason } userErrors { field code } } }"""


async def place_one(http: GraphQLClient, shop: Shop, key: str, quantity: int = 10) -> str:
    body = await http.as_(shop.client_token).data(
        PLACE, {"input": order_input([(shop.variant, quantity)]), "key": key}
    )
    order_id: str = body["placeOrder"]["order"]["id"]
    return order_id


async def move(http: GraphQLClient, token: str, name: str, order_id: str) -> dict[str, Any]:
    body = await http.as_(token).data(MOVE % name, {"id": order_id})
    payload: dict[str, Any] = body[name]
    return payload


PAY = """mutation($id: ID!, $amount: Decimal!, $ref: String!) {
  recordPayment(orderId: $id, amount: $amount, reference: $ref,
                receivedAt: "2026-01-05T10:00:00+00:00") {
    order { status paymentStatus amountPaid { amount } balanceDue { amount } }
    payment { amount { amount currency } reference }
    userErrors { field code } } }"""
