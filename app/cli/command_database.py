"""The database for one operator command, and failures an operator can fix, in one line."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.exc import OperationalError, ProgrammingError

from core.db import Database, create_engine
from core.settings import Settings


class OperatorError(Exception):
    """Reported by `tradeql` as one line on stderr, with exit status 1."""


@asynccontextmanager
async def command_database(
    settings: Settings,
    *,
    expected: tuple[type[Exception], ...] = (),
    describe: Callable[[Exception], str] = str,
) -> AsyncIterator[Database]:
    """A checked connection for the command; `expected` failures become OperatorError."""
    engine = create_engine(settings)
    try:
        database = Database(engine)
        await database.check_connection()
        try:
            yield database
        except expected as failure:
            raise OperatorError(describe(failure)) from None
        except (OperationalError, ProgrammingError) as failure:
            reason = str(failure.orig).strip().splitlines()[0] if failure.orig else "unknown"
            raise OperatorError(
                f"database error: {reason} (has `tradeql migrate` been run?)"
            ) from None
    finally:
        await engine.dispose()
