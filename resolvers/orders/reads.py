"""Reading orders: the listing, one order, and what hangs off an order.

Every read goes through the caller's visibility (`loaders.orders`): a client user sees its own
company's orders, staff with `orders:read_all` all of them, everyone else none. An order the
caller may not see is a miss, exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from loaders.catalog import VARIANT_BY_ID
from loaders.clients import CLIENT_COMPANY_BY_ID
from loaders.orders import CHARGES_BY_ORDER, LINES_BY_ORDER, ORDER_BY_ID, PAYMENTS_BY_ORDER
from models.catalog import Variant
from models.clients import ClientCompany
from models.orders import Order, OrderCharge, OrderLine, OrderStatus, Payment
from resolvers.context import Context
from resolvers.newest_first import NewestFirst, newest_first_page
from resolvers.pagination import Page

NEWEST_FIRST = NewestFirst(
    "order_newest",
    created_at=cast(ColumnElement[datetime], col(Order.created_at)),
    id=cast(ColumnElement[int], col(Order.id)),
)


async def list_orders(
    ctx: Context, *, first: int, after: str | None, status: OrderStatus | None
) -> Page[Order]:
    """Orders the caller may see, newest first, optionally in one status; a keyset page."""
    statement = select(Order).where(ctx.loaders.visible(ORDER_BY_ID))
    if status is not None:
        statement = statement.where(col(Order.status) == status)
    page = await newest_first_page(ctx.session, NEWEST_FIRST, statement, first=first, after=after)
    for row in page.rows:
        ctx.loaders.prime(ORDER_BY_ID, row.id, row)
    return page


async def order(ctx: Context, order_id: int) -> Order | None:
    """The order if the caller may see it; None whether it is hidden or does not exist."""
    found: Order | None = await ctx.loaders.one(ORDER_BY_ID, order_id)
    return found


async def order_lines(ctx: Context, row: Order) -> list[OrderLine]:
    return await ctx.loaders.many(LINES_BY_ORDER, row.id)


async def order_charges(ctx: Context, row: Order) -> list[OrderCharge]:
    return await ctx.loaders.many(CHARGES_BY_ORDER, row.id)


async def order_payments(ctx: Context, row: Order) -> list[Payment]:
    return await ctx.loaders.many(PAYMENTS_BY_ORDER, row.id)


async def payment_order(ctx: Context, payment: Payment) -> Order | None:
    """The payment's order, if the caller may see it."""
    order: Order | None = await ctx.loaders.one(ORDER_BY_ID, payment.order_id)
    return order


async def order_client(ctx: Context, row: Order) -> ClientCompany | None:
    client: ClientCompany | None = await ctx.loaders.one(
        CLIENT_COMPANY_BY_ID, row.client_company_id
    )
    return client


async def line_variant(ctx: Context, line: OrderLine) -> Variant | None:
    """The variant as it is now; None once its product is no longer on sale."""
    variant: Variant | None = await ctx.loaders.one(VARIANT_BY_ID, line.variant_id)
    return variant
