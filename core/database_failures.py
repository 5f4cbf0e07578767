"""When the database, not the request, is at fault: raised and recognised here, once.

Two failures a client answers by retrying the same request later (the HTTP layer makes them a
503 with Retry-After, `app.outages`):

- `DatabaseUnavailable`: no connection could be opened (the server is down, restarting or
  unreachable) or an open one was lost. The engine raises it in place of the driver's error
  (`watch_for_outages`), so no code needs to know asyncpg's or aiosqlite's exceptions.
- `DatabaseOverloaded`: every pooled connection stayed busy for DATABASE_POOL_TIMEOUT_SECONDS.
  The work that waited never got a connection, so it wrote nothing: a mutation so refused
  changed nothing.

Their messages are for the log and stderr (they may name the host); clients see `public_message`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sqlalchemy_errors
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from core.errors import ErrorCode


class DatabaseFailure(RuntimeError):
    """The database could not serve the request; retrying it later may succeed."""

    code: ErrorCode
    public_message: str
    retry_after_seconds: int


class DatabaseUnavailable(DatabaseFailure):
    """The database did not answer; raised with a message fit for one line on stderr."""

    code = ErrorCode.SERVICE_UNAVAILABLE
    public_message = "The database is unavailable. Retry after the seconds in Retry-After."
    # Long enough for a PostgreSQL restart or failover, short enough to notice it ended.
    retry_after_seconds = 5


class DatabaseOverloaded(DatabaseFailure):
    """No pooled connection came free in time; nothing ran."""

    code = ErrorCode.OVERLOADED
    public_message = "The server is too busy. Retry after the seconds in Retry-After."
    retry_after_seconds = 1


def one_line(error: BaseException) -> str:
    """`Type: first line of the message`, of the driver's error behind `error`."""
    reason = getattr(error, "orig", None) or error
    text = str(reason).strip()
    return f"{type(reason).__name__}: {text.splitlines()[0] if text else ''}"


def watch_for_outages(engine: AsyncEngine) -> None:
    """Make `engine` raise DatabaseUnavailable when it cannot connect or loses a connection."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Dialect, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except (OSError, TimeoutError, dialect.loaded_dbapi.Error) as error:
            raise DatabaseUnavailable(f"database unreachable: {one_line(error)}") from error

    @event.listens_for(engine.sync_engine, "handle_error")
    def _lost(context: ExceptionContext) -> BaseException | None:
        # A failed pre-ping is the pool's own business: it reconnects (or fails above).
        if context.is_disconnect and not context.is_pre_ping:
            lost = one_line(context.original_exception)
            return DatabaseUnavailable(f"database connection lost: {lost}")
        return None


def database_failure(error: BaseException | None) -> DatabaseFailure | None:
    """The database failure `error` is, or was raised from; None when it is something else."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DatabaseFailure):
            return error
        if isinstance(error, sqlalchemy_errors.TimeoutError):  # raised by the pool only
            overloaded = DatabaseOverloaded(f"no pooled database connection came free: {error}")
            overloaded.__cause__ = error
            return overloaded
        error = error.__cause__ or error.__context__
    return None
