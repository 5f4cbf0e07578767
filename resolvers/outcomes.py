"""What every write shares: refusable transactions, ids from input, the audit row.

The result and issue types themselves live in `core.outcomes` (auth refuses with them too);
`schema.user_errors.user_errors` turns the issues into `userErrors`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit import record
from core.errors import BadUserInput
from core.global_id import decode_typed_id
from core.outcomes import Refused, WriteResult
from resolvers.context import Context

T = TypeVar("T")


def pk_of(global_id: str, type_name: str) -> int | None:
    """The primary key behind a global id of `type_name`; None for any other string."""
    try:
        return decode_typed_id(global_id, type_name, argument="id")
    except BadUserInput:
        return None


async def audit(
    ctx: Context,
    db: AsyncSession,
    *,
    action: str,
    target_type: str,
    target_id: int | None,
    changes: Mapping[str, Any],
) -> None:
    """One audit row for the caller's change, in the change's own transaction."""
    await record(
        db,
        actor=ctx.principal,
        action=action,
        target_type=target_type,
        target_id=target_id,
        changes=changes,
        request_id=ctx.request_id,
        client_ip=ctx.client_ip,
        actor_label=ctx.actor_label,
    )


async def refusable(ctx: Context, work: Callable[[AsyncSession], Awaitable[T]]) -> WriteResult[T]:
    """Run `work` in one write transaction; a `Refused` rolls it back and becomes the result."""
    try:
        async with ctx.database.transaction() as db:
            return WriteResult(row=await work(db))
    except Refused as refused:
        return WriteResult(issues=refused.issues)
