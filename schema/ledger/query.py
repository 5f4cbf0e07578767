"""Finance's listing of receivables: what clients owe, by due date."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from admin_queries import ledger as receivable_listing
from auth.policy import Permission
from schema.info import Info
from schema.ledger.types import ReceivableConnection
from schema.node import PageAfter, PageSize
from schema.permissions import permission_field


@strawberry.input(description="Conditions on receivables; all given must hold.")
class ReceivableFilter:
    client: strawberry.ID | None = strawberry.field(
        default=None, description="Only this client company's (its global id)."
    )
    due_from: date | None = strawberry.field(
        default=None, description="Only those due on or after this date (none without one)."
    )
    due_to: date | None = strawberry.field(
        default=None,
        description=(
            "Only those due on or before this date (none without one); not before `dueFrom`."
        ),
    )
    overdue: bool | None = strawberry.field(
        default=None,
        description=(
            "True: only overdue ones (due before today, UTC, with a balance left, not "
            "reversed); false: only the others, those without a due date included."
        ),
    )

    def to_resolver(self) -> receivable_listing.ReceivableFilter:
        return receivable_listing.ReceivableFilter(
            client=self.client, due_from=self.due_from, due_to=self.due_to, overdue=self.overdue
        )


@strawberry.type
class LedgerQuery:
    @permission_field(
        Permission.FINANCE_READ,
        description=(
            "Receivables of every client, by due date (those without one yet last), a page at "
            "a time. Pass `pageInfo.endCursor` as `after` for the next page, with the same "
            "filter."
        ),
    )
    async def receivables(
        self,
        info: Info,
        first: PageSize = 20,
        after: PageAfter = None,
        filter: Annotated[
            ReceivableFilter | None,
            strawberry.argument(description="Only receivables meeting these conditions."),
        ] = None,
    ) -> ReceivableConnection | None:
        page = await receivable_listing.list_receivables(
            info.context,
            first=first,
            after=after,
            receivable_filter=None if filter is None else filter.to_resolver(),
        )
        return ReceivableConnection.from_page(page)
