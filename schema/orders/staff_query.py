"""The staff order list: every order, searched, filtered and sorted (`orders:read_all`).

Client users keep reading their own company's orders through `orders` (`query.py`); this
field is for the back office and is FORBIDDEN to everyone without the permission.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, cast

import strawberry

from admin_queries import orders as staff_orders
from auth.policy import Permission
from models import orders as rows
from resolvers.look_ahead import look_ahead
from schema.decimal_input import DecimalBounds, lands_in
from schema.info import Info
from schema.node import PageAfter, PageSize
from schema.orders.types import OrderConnection, OrderStatus, PaymentStatus
from schema.permissions import permission_field
from schema.selection import rows_of_connection, selection_of

Sort = staff_orders.StaffOrderSort


@strawberry.enum(description="Orders of the staff order list; each pages with its own cursors.")
class StaffOrderSort(Enum):
    PLACED_NEWEST = strawberry.enum_value(
        Sort.PLACED_NEWEST.value, description="Newest placed first (the default)."
    )
    PLACED_OLDEST = strawberry.enum_value(
        Sort.PLACED_OLDEST.value, description="Oldest placed first."
    )
    TOTAL_HIGHEST = strawberry.enum_value(
        Sort.TOTAL_HIGHEST.value,
        description=(
            "Highest total first, compared as numbers whatever the currency (filter by "
            "`currency` to compare like with like)."
        ),
    )
    TOTAL_LOWEST = strawberry.enum_value(Sort.TOTAL_LOWEST.value, description="Lowest total first.")
    STATUS = strawberry.enum_value(
        Sort.STATUS.value,
        description="By status name, A to Z (CANCELLED first), oldest placed first within one.",
    )


@strawberry.input(description="Conditions on orders; all given must hold.")
class StaffOrderFilter:
    status: list[OrderStatus] | None = strawberry.field(
        default=None, description="Only orders in one of these statuses."
    )
    payment_status: list[PaymentStatus] | None = strawberry.field(
        default=None, description="Only orders in one of these payment statuses."
    )
    currency: str | None = strawberry.field(
        default=None, description="Only orders in this ISO 4217 currency, e.g. USD."
    )
    placed_from: datetime | None = strawberry.field(
        default=None, description="Only orders placed at or after this moment."
    )
    placed_to: datetime | None = strawberry.field(
        default=None,
        description="Only orders placed at or before this moment; not before `placedFrom`.",
    )
    total_min: Decimal | None = strawberry.field(
        default=None,
        description="Only orders whose total (in the order's currency) is at least this.",
        metadata=lands_in(rows.Order.total),
    )
    total_max: Decimal | None = strawberry.field(
        default=None,
        description="Only orders whose total is at most this; not below `totalMin`.",
        metadata=lands_in(rows.Order.total),
    )
    destination_country: str | None = strawberry.field(
        default=None,
        description=(
            "Only orders shipped to this ISO 3166-1 alpha-2 country (their shipping address)."
        ),
    )

    def to_resolver(self) -> staff_orders.StaffOrderFilter:
        return staff_orders.StaffOrderFilter(
            statuses=(
                None
                if self.status is None
                else [rows.OrderStatus(cast(str, value.value)) for value in self.status]
            ),
            payment_statuses=(
                None
                if self.payment_status is None
                else [rows.PaymentStatus(cast(str, value.value)) for value in self.payment_status]
            ),
            currency=self.currency,
            placed_from=self.placed_from,
            placed_to=self.placed_to,
            total_min=self.total_min,
            total_max=self.total_max,
            destination_country=self.destination_country,
        )


@strawberry.type
class StaffOrderQuery:
    @permission_field(
        Permission.ORDERS_READ_ALL,
        description=(
            "Every order, searched, filtered and sorted, a page at a time. Pass "
            "`pageInfo.endCursor` as `after` for the next page, with the same arguments; a "
            "cursor of another sort is refused."
        ),
        extensions=[DecimalBounds()],
    )
    async def staff_orders(
        self,
        info: Info,
        first: PageSize = 20,
        after: PageAfter = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "An order number (SO-000042, or 42), or the start of the client company's "
                    "name in any case; at most 200 characters. Blank: no search."
                )
            ),
        ] = None,
        filter: Annotated[
            StaffOrderFilter | None,
            strawberry.argument(description="Only orders meeting these conditions."),
        ] = None,
        sort_by: Annotated[
            StaffOrderSort, strawberry.argument(description="The order of the list.")
        ] = StaffOrderSort.PLACED_NEWEST,
    ) -> OrderConnection | None:
        page = await staff_orders.list_staff_orders(
            info.context,
            first=first,
            after=after,
            search=search,
            order_filter=(filter or StaffOrderFilter()).to_resolver(),
            sort=Sort(cast(str, sort_by.value)),
        )
        await look_ahead(info.context, "Order", page.rows, rows_of_connection(selection_of(info)))
        return OrderConnection.from_page(page)
