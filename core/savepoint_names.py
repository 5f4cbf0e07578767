"""Savepoint names that repeat, so asyncpg's statement cache keeps its statements.

SQLAlchemy names each savepoint of a connection anew (`sa_savepoint_1`, `_2`, ...), and its
asyncpg dialect prepares every statement it sends and keeps it in a cache of 100 per
connection. A transaction that runs many savepoints in turn (a catalog import runs one per
record) therefore prepares two new statements per savepoint and pushes every other statement
out of the cache, so each of those is prepared again too: measured, a record's savepoint
cost about 1 ms of CPU, more than its own statements.

Here each savepoint is named by its depth instead (`tq_savepoint_1` for the outermost open
one), so siblings share a name and their statements are prepared once. Names stay unique
among the savepoints open at once, which is all PostgreSQL needs: RELEASE and ROLLBACK TO
act on the latest savepoint of a name, and a savepoint that was rolled back to and then
left (as SQLAlchemy leaves it) is shadowed by the next one of its depth.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event

# SQLAlchemy's names of the savepoints open in the connection's transaction, outermost first.
_OPEN = "tradeql.open_savepoints"


def reuse_savepoint_names(engine: Engine) -> None:
    """Make `engine`'s dialect name savepoints by depth (see the module's docstring)."""
    dialect: Any = engine.dialect
    savepoint, release, rollback_to = (
        dialect.do_savepoint,
        dialect.do_release_savepoint,
        dialect.do_rollback_to_savepoint,
    )

    def do_savepoint(connection: Connection, name: str) -> None:
        names = _open(connection)
        names.append(name)
        savepoint(connection, _by_depth(len(names)))

    def do_release_savepoint(connection: Connection, name: str) -> None:
        depth = _depth_of(connection, name)
        del _open(connection)[depth - 1 :]  # PostgreSQL releases the later ones with it
        release(connection, _by_depth(depth))

    def do_rollback_to_savepoint(connection: Connection, name: str) -> None:
        depth = _depth_of(connection, name)
        del _open(connection)[depth - 1 :]
        rollback_to(connection, _by_depth(depth))

    dialect.do_savepoint = do_savepoint
    dialect.do_release_savepoint = do_release_savepoint
    dialect.do_rollback_to_savepoint = do_rollback_to_savepoint

    @event.listens_for(engine, "begin")
    def _forget_savepoints(connection: Connection) -> None:
        # A new transaction has no savepoint open, whatever an earlier one left behind.
        connection.info[_OPEN] = []


def _open(connection: Connection) -> list[str]:
    names: list[str] = connection.info.setdefault(_OPEN, [])
    return names


def _depth_of(connection: Connection, name: str) -> int:
    names = _open(connection)
    return len(names) - names[::-1].index(name)


def _by_depth(depth: int) -> str:
    return f"tq_savepoint_{depth}"
