"""One read session per request, shared by every loader and resolver of that request.

Loaders of one request dispatch their batches concurrently, but an AsyncSession must not be
used by two coroutines at once; a lock serialises them on one connection, so the request
reads from one consistent connection and holds at most one pooled connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Row, Select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database

T = TypeVar("T")


class RequestSession:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()

    def _get(self) -> AsyncSession:
        if self._session is None:
            self._session = self._database.session()
        return self._session

    async def scalars(self, statement: Select[T]) -> Sequence[T]:
        async with self._lock:
            return (await self._get().scalars(statement)).all()

    async def scalar(self, statement: Select[T]) -> T | None:
        async with self._lock:
            result: T | None = await self._get().scalar(statement)
            return result

    async def rows(self, statement: Select[*tuple[Any, ...]]) -> Sequence[Row[*tuple[Any, ...]]]:
        async with self._lock:
            result = await self._get().execute(statement)
            return result.all()

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work` on the request's session, alone: for statements the methods above do not
        take, such as textual SQL shared with the worker's code."""
        async with self._lock:
            return await work(self._get())

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
