"""Finance's list of the payments recorded against orders (`finance:read`).

Client users see their own order's payments on the order (`Order.payments`); this field is
for the back office and is FORBIDDEN to everyone without the permission.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, cast

import strawberry

from admin_queries import orders as payment_listing
from auth.policy import Permission
from schema.info import Info
from schema.node import PageAfter, PageSize
from schema.orders.types import PaymentConnection
from schema.permissions import permission_field

Sort = payment_listing.PaymentSort


@strawberry.enum(description="Orders of the payments list; each pages with its own cursors.")
class PaymentSort(Enum):
    RECEIVED_NEWEST = strawberry.enum_value(
        Sort.RECEIVED_NEWEST.value, description="Latest received first (the default)."
    )
    RECEIVED_OLDEST = strawberry.enum_value(
        Sort.RECEIVED_OLDEST.value, description="Earliest received first."
    )
    AMOUNT_HIGHEST = strawberry.enum_value(
        Sort.AMOUNT_HIGHEST.value,
        description=(
            "Highest amount first, compared as numbers whatever the currency (filter by "
            "`currency` to compare like with like)."
        ),
    )
    AMOUNT_LOWEST = strawberry.enum_value(
        Sort.AMOUNT_LOWEST.value, description="Lowest amount first."
    )


@strawberry.input(description="Conditions on payments; all given must hold.")
class PaymentFilter:
    client: strawberry.ID | None = strawberry.field(
        default=None, description="Only payments for this client company's orders (its global id)."
    )
    received_from: date | None = strawberry.field(
        default=None, description="Only payments received on or after this day (UTC)."
    )
    received_to: date | None = strawberry.field(
        default=None,
        description=(
            "Only payments received on or before this day (UTC); not before `receivedFrom`."
        ),
    )
    currency: str | None = strawberry.field(
        default=None, description="Only payments in this ISO 4217 currency, e.g. USD."
    )

    def to_resolver(self) -> payment_listing.PaymentFilter:
        return payment_listing.PaymentFilter(
            client=self.client,
            received_from=self.received_from,
            received_to=self.received_to,
            currency=self.currency,
        )


@strawberry.type
class PaymentQuery:
    @permission_field(
        Permission.FINANCE_READ,
        description=(
            "Payments recorded against every client's orders, filtered and sorted, a page at a "
            "time. Pass `pageInfo.endCursor` as `after` for the next page, with the same "
            "arguments; a cursor of another sort is refused."
        ),
    )
    async def payments(
        self,
        info: Info,
        first: PageSize = 20,
        after: PageAfter = None,
        filter: Annotated[
            PaymentFilter | None,
            strawberry.argument(description="Only payments meeting these conditions."),
        ] = None,
        sort_by: Annotated[
            PaymentSort, strawberry.argument(description="The order of the list.")
        ] = PaymentSort.RECEIVED_NEWEST,
    ) -> PaymentConnection | None:
        page = await payment_listing.list_payments(
            info.context,
            first=first,
            after=after,
            payment_filter=(filter or PaymentFilter()).to_resolver(),
            sort=Sort(cast(str, sort_by.value)),
        )
        return PaymentConnection.from_page(page)
