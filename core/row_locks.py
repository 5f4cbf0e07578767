"""Row-locking helpers: the one place where PostgreSQL and SQLite locking differ.

PostgreSQL lets many workers claim rows at once with `FOR UPDATE SKIP LOCKED`. SQLite has no
row locks; its write transactions (`BEGIN IMMEDIATE`) already run one at a time, so the plain
statement is correct there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select


def skip_locked(statement: Select[Any], dialect: str) -> Select[Any]:
    """Lock the selected rows, skipping rows another transaction holds (PostgreSQL)."""
    if dialect == "postgresql":
        return statement.with_for_update(skip_locked=True)
    return statement


def lock_for_update(statement: Select[Any], dialect: str) -> Select[Any]:
    """Lock the selected rows until the transaction ends, waiting for other holders."""
    if dialect == "postgresql":
        return statement.with_for_update()
    return statement


def lock_for_no_key_update(statement: Select[Any], dialect: str) -> Select[Any]:
    """Lock the selected rows against other writers (`FOR NO KEY UPDATE`), waiting for them.

    Weaker than `FOR UPDATE`: rows of other tables may still be inserted with a foreign key
    to the locked rows (they take `FOR KEY SHARE`), so serialising, say, a client's order
    placements does not also block unrelated inserts that point at the client.
    """
    if dialect == "postgresql":
        return statement.with_for_update(key_share=True)
    return statement
