"""The staff users list, and one user's live sessions, for the people who manage accounts.

`users` is reached behind `users:invite_clients`; its rows are scoped to the caller: holders
of `users:manage` see every user, everyone else (those who only invite client users) sees
client users only, in rows and in the count alike. A page is one statement whatever its size;
the company of each row comes through the request's loader, one statement for the page.

Search is a case-insensitive prefix of the full name or of the email, each through its own
`text_pattern_ops` index (migration 0023); emails are stored case-folded, so the search is
folded the same way. The orders: by name, by email, by last sign-in (newest first, never
signed in last, through the coalesced key), each ending in the id.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, literal, or_, true
from sqlmodel import col, select

from auth.policy import Permission
from auth.sessions import active_sessions
from core.errors import BadUserInput
from core.global_id import decode_typed_id
from loaders.clients import CLIENT_COMPANY_BY_ID
from models.accounts import Role, User, UserSession, last_signed_in_key
from models.clients import ClientCompany
from resolvers.context import Context
from resolvers.keyset import KeyKind, KeysetOrder, SortKey, keyset_page
from resolvers.pagination import Page
from resolvers.prefix_search import ESCAPE, like_prefix, starts_with

MAX_SEARCH_LENGTH = 100
# The key of users who never signed in (see `models.accounts.NEVER_SIGNED_IN`).
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class UserSort(StrEnum):
    NAME = "name"  # full name, A to Z
    EMAIL = "email"  # email, A to Z
    LAST_SIGNED_IN = "last_signed_in"  # most recent sign-in first; never signed in last


USER_ID = SortKey(col(User.id), KeyKind.INT)
ORDERS: dict[UserSort, KeysetOrder] = {
    UserSort.NAME: KeysetOrder("users:name", (SortKey(col(User.full_name), KeyKind.TEXT), USER_ID)),
    UserSort.EMAIL: KeysetOrder("users:email", (SortKey(col(User.email), KeyKind.TEXT), USER_ID)),
    UserSort.LAST_SIGNED_IN: KeysetOrder(
        "users:last_signed_in",
        (
            SortKey(last_signed_in_key(col(User.last_signed_in_at)), KeyKind.MOMENT, True),
            SortKey(col(User.id), KeyKind.INT, descending=True),
        ),
    ),
}


def _key_of(sort: UserSort) -> Any:
    if sort is UserSort.NAME:
        return lambda user: (user.full_name, user.id)
    if sort is UserSort.EMAIL:
        return lambda user: (user.email, user.id)
    return lambda user: (user.last_signed_in_at or NEVER, user.id)


@dataclass(frozen=True)
class UserFilter:
    """Users matching every condition given."""

    roles: Sequence[Role] | None = None
    client_company_id: str | None = None  # a global id
    disabled: bool | None = None
    mfa_enabled: bool | None = None


def search_condition(search: str) -> ColumnElement[bool]:
    """Users whose full name (any case) or email starts with `search`."""
    if len(search) > MAX_SEARCH_LENGTH:
        raise BadUserInput(f"must be at most {MAX_SEARCH_LENGTH} characters", argument="search")
    folded = unicodedata.normalize("NFKC", search).casefold()
    by_name = starts_with(col(User.full_name), search)
    return or_(by_name, col(User.email).like(literal(like_prefix(folded)), ESCAPE))


def _filter_conditions(given: UserFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if given.roles is not None:
        if not given.roles:
            raise BadUserInput("takes at least one role", argument="filter.roles")
        conditions.append(col(User.role).in_([role.value for role in given.roles]))
    if given.client_company_id is not None:
        company_id = decode_typed_id(
            given.client_company_id, "ClientCompany", argument="filter.clientCompanyId"
        )
        conditions.append(col(User.client_company_id) == company_id)
    if given.disabled is not None:
        disabled_at = col(User.disabled_at)
        conditions.append(disabled_at.is_not(None) if given.disabled else disabled_at.is_(None))
    if given.mfa_enabled is not None:
        confirmed = col(User.totp_confirmed_at)
        conditions.append(confirmed.is_not(None) if given.mfa_enabled else confirmed.is_(None))
    return conditions


def visible_users(ctx: Context) -> ColumnElement[bool]:
    """The users the caller may list: everyone with `users:manage`, else client users."""
    if ctx.principal.can(Permission.USERS_MANAGE):
        return true()
    return col(User.role) == Role.CLIENT.value


async def list_users(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    search: str | None,
    user_filter: UserFilter,
    sort: UserSort,
) -> Page[User]:
    """Users the caller may see matching the search and filter, a keyset page in `sort`."""
    conditions = [visible_users(ctx), *_filter_conditions(user_filter)]
    if search is not None and search.strip():
        conditions.append(search_condition(search.strip()))
    return await keyset_page(
        ctx.session,
        ORDERS[sort],
        select(User).where(*conditions),
        first=first,
        after=after,
        key_of=_key_of(sort),
    )


async def user_sessions(ctx: Context, user_id: str) -> list[UserSession] | None:
    """A user's live sessions, newest first; None when there is no such user."""
    pk = decode_typed_id(user_id, "User", argument="userId")
    async with ctx.database.session() as db:
        if await db.scalar(select(col(User.id)).where(col(User.id) == pk)) is None:
            return None
        return await active_sessions(db, pk)


async def user_company(ctx: Context, user: User) -> ClientCompany | None:
    """A listed user's company, through the request's loader: one statement for a page, and
    only a company the caller may see."""
    if user.client_company_id is None:
        return None
    found: ClientCompany | None = await ctx.loaders.one(
        CLIENT_COMPANY_BY_ID, user.client_company_id
    )
    return found
