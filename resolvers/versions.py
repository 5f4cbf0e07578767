"""Optimistic edits: a save names the version it read; of two saves based on one version, one wins.

The write is one conditional `UPDATE ... WHERE id = :id AND version = :expected` that also bumps
the version, so no lock is held between reading a record and saving it, and a stale save
changes nothing and is told the version to reload (CONFLICT).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from core.outcomes import Issue, Refused, UserErrorCode

Row = TypeVar("Row", bound=SQLModel)
VERSION_PATH = ("expectedVersion",)


def stale(what: str, current: int, path: tuple[str, ...] = VERSION_PATH) -> Refused:
    """The refusal of a save based on an old version of `what`."""
    return Refused(
        Issue(
            path,
            UserErrorCode.CONFLICT,
            f"the {what} was changed meanwhile (now at version {current} or later); "
            "reload it and apply your change again",
        )
    )


async def save_versioned(
    db: AsyncSession,
    model: type[Row],
    pk: int,
    expected_version: int,
    values: Mapping[str, Any],
    *,
    what: str,
    still: Sequence[ColumnElement[bool]] = (),
) -> Row:
    """`values` written and the version bumped, if the row is still at `expected_version`
    (and meets every condition in `still`); else Refused with CONFLICT. The returned row is
    the one now stored."""
    table: Any = model
    statement = (
        update(model)
        .where(table.id == pk, table.version == expected_version, *still)
        .values(**values, version=table.version + 1)
        .returning(model)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    saved: Row | None = (await db.scalars(statement)).first()
    if saved is None:
        raise stale(what, expected_version + 1)
    return saved
