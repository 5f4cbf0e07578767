"""Savepoints are named by depth, so sibling savepoints send the same statements (which
asyncpg then prepares once), and nesting, release and rollback still act on the right one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection

from core.db import Database


async def test_siblings_share_a_name_and_each_rollback_and_release_hits_its_own(
    db: Database,
) -> None:
    connection = db.bind
    assert isinstance(connection, AsyncConnection)
    sent: list[str] = []

    def note(*args: Any) -> None:
        statement = args[2]
        if "SAVEPOINT" in statement:
            sent.append(statement)

    await connection.execute(text("CREATE TEMPORARY TABLE kept (label text)"))
    event.listen(connection.sync_connection, "before_cursor_execute", note)
    try:
        outer = await connection.begin_nested()
        await connection.execute(text("INSERT INTO kept VALUES ('a')"))
        inner = await connection.begin_nested()
        await connection.execute(text("INSERT INTO kept VALUES ('b')"))
        await inner.rollback()
        sibling = await connection.begin_nested()
        await connection.execute(text("INSERT INTO kept VALUES ('c')"))
        await sibling.commit()
        await outer.commit()
        after = await connection.begin_nested()
        await connection.execute(text("INSERT INTO kept VALUES ('d')"))
        await after.rollback()
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", note)

    labels = (await connection.execute(text("SELECT label FROM kept ORDER BY 1"))).scalars()
    assert list(labels) == ["a", "c"]
    assert sent == [
        "SAVEPOINT tq_savepoint_1",
        "SAVEPOINT tq_savepoint_2",
        "ROLLBACK TO SAVEPOINT tq_savepoint_2",
        "SAVEPOINT tq_savepoint_2",
        "RELEASE SAVEPOINT tq_savepoint_2",
        "RELEASE SAVEPOINT tq_savepoint_1",
        "SAVEPOINT tq_savepoint_1",
        "ROLLBACK TO SAVEPOINT tq_savepoint_1",
    ]
