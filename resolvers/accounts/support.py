"""What the account resolvers share: a caller's origin, their user id, refusable transactions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from auth.origin import Origin
from auth.problems import AccountRefused, Problem
from resolvers.context import Context

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A mutation's result: its value, or the problems that stopped it (nothing changed)."""

    value: T | None = None
    problems: list[Problem] = field(default_factory=list)


def origin_of(ctx: Context) -> Origin:
    return Origin(request_id=ctx.request_id, client_ip=ctx.client_ip, user_agent=ctx.user_agent)


def own_user_id(ctx: Context) -> int:
    """The signed-in user; the schema lets only user sessions reach these resolvers."""
    user_id = ctx.principal.user_id
    assert user_id is not None, "the schema admits only signed-in users here"
    return user_id


async def refusable(ctx: Context, work: Callable[[AsyncSession], Awaitable[T]]) -> Outcome[T]:
    """Run `work` in one write transaction; an `AccountRefused` rolls it back."""
    try:
        async with ctx.database.transaction() as db:
            return Outcome(value=await work(db))
    except AccountRefused as refused:
        return Outcome(problems=[refused.problem])
