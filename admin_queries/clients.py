"""The staff listing of client companies: by name, searched, a keyset page at a time.

Only `clientCompanies` reaches it, behind `clients:read`, which no client user holds. Its
rows and its count still go through the caller's visibility clause (`loaders.clients`), so
even called past that gate it never shows, or counts, a company the caller may not see.
"""

from __future__ import annotations

from sqlalchemy import func, tuple_
from sqlmodel import col, select

from core.errors import BadUserInput
from loaders.clients import CLIENT_COMPANY_BY_ID
from models.clients import ClientCompany
from resolvers.context import Context
from resolvers.pagination import Page, check_page_size, decode_cursor, encode_cursor

NAME_SORT = "company_name"
MAX_SEARCH_LENGTH = 100


async def list_client_companies(
    ctx: Context, *, first: int, after: str | None, search: str | None
) -> Page[ClientCompany]:
    """Companies the caller may see, by name, whose name contains `search` (any case)."""
    check_page_size(first)
    conditions = [ctx.loaders.visible(CLIENT_COMPANY_BY_ID)]
    if search is not None and search.strip():
        if len(search) > MAX_SEARCH_LENGTH:
            raise BadUserInput(f"must be at most {MAX_SEARCH_LENGTH} characters", argument="search")
        conditions.append(col(ClientCompany.name).icontains(search.strip(), autoescape=True))
    statement = select(ClientCompany).where(*conditions)
    if after is not None:
        name, pk = decode_cursor(after, NAME_SORT, (str, int))
        key = tuple_(col(ClientCompany.name), col(ClientCompany.id))
        statement = statement.where(key > tuple_(name, pk))
    statement = statement.order_by(col(ClientCompany.name), col(ClientCompany.id)).limit(first + 1)
    rows = list(await ctx.session.scalars(statement))
    has_next_page = len(rows) > first
    rows = rows[:first]
    for row in rows:
        ctx.loaders.prime(CLIENT_COMPANY_BY_ID, row.id, row)

    async def total_count() -> int:
        count = select(func.count()).select_from(ClientCompany).where(*conditions)
        return int(await ctx.session.scalar(count) or 0)

    return Page(
        rows=rows,
        cursors=[encode_cursor(NAME_SORT, [row.name, row.id]) for row in rows],
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        total_count=total_count,
    )
