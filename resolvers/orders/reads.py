"""Reading orders: the listing, one order, and what hangs off an order.

Every read goes through the caller's visibility (`loaders.orders`): a client user sees its own
company's orders, staff with `orders:read_all` all of them, everyone else none. An order the
caller may not see is a miss, exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, tuple_
from sqlmodel import col, select

from loaders.catalog import VARIANT_BY_ID
from loaders.clients import CLIENT_COMPANY_BY_ID
from loaders.orders import LINES_BY_ORDER, ORDER_BY_ID, PAYMENTS_BY_ORDER
from models.catalog import Variant
from models.clients import ClientCompany
from models.orders import Order, OrderLine, OrderStatus, Payment
from resolvers.context import Context
from resolvers.pagination import Page, check_page_size, decode_cursor, encode_cursor

NEWEST_FIRST = "order_newest"


async def list_orders(
    ctx: Context, *, first: int, after: str | None, status: OrderStatus | None
) -> Page[Order]:
    """Orders the caller may see, newest first, optionally in one status; a keyset page."""
    check_page_size(first)
    conditions = [ctx.loaders.visible(ORDER_BY_ID)]
    if status is not None:
        conditions.append(col(Order.status) == status)
    statement = select(Order).where(*conditions)
    if after is not None:
        created, pk = decode_cursor(after, NEWEST_FIRST, (str, int))
        key = tuple_(col(Order.created_at), col(Order.id))
        statement = statement.where(key < tuple_(datetime.fromisoformat(created), pk))
    statement = statement.order_by(col(Order.created_at).desc(), col(Order.id).desc())
    rows = list(await ctx.session.scalars(statement.limit(first + 1)))
    has_next_page = len(rows) > first
    rows = rows[:first]
    for row in rows:
        ctx.loaders.prime(ORDER_BY_ID, row.id, row)

    async def total_count() -> int:
        count = select(func.count()).select_from(Order).where(*conditions)
        return int(await ctx.session.scalar(count) or 0)

    return Page(
        rows=rows,
        cursors=[_cursor(row) for row in rows],
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        total_count=total_count,
    )


def _cursor(row: Order) -> str:
    assert row.created_at is not None
    return encode_cursor(NEWEST_FIRST, [row.created_at.isoformat(), row.id])


async def order(ctx: Context, order_id: int) -> Order | None:
    """The order if the caller may see it; None whether it is hidden or does not exist."""
    found: Order | None = await ctx.loaders.one(ORDER_BY_ID, order_id)
    return found


async def order_lines(ctx: Context, row: Order) -> list[OrderLine]:
    return await ctx.loaders.many(LINES_BY_ORDER, row.id)


async def order_payments(ctx: Context, row: Order) -> list[Payment]:
    return await ctx.loaders.many(PAYMENTS_BY_ORDER, row.id)


async def order_client(ctx: Context, row: Order) -> ClientCompany | None:
    client: ClientCompany | None = await ctx.loaders.one(
        CLIENT_COMPANY_BY_ID, row.client_company_id
    )
    return client


async def line_variant(ctx: Context, line: OrderLine) -> Variant | None:
    """The variant as it is now; None once its product is no longer on sale."""
    variant: Variant | None = await ctx.loaders.one(VARIANT_BY_ID, line.variant_id)
    return variant
