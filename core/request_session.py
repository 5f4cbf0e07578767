"""One read session per request, shared by every loader and resolver of that request.

Loaders of one request dispatch their batches concurrently, but an AsyncSession must not be
used by two coroutines at once; a lock serialises them on one connection, so the request
reads from one consistent connection and holds at most one pooled connection.

Reads are Core rows, not ORM instances. A statement that selects one model (`select(Product)`)
is run as a select of that model's columns, and each row comes back as a Core row whose
attributes are the model's: every model's attribute names are its column names, which a test
holds, and a model with properties of its own is read as instances. The same values, read the
same way, without the identity map, instance state and validation an ORM instance costs (most
of an uncached listing's CPU, docs/benchmarks.md). They are typed as the model for their
readers and are read-only: a request's reads are never written back; writers open their own
session.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Row, Select, Table
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database, count_statement_sent
from core.prepared_reads import PreparedRead, prepared_statement

T = TypeVar("T")


def model_table(statement: Select[Any]) -> Table | None:
    """The table of the one model `statement` selects whole; None for any other select."""
    described = statement.column_descriptions
    if len(described) != 1:
        return None
    entity = described[0].get("entity")
    if entity is None or described[0]["expr"] is not entity or described[0].get("aliased"):
        return None
    return _plain_table(entity)


@cache
def _plain_table(model: type) -> Table | None:
    """The model's table, if the model is its columns alone: a model with a property of its
    own (`User.has_mfa`) is read as instances, since a row would not have it."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        return None
    own = (v for k, v in vars(model).items() if not k.startswith("_"))
    return None if any(isinstance(v, property) or inspect.isfunction(v) for v in own) else table


def as_core(statement: Select[Any], table: Table | None = None) -> Select[Any]:
    """`statement` reading its model's columns rather than building its instances; `table`,
    when the caller has already found it with `model_table`."""
    table = table if table is not None else model_table(statement)
    return statement if table is None else statement.with_only_columns(*table.columns)


class RequestSession:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._session: AsyncSession | None = None
        # The session's connection as the driver's (asyncpg) and its SQLAlchemy adapter:
        # found once, since a read session keeps its one connection until it closes.
        self._driver: tuple[Any, Any] | None = None
        self._lock = asyncio.Lock()

    @property
    def dialect(self) -> str:
        """The name of the database's dialect: "postgresql" or "sqlite"."""
        return self._database.dialect

    def _get(self) -> AsyncSession:
        if self._session is None:
            self._session = self._database.read_session()
        return self._session

    async def scalars(self, statement: Select[T]) -> Sequence[T]:
        """The first column of each row; a model selected whole comes back as its rows."""
        table = model_table(statement)
        if table is not None:
            return cast(Sequence[T], await self.core_rows(as_core(statement, table), {}))
        rows = await self._read(statement, lambda: self._orm(statement))
        return [row[0] for row in rows]

    async def core_rows(
        self, statement: Select[Any], parameters: dict[str, Any]
    ) -> Sequence[Row[Any]]:
        """The rows of a Core statement (a model's columns, `as_core`) with its parameters."""
        if parameters:  # a relation's statement whose read could not be prepared
            async with self._lock:
                return await self._core(statement, parameters)
        return await self._read(statement, lambda: self._core(statement, {}))

    async def prepared_rows(self, read: PreparedRead, parameters: dict[str, Any]) -> Sequence[Any]:
        """The rows of a prepared read (`core.prepared_reads`) with its runtime parameters."""
        if self.dialect != "postgresql":
            return await self.core_rows(read.statement, parameters)
        return await self._on_driver(
            read, parameters, lambda: self._core(read.statement, parameters)
        )

    async def scalar(self, statement: Select[T]) -> T | None:
        """The first column of the first row: a model selected whole as its row."""
        table = model_table(statement)
        if table is not None:
            found = await self.core_rows(as_core(statement, table), {})
            return cast(T, found[0]) if found else None
        rows = await self._read(statement, lambda: self._first(statement))
        return cast(T, rows[0][0]) if rows else None

    async def rows(self, statement: Select[*tuple[Any, ...]]) -> Sequence[Row[*tuple[Any, ...]]]:
        return await self._read(statement, lambda: self._orm(statement))

    async def _read(
        self, statement: Select[Any], sqlalchemys_way: Callable[[], Awaitable[Sequence[Any]]]
    ) -> Sequence[Any]:
        """The rows of `statement`: on PostgreSQL on the driver, by its shape's prepared read
        (`core.prepared_reads.prepared_statement`); else, or when its shape cannot be
        prepared, `sqlalchemys_way`."""
        shaped = prepared_statement(statement) if self.dialect == "postgresql" else None
        if shaped is not None:
            return await self._on_driver(*shaped, sqlalchemys_way)
        async with self._lock:
            return await sqlalchemys_way()

    async def _on_driver(
        self,
        read: PreparedRead,
        values: dict[str, Any],
        sqlalchemys_way: Callable[[], Awaitable[Sequence[Any]]],
    ) -> Sequence[Any]:
        """`read` with `values`, on the driver's connection. When the driver raises, the
        statement runs again SQLAlchemy's way, which translates the error and invalidates
        a lost connection; a read is safe to run twice."""
        async with self._lock:
            adapted, driver = self._driver or await self._driver_connection()
            try:
                # As SQLAlchemy's adapter runs a statement: alone on the connection (another
                # session may share it: a test's one connection), and inside the transaction
                # the connection is in, begun first if it is due and not begun yet.
                async with adapted._execute_mutex:
                    if adapted._transaction is None:
                        await adapted._start_transaction()
                    if not read.knows_result_types:
                        prepared = await driver.prepare(read.sql)
                        read.learn_result_types([a.type.oid for a in prepared.get_attributes()])
                    records = await driver.fetch(read.sql, *read.arguments(values))
            except Exception:
                self._driver = None  # SQLAlchemy may now replace a lost connection
                return await sqlalchemys_way()
            count_statement_sent()
            return read.rows(records)

    async def _driver_connection(self) -> tuple[Any, Any]:
        raw = await (await self._get().connection()).get_raw_connection()
        self._driver = (raw.dbapi_connection, raw.driver_connection)
        return self._driver

    async def _core(self, statement: Select[Any], parameters: dict[str, Any]) -> Sequence[Any]:
        connection = await self._get().connection()
        found: Sequence[Row[Any]] = (await connection.execute(statement, parameters)).all()
        return found

    async def _orm(self, statement: Select[Any]) -> Sequence[Any]:
        found: Sequence[Any] = (await self._get().execute(statement)).all()
        return found

    async def _first(self, statement: Select[Any]) -> Sequence[Any]:
        """The first row alone, as `AsyncSession.scalar` reads it: [] when there is none."""
        first = (await self._get().execute(statement)).first()
        return [] if first is None else [first]

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work` on the request's session, alone: for statements the methods above do not
        take, such as textual SQL shared with the worker's code."""
        async with self._lock:
            return await work(self._get())

    async def close(self) -> None:
        self._driver = None
        if self._session is not None:
            await self._session.close()
            self._session = None
