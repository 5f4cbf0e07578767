"""What every write returns: the row as changed, or the reasons nothing was changed.

Shared by every domain's mutations; each domain names its own stable error codes (a
StrEnum), and `schema.user_errors.user_errors` turns the issues into `userErrors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from auth.audit import record
from core.errors import BadUserInput
from core.global_id import decode_typed_id
from resolvers.context import Context

T = TypeVar("T")


@dataclass(frozen=True)
class Issue:
    """One reason a change was refused; `field` is the path of the input at fault."""

    field: tuple[str, ...] | None
    code: StrEnum
    message: str


@dataclass(frozen=True)
class WriteResult(Generic[T]):
    """The row as changed, or the reasons nothing was changed."""

    row: T | None = None
    issues: list[Issue] = field(default_factory=list)


def refused(path: tuple[str, ...] | None, code: StrEnum, message: str) -> WriteResult[Any]:
    return WriteResult(issues=[Issue(path, code, message)])


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
    )
