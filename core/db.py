"""Database engine and sessions for PostgreSQL (asyncpg) and the embedded SQLite default.

SQLite gets WAL, a busy timeout, foreign keys and `BEGIN IMMEDIATE` for write sessions, so
concurrent writers queue instead of failing with "database is locked" half-way through.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from itertools import chain
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session, SessionTransaction

from core.catalog_index.facet_counts import facet_contributions
from core.catalog_index.flush_changes import CatalogChanges, persisted_product_ids
from core.database_failures import DatabaseUnavailable, one_line, watch_for_outages
from core.deferred_writes import DeferredWrites
from core.pool_health import ping_after_idle
from core.savepoint_names import reuse_savepoint_names
from core.settings import Settings
from models.catalog import AttributeDefinition, Category, PriceTier, Product, ProductType, Variant
from models.catalog.rules import check_currency, check_product, check_variant

SQLITE_BUSY_TIMEOUT_MS = 5_000

# Set in a session's `info` when it wrote catalog rows; read by `Database.transaction()` after
# the commit. Writers that bypass the ORM (the bulk seeder's Core inserts) set it themselves.
CATALOG_CHANGED = "catalog_changed"
# Set by core.outbox.emit: the transaction added outbox events, so its commit wakes workers.
OUTBOX_EMITTED = "outbox_emitted"
_DATABASE = "tradeql.database"
# Only stock moved (an order reserved, released or shipped it): cached reads may lag a little.
STOCK_CHANGED = "stock_changed"
# Every row a public catalog read can show: a flush of any of them invalidates cached reads.
CATALOG_MODELS = (Product, Variant, PriceTier, Category, ProductType, AttributeDefinition)

_statement_counter: ContextVar[list[int] | None] = ContextVar("statement_counter", default=None)


def create_engine(settings: Settings) -> AsyncEngine:
    if settings.is_sqlite:
        engine = create_async_engine(settings.database_url)
        _configure_sqlite(engine)
    else:
        engine = create_async_engine(
            settings.database_url,
            # Every connection opened is kept: an overflow connection was opened for a burst
            # and closed when handed back, to be opened again for the next one.
            pool_size=settings.database_pool_connections,
            max_overflow=0,
            pool_timeout=settings.database_pool_timeout_seconds,
            connect_args={"timeout": 5, "command_timeout": 60},
            json_deserializer=_json_loads,
        )
        ping_after_idle(engine, settings.database_idle_ping_seconds)
    watch_for_outages(engine)
    event.listen(engine.sync_engine, "before_cursor_execute", _count_statement)
    if not settings.is_sqlite:
        reuse_savepoint_names(engine.sync_engine)
    return engine


def _json_loads(text: str) -> Any:
    """A JSON column's value: read by orjson, several times faster than the standard library
    on the specs, options and incoterms every listing reads. orjson reads an integer beyond
    64 bits as a float, losing digits: a value with 19 digits in a row, which any such integer
    has, is read by the standard library."""
    if _NINETEEN_DIGITS.search(text):
        return json.loads(text)
    return orjson.loads(text)


_NINETEEN_DIGITS = re.compile(r"\d{19}")


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("sqlite_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


def _count_statement(
    _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    """Count round trips that read or write data; transaction control is not a query."""
    if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
        count_statement_sent()


def count_statement_sent() -> None:
    """Count one statement sent past SQLAlchemy's events (`core.prepared_reads`)."""
    counter = _statement_counter.get()
    if counter is not None:
        counter[0] += 1


@contextmanager
def count_statements(counter: list[int] | None = None) -> Iterator[list[int]]:
    """Count SQL statements sent from this context (a request, a test); read `[0]`."""
    counter = counter if counter is not None else [0]
    token = _statement_counter.set(counter)
    try:
        yield counter
    finally:
        _statement_counter.reset(token)


class Database:
    """Hands out sessions. Bound to an engine in the app, or to one connection in tests."""

    def __init__(self, bind: AsyncEngine | AsyncConnection) -> None:
        self.bind = bind
        self.dialect = bind.dialect.name
        # Called after a transaction that wrote catalog rows commits, never before: a reader
        # that sees the new catalog version must also see the new rows. The app registers a
        # bump of the cached catalog reads' version here.
        self.on_catalog_committed: Callable[[], Awaitable[object]] | None = None
        # Called instead after a transaction that changed only stock; the app coalesces
        # these (app/coalesced_bump.py). Unset, stock changes count as catalog writes.
        self.on_stock_committed: Callable[[], Awaitable[object]] | None = None
        # Called after a transaction that emitted outbox events commits, however its session
        # was opened: the embedded SQLite worker wakes here (PostgreSQL workers LISTEN).
        self.on_outbox_committed: Callable[[], None] | None = None
        # Set by a bulk writer bound to one connection (the catalog import): its sessions
        # gather their catalog changes, audit rows and events here, and it writes them once,
        # before it commits (core/deferred_writes.py).
        self.deferred: DeferredWrites | None = None
        # What requests' reads are bound to (`read_session`): a PostgreSQL engine in autocommit,
        # else the bind itself (SQLite, or the one connection of a test's transaction).
        self._reads_bind: AsyncEngine | AsyncConnection = (
            bind.execution_options(isolation_level="AUTOCOMMIT")
            if isinstance(bind, AsyncEngine) and self.dialect != "sqlite"
            else bind
        )

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def session(self, *, write: bool = False) -> AsyncSession:
        bind = self.bind
        if write and self.is_sqlite and isinstance(bind, AsyncEngine):
            bind = bind.execution_options(sqlite_write=True)
        return self._session_on(bind)

    def read_session(self) -> AsyncSession:
        """A session for a request's reads. On a PostgreSQL engine it reads outside any
        transaction: at READ COMMITTED each statement sees its own snapshot whether or not a
        transaction wraps it, so the BEGIN and ROLLBACK around a request's reads were two round
        trips that bought nothing. Writers use `transaction()`."""
        return self._session_on(self._reads_bind)

    def _session_on(self, bind: AsyncEngine | AsyncConnection) -> AsyncSession:
        return AsyncSession(
            bind=bind,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
            info={_DATABASE: self},
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write session inside one transaction: committed on success, rolled back on error."""
        async with self.session(write=True) as session:
            async with session.begin():
                yield session
            if session.info.get(CATALOG_CHANGED):
                if self.on_catalog_committed is not None:
                    await self.on_catalog_committed()
            elif session.info.get(STOCK_CHANGED):
                callback = self.on_stock_committed or self.on_catalog_committed
                if callback is not None:
                    await callback()

    async def check_connection(self) -> None:
        """Raise DatabaseUnavailable, with a one-line reason, unless the database answers."""
        self._check_sqlite_directory()
        try:
            async with self.session() as session:
                await session.execute(select(1))
        except (DBAPIError, OSError, TimeoutError) as error:
            raise DatabaseUnavailable(f"database unreachable: {one_line(error)}") from error

    def _check_sqlite_directory(self) -> None:
        # Failing before aiosqlite tries avoids its worker thread outliving the event loop.
        path = self.bind.engine.url.database if self.is_sqlite else None
        if path and path != ":memory:" and not Path(path).resolve().parent.is_dir():
            raise DatabaseUnavailable(
                f"database unreachable: OperationalError: unable to open database file "
                f"(no directory {Path(path).resolve().parent})"
            )


@event.listens_for(Session, "after_commit")
def _announce_outbox_events(session: Session) -> None:
    emitted = session.info.pop(OUTBOX_EMITTED, False)
    hook = getattr(session.info.get(_DATABASE), "on_outbox_committed", None)
    if emitted and hook is not None:
        hook()


@event.listens_for(Session, "after_transaction_end")
def _forget_outbox_events(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the session's whole transaction, not a savepoint
        session.info.pop(OUTBOX_EMITTED, None)


_FACETS_BEFORE = "tradeql.facet_counts_before_flush"


@event.listens_for(Session, "before_flush")
def _check_catalog_writes(session: Session, _context: Any, _instances: Any) -> None:
    """Apply the catalog's write rules to every ORM write, whichever code path makes it."""
    for obj in chain(session.new, session.dirty):
        if isinstance(obj, Product):
            with session.no_autoflush:
                attributes = session.scalars(
                    select(AttributeDefinition).where(
                        AttributeDefinition.product_type_id == obj.product_type_id  # type: ignore[arg-type]
                    )
                ).all()
            check_product(obj, attributes)
        elif isinstance(obj, Variant):
            check_variant(obj)
        elif isinstance(obj, PriceTier):
            check_currency("currency", obj.currency)
    # What the stored products about to change count in facet_value_counts, while it is
    # stored; set on every flush, so nothing from a flush that failed is ever subtracted.
    # A deferred index reads it once, when it is applied.
    if deferred_writes(session) is not None:
        return
    products = persisted_product_ids(chain(session.dirty, session.deleted))
    session.info[_FACETS_BEFORE] = (
        facet_contributions(session.connection(), products) if products else None
    )


@event.listens_for(Session, "after_flush")
def _index_catalog_writes(session: Session, _context: Any) -> None:
    """Rewrite the discovery rows (spec values, search documents, from-prices) of what the
    flush wrote, in the same transaction, so filters never see a product half-indexed; and
    mark the session, so its commit invalidates cached catalog reads."""
    if any(
        isinstance(obj, CATALOG_MODELS)
        for obj in chain(session.new, session.dirty, session.deleted)
    ):
        session.info[CATALOG_CHANGED] = True
    changes = CatalogChanges.collect(
        chain(session.new, session.dirty), session.deleted, session.info.pop(_FACETS_BEFORE, None)
    )
    deferred = deferred_writes(session)
    if deferred is None:
        changes.apply(session.connection())
    else:
        deferred.index.add(changes)


def deferred_writes(session: Session | AsyncSession) -> DeferredWrites | None:
    """The writes the session's bulk writer defers to its commit, if it is one."""
    database = session.info.get(_DATABASE)
    return None if database is None else database.deferred
