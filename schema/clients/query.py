"""Client records as staff and clients read them: the listing, one company, my company, and
a client user's own account."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry

from admin_queries import clients as client_listing
from auth.policy import Permission
from core.global_id import decode_typed_id
from resolvers.clients import account as accounts
from resolvers.clients import reads as client_companies
from schema.clients.account import ClientAccount
from schema.clients.filters import ClientCompanyFilter, ClientCompanySort
from schema.clients.types import ClientCompany, ClientCompanyConnection
from schema.decimal_input import DecimalBounds
from schema.info import Info
from schema.node import PageAfter, PageSize
from schema.permissions import permission_field


@strawberry.type
class ClientQuery:
    @permission_field(
        Permission.CLIENTS_READ,
        description=(
            "Client companies, by name or in `sortBy` order, a page at a time. Pass "
            "`pageInfo.endCursor` as `after` for the next page, with the same search, filter "
            "and order."
        ),
        extensions=[DecimalBounds()],
    )
    async def client_companies(
        self,
        info: Info,
        first: PageSize = 20,
        after: PageAfter = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Only companies whose name contains this text, in any case."
            ),
        ] = None,
        filter: Annotated[
            ClientCompanyFilter | None,
            strawberry.argument(description="Only companies meeting these conditions."),
        ] = None,
        sort_by: Annotated[
            ClientCompanySort, strawberry.argument(description="The order of the companies.")
        ] = ClientCompanySort.NAME,
    ) -> ClientCompanyConnection | None:
        page = await client_listing.list_client_companies(
            info.context,
            first=first,
            after=after,
            search=search,
            company_filter=(filter or ClientCompanyFilter()).to_resolver(),
            sort=client_listing.CompanySort(cast(str, sort_by.value)),
        )
        return ClientCompanyConnection.from_page(page)

    @permission_field(
        Permission.CLIENTS_READ,
        description="A client company by its global id; null if there is none.",
    )
    async def client_company(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The company's global id.")],
    ) -> ClientCompany | None:
        pk = decode_typed_id(id, "ClientCompany", argument="id")
        row = await client_companies.client_company(info.context, pk)
        return None if row is None else ClientCompany.from_row(row)

    @strawberry.field(
        description=(
            "The company of the signed-in client user; null for every other caller, staff "
            "included. Its tax id, contacts, credit and terms stay staff-only."
        )
    )
    async def my_company(self, info: Info) -> ClientCompany | None:
        row = await client_companies.my_company(info.context)
        return None if row is None else ClientCompany.from_row(row)

    @strawberry.field(
        description=(
            "The signed-in client user's own company account: credit limit, used and "
            "available, payment terms, what is overdue and the open invoices. Null for every "
            "other caller, staff and API keys included (staff read `ClientCompany`)."
        )
    )
    async def my_account(self, info: Info) -> ClientAccount | None:
        row = await accounts.my_account(info.context)
        return None if row is None else ClientAccount.from_row(row)
