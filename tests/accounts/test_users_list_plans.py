"""The users list's orders and search are served by their indexes (migration 0023): with
sequential scans priced out, PostgreSQL reads each page through the index named for it, which
it can only do when the statement's expression is the index's (the coalesced last sign-in
key, the lowered name, the pattern operators)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from admin_queries.accounts import ORDERS, UserSort, search_condition
from core.db import Database
from models.accounts import User


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


async def _indexes_used(session: AsyncSession, statement: Select[Any]) -> set[str]:
    bind = session.get_bind()
    sql = statement.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True})
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    await session.execute(text("SET LOCAL enable_sort = off"))
    # Nor the unique index on email plus an incremental sort by id, which the planner took
    # once the shared table's statistics made it look cheaper.
    await session.execute(text("SET LOCAL enable_incremental_sort = off"))
    explained = await session.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))
    assert explained is not None
    return {node["Index Name"] for node in _nodes(explained[0]["Plan"]) if "Index Name" in node}


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        (UserSort.NAME, "ix_users_full_name_id"),
        (UserSort.EMAIL, "ix_users_email_id"),
        (UserSort.LAST_SIGNED_IN, "ix_users_last_signed_in_key_id"),
    ],
)
async def test_each_order_pages_through_its_index(db: Database, sort: UserSort, index: str) -> None:
    statement = select(User).order_by(*ORDERS[sort].order_by()).limit(21)
    async with db.session() as session:
        assert index in await _indexes_used(session, statement)


async def test_the_search_finds_names_and_emails_through_their_prefix_indexes(
    db: Database,
) -> None:
    statement = select(User).where(search_condition("Mei")).limit(21)
    async with db.session() as session:
        used = await _indexes_used(session, statement)
    assert {"ix_users_full_name_lower_prefix", "ix_users_email_prefix"} <= used
