"""Every SQL statement sent on a test's database, whichever way it goes: through SQLAlchemy (its
execution events) or on the driver's own connection, as a request's reads are
(`core.prepared_reads`; asyncpg's query log). asyncpg's reads of a type it meets first on a
connection are the driver's own and are left out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


@contextmanager
def statements_sent(bind: AsyncEngine | AsyncConnection) -> Iterator[list[str]]:
    """The statements sent meanwhile on `bind`: an engine (each connection checked out from
    it meanwhile) or one connection (a test's transaction)."""
    sent: list[str] = []
    logged: list[Any] = []

    def note(*args: Any) -> None:
        sent.append(str(args[2]))

    def note_driver_query(query: Any) -> None:
        if not _introspects(query.query):
            sent.append(query.query)

    def log_driver(dbapi_connection: Any, *_: object) -> None:
        driver = dbapi_connection.driver_connection
        if driver not in logged:
            driver.add_query_logger(note_driver_query)
            logged.append(driver)

    if isinstance(bind, AsyncEngine):
        target: Any = bind.sync_engine
        event.listen(target, "checkout", log_driver)
    else:
        target = bind.sync_connection
        log_driver(target.connection.dbapi_connection)
    event.listen(target, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(target, "before_cursor_execute", note)
        if isinstance(bind, AsyncEngine):
            event.remove(target, "checkout", log_driver)
        for driver in logged:
            driver.remove_query_logger(note_driver_query)


def _introspects(text: str) -> bool:
    """asyncpg's own reads of a type (an array parameter's), with JIT turned off around them."""
    return "typeinfo_tree" in text or "'jit'" in text
