"""Orders as clients and staff read them: the listing and one order."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.global_id import decode_typed_id
from models import orders as rows
from resolvers.look_ahead import look_ahead
from resolvers.orders import reads as orders
from schema.info import Info
from schema.node import PageAfter, PageSize
from schema.orders.types import Order, OrderConnection, OrderStatus
from schema.selection import rows_of_connection, selection_of


@strawberry.type
class OrderQuery:
    @strawberry.field(
        description=(
            "Orders, newest first, a page at a time: a client user's own company's, every "
            "order for staff holding `orders:read_all`, none for anyone else. Pass "
            "`pageInfo.endCursor` as `after` for the next page, with the same status. Staff "
            "search, filter and sort every order with `staffOrders`."
        )
    )
    async def orders(
        self,
        info: Info,
        first: PageSize = 20,
        after: PageAfter = None,
        status: Annotated[
            OrderStatus | None, strawberry.argument(description="Only orders in this status.")
        ] = None,
    ) -> OrderConnection:
        page = await orders.list_orders(
            info.context,
            first=first,
            after=after,
            status=None if status is None else rows.OrderStatus(str(status.value)),
        )
        await look_ahead(info.context, "Order", page.rows, rows_of_connection(selection_of(info)))
        return OrderConnection.from_page(page)

    @strawberry.field(
        description="An order by its global id; null if there is none or the caller may not see it."
    )
    async def order(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The order's global id.")],
    ) -> Order | None:
        row = await orders.order(info.context, decode_typed_id(id, "Order", argument="id"))
        if row is None:
            return None
        await look_ahead(info.context, "Order", [row], selection_of(info))
        return Order.from_row(row)
