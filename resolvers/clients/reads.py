"""Reading client companies as staff and clients both do: by id, the caller's own company,
a company's contacts and users.

Every read goes through the caller's visibility clause (`loaders.clients`), so a client user
never sees another company. The staff listing is in `admin_queries.clients`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from loaders.clients import (
    CLIENT_COMPANY_BY_ID,
    CONTACTS_BY_COMPANY,
    DUES_BY_COMPANY,
    USERS_BY_COMPANY,
)
from models.accounts import User
from models.clients import ClientCompany, ClientContact
from resolvers.context import Context
from resolvers.orders.standing import overdue_on, today_of


async def client_company(ctx: Context, company_id: int) -> ClientCompany | None:
    """The company if the caller may see it; None whether it is hidden or does not exist."""
    company: ClientCompany | None = await ctx.loaders.one(CLIENT_COMPANY_BY_ID, company_id)
    return company


async def my_company(ctx: Context) -> ClientCompany | None:
    """The company a client user belongs to; None for every other caller."""
    if ctx.principal.client_company_id is None:
        return None
    return await client_company(ctx, ctx.principal.client_company_id)


async def company_contacts(ctx: Context, company: ClientCompany) -> list[ClientContact]:
    return await ctx.loaders.many(CONTACTS_BY_COMPANY, company.id)


async def company_users(ctx: Context, company: ClientCompany) -> list[User]:
    return await ctx.loaders.many(USERS_BY_COMPANY, company.id)


async def company_overdue(ctx: Context, company: ClientCompany) -> Decimal:
    """What the company owes past its due dates today, in its credit currency: the stored
    figure, plus its dues past due since (one statement for a whole page)."""
    dues = await ctx.loaders.many(DUES_BY_COMPANY, company.id)
    return overdue_on(company, dues, today_of(datetime.now(UTC)))
