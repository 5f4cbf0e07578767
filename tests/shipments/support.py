"""Orders with lines whose units are reserved in stock, as placement leaves them, ready to be
booked on shipments and depart; and the mutations that do so."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from core.db import Database
from core.global_id import encode_global_id
from models.catalog import Variant
from models.clients import ClientCompany
from models.orders import Order, OrderLine, OrderStatus
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.ledger.books import make_order

CREATE = """mutation($order: ID!, $input: ShipmentInput!) {
  createShipment(orderId: $order, input: $input) {
    shipment { id status lines { orderLineId quantity } }
    userErrors { field code message } } }"""
DEPART = """mutation($id: ID!, $at: DateTime, $bl: Date) {
  departShipment(id: $id, departedAt: $at, billOfLadingDate: $bl) {
    shipment { id status departedAt billOfLadingDate order { status version
      lines { sku quantity shippedQuantity } } }
    userErrors { field code message } } }"""
SEA_LEG = {
    "carrier": "Maersk",
    "mode": "SEA",
    "transportDocumentNumber": "MAEU240112345",
    "containerNumber": "MSKU1234565",
    "vesselOrFlight": "Maersk Kinloss",
    "voyage": "412W",
    "etd": "2026-12-02T06:00:00+00:00",
    "eta": "2026-12-30T18:00:00+00:00",
}


async def make_shippable_order(
    db: Database,
    company: ClientCompany,
    *,
    quantities: tuple[int, ...] = (10,),
    unit_price: str = "5.00",
    status: OrderStatus = OrderStatus.CONFIRMED,
    on_hand: int = 100,
    charges: str = "0",
    **fields: Any,
) -> Order:
    """An order of one line per quantity, each of its own variant with the units reserved;
    its total is the lines' (unit price times quantity) plus `charges` (freight and the
    like, which no line carries)."""
    price = Decimal(unit_price)
    total = sum((price * quantity for quantity in quantities), Decimal(charges))
    order = await make_order(db, company, total=str(total), status=status, **fields)
    assert order.id is not None
    async with db.transaction() as session:
        category = await make_category(session)
        product_type = await make_fabric_type(session)
        product = await make_product(session, product_type=product_type, category=category)
        for position, quantity in enumerate(quantities):
            variant = await make_variant(
                session, product=product, on_hand=on_hand, reserved=quantity
            )
            assert variant.id is not None
            session.add(
                OrderLine(
                    order_id=order.id,
                    variant_id=variant.id,
                    sku=variant.sku,
                    product_name=product.name,
                    quantity=quantity,
                    unit_price=price,
                    line_total=price * quantity,
                    position=position,
                )
            )
    return order


async def lines_of(db: Database, order: Order) -> list[OrderLine]:
    async with db.session() as session:
        statement = (
            select(OrderLine)
            .where(col(OrderLine.order_id) == order.id)
            .order_by(col(OrderLine.position))
        )
        return list(await session.scalars(statement))


async def stock_of(db: Database, line: OrderLine) -> tuple[int, int]:
    """(on hand, reserved) of the line's variant."""
    async with db.session() as session:
        variant = await session.get(Variant, line.variant_id)
        assert variant is not None
        return variant.stock_on_hand, variant.stock_reserved


def line_gid(line: OrderLine) -> str:
    return encode_global_id("OrderLine", line.id or 0)


def shipment_input(*lines: tuple[OrderLine, int], **fields: Any) -> dict[str, Any]:
    """A one-leg shipment carrying `lines` (all that is left when none are given)."""
    given: dict[str, Any] = {"legs": [SEA_LEG], **fields}
    if lines:
        given["lines"] = [
            {"orderLineId": line_gid(line), "quantity": quantity} for line, quantity in lines
        ]
    return given
