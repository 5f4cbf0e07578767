"""Reading orders: the listing, one order, and what hangs off an order.

Every read goes through the caller's visibility (`loaders.orders`): a client user sees its own
company's orders, staff with `orders:read_all` all of them, everyone else none. An order the
caller may not see is a miss, exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar, cast

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from loaders.orders import ORDER_BY_ID
from models.catalog import Variant
from models.clients import ClientCompany
from models.orders import Order, OrderCharge, OrderLine, OrderStatus, Payment
from resolvers.context import Context
from resolvers.look_ahead import Soon, follow
from resolvers.newest_first import NewestFirst, newest_first_page
from resolvers.orders import read_paths as paths
from resolvers.pagination import Page

T = TypeVar("T")

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


def order_lines(ctx: Context, row: Order, build: Callable[[list[OrderLine]], T]) -> Soon[T]:
    return follow(ctx, paths.ORDER["lines"], row, build)


def order_charges(ctx: Context, row: Order, build: Callable[[list[OrderCharge]], T]) -> Soon[T]:
    return follow(ctx, paths.ORDER["charges"], row, build)


def order_payments(ctx: Context, row: Order, build: Callable[[list[Payment]], T]) -> Soon[T]:
    return follow(ctx, paths.ORDER["payments"], row, build)


def payment_order(ctx: Context, payment: Payment, build: Callable[[Order | None], T]) -> Soon[T]:
    """The payment's order, if the caller may see it."""
    return follow(ctx, paths.PAYMENT["order"], payment, build)


def order_client(ctx: Context, row: Order, build: Callable[[ClientCompany | None], T]) -> Soon[T]:
    return follow(ctx, paths.ORDER["client"], row, build)


def line_variant(ctx: Context, line: OrderLine, build: Callable[[Variant | None], T]) -> Soon[T]:
    """The variant as it is now; None once its product is no longer on sale."""
    return follow(ctx, paths.ORDER_LINE["variant"], line, build)
