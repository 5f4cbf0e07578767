"""`FOR NO KEY UPDATE`, under a name that says what it is: SQLAlchemy spells it `key_share`;
and transactions serialised by name, for invariants that span rows.

SQLAlchemy renders no locking clause on SQLite, whose write transactions (`BEGIN IMMEDIATE`)
already run one at a time, so the same statement is correct on both databases. Plain
`FOR UPDATE` and `SKIP LOCKED` are written with `with_for_update` where they are needed.
"""

from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession


def lock_for_no_key_update(statement: Select[Any]) -> Select[Any]:
    """Lock the selected rows against other writers (`FOR NO KEY UPDATE`), waiting for them.

    Weaker than `FOR UPDATE`: rows of other tables may still be inserted with a foreign key
    to the locked rows (they take `FOR KEY SHARE`), so serialising, say, a client's order
    placements does not also block unrelated inserts that point at the client.
    """
    return statement.with_for_update(key_share=True)


async def serialise_transactions(session: AsyncSession, name: str) -> None:
    """Make the transactions that call this with `name` run one after another, until commit.

    For invariants no row lock covers, such as "the category tree has no cycle", which two
    moves of different rows could break together. PostgreSQL takes a transaction-scoped
    advisory lock; SQLite's write transactions already run one at a time.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    key = zlib.crc32(name.encode()) - 2**31  # a stable signed 32-bit key per name
    await session.execute(select(func.pg_advisory_xact_lock(key)))
