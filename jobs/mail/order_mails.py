"""The buyer's mails about an order and its money: confirmed, delivered, a payment received,
an invoice overdue. Each links to the order in the storefront (`/account/orders/<id>`).

They state what the buyer is charged and has paid, never what the goods cost the seller:
lines are read for SKU, name, quantity, price and total only.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.global_id import decode_typed_id
from core.settings import Settings
from jobs.mail.deal_terms import Charge, DealTerms
from jobs.mail.mail_values import (
    BuyerMail,
    MailLine,
    day,
    lines_block,
    moment,
    money,
    order_link,
    text_or_dash,
)
from models.clients import PaymentTerms
from models.ledger import Receivable, ReceivableStatus
from models.orders import ChargeKind, Order, OrderLine, order_number
from resolvers.orders.stored_charges import order_charges_in


async def order_confirmed(
    session: AsyncSession, payload: Mapping[str, Any], settings: Settings
) -> BuyerMail | None:
    order = await _order(session, payload)
    if order is None:
        return None
    values = {
        **_order_values(order, settings),
        "lines": lines_block(await order_mail_lines(session, order), order.currency),
        "total": money(order.total, order.currency),
        "incoterm": order.incoterm,
        "named_place": text_or_dash(order.named_place),
    }
    deal = DealTerms.of(
        order.currency,
        order.total - order.charges_total,
        await _charges(session, order),
        PaymentTerms.of(order),
    )
    return BuyerMail("order_confirmed", values, company_id=order.client_company_id, deal=deal)


async def _charges(session: AsyncSession, order: Order) -> list[Charge]:
    assert order.id is not None
    rows = await order_charges_in(session, order.id)
    return [Charge(ChargeKind(row.kind), row.description, row.amount) for row in rows]


async def order_delivered(
    session: AsyncSession, payload: Mapping[str, Any], settings: Settings
) -> BuyerMail | None:
    order = await _order(session, payload)
    if order is None:
        return None
    values = {
        **_order_values(order, settings),
        "delivered_at": moment(order.delivered_at),
        "lines": lines_block(await order_mail_lines(session, order, priced=False), order.currency),
    }
    return BuyerMail("order_delivered", values, company_id=order.client_company_id)


async def payment_received(
    session: AsyncSession, payload: Mapping[str, Any], settings: Settings
) -> BuyerMail | None:
    """The amounts as the payment left them (the payload), against the order's total now."""
    order = await _order(session, payload)
    if order is None:
        return None
    currency = order.currency
    paid = Decimal(str(payload["amount_paid"]))
    values = {
        **_order_values(order, settings),
        "amount": money(Decimal(str(payload["amount"])), currency),
        "paid_so_far": money(paid, currency),
        "remaining": money(max(order.total - paid, Decimal(0)), currency),
        "total": money(order.total, currency),
    }
    return BuyerMail("payment_received", values, company_id=order.client_company_id)


async def invoice_overdue(
    session: AsyncSession, payload: Mapping[str, Any], settings: Settings
) -> BuyerMail | None:
    """Only while the receivable is still owed on the due date the notice was for."""
    pk = decode_typed_id(str(payload["receivable_id"]), "Receivable", argument="receivable_id")
    receivable = await session.get(Receivable, pk)
    if (
        receivable is None
        or receivable.balance <= 0
        or receivable.status == ReceivableStatus.REVERSED
        or day(receivable.due_date) != str(payload["due_date"])
    ):
        return None
    order = await session.get(Order, receivable.order_id)
    if order is None:
        return None
    values = {
        **_order_values(order, settings),
        "balance": money(receivable.balance, receivable.currency),
        "due_date": day(receivable.due_date),
    }
    return BuyerMail("invoice_overdue", values, company_id=receivable.client_company_id)


async def _order(session: AsyncSession, payload: Mapping[str, Any]) -> Order | None:
    pk = decode_typed_id(str(payload["order_id"]), "Order", argument="order_id")
    return await session.get(Order, pk)


def _order_values(order: Order, settings: Settings) -> dict[str, object]:
    assert order.id is not None
    return {
        "order_number": order_number(order.id),
        "order_url": order_link(settings.public_app_url, order.id),
    }


async def order_mail_lines(
    session: AsyncSession, order: Order, *, priced: bool = True
) -> list[MailLine]:
    """The order's lines as the buyer reads them (no cost), priced or as quantities only."""
    lines = await session.scalars(
        select(OrderLine)
        .where(col(OrderLine.order_id) == order.id)
        .order_by(col(OrderLine.position), col(OrderLine.id))
    )
    return [
        MailLine(
            line.sku,
            line.product_name,
            line.quantity,
            line.unit_price if priced else None,
            line.line_total if priced else None,
        )
        for line in lines
    ]
