"""The pool keeps the connections it opens, pings only one that sat idle, and replaces one
found dead before any request sees it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import create_engine
from core.settings import Settings
from tests.concurrently import settled

IDLE_SECONDS = 0.3


class PoolWatch:
    """What the pool did with the database: connections opened, pings sent."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.opened = 0
        self.pings = 0
        event.listen(engine.sync_engine, "connect", self._on_connect)
        dialect = engine.sync_engine.dialect
        ping: Callable[[Any], bool] = dialect.do_ping

        def counted_ping(dbapi_connection: Any) -> bool:
            self.pings += 1
            return ping(dbapi_connection)

        dialect.do_ping = counted_ping  # type: ignore[method-assign]

    def _on_connect(self, _dbapi_connection: Any, _record: Any) -> None:
        self.opened += 1


@pytest.fixture
async def engine(committed_url: str) -> AsyncIterator[AsyncEngine]:
    """Two connections at most (DATABASE_POOL_SIZE 1 and as many again)."""
    settings = Settings(
        env="test",
        database_url=committed_url,
        database_pool_size=1,
        database_idle_ping_seconds=IDLE_SECONDS,
    )
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


async def backend_pid(engine: AsyncEngine, hold_seconds: float = 0) -> int:
    async with engine.connect() as connection:
        pid = await connection.scalar(text("SELECT pg_backend_pid()"))
        if hold_seconds:
            await connection.execute(text("SELECT pg_sleep(:s)"), {"s": hold_seconds})
    assert isinstance(pid, int)
    return pid


async def test_a_connection_back_a_moment_ago_is_reused_without_a_ping(
    engine: AsyncEngine,
) -> None:
    watch = PoolWatch(engine)
    pids = {await backend_pid(engine) for _ in range(30)}
    assert len(pids) == 1
    assert watch.pings == 0
    assert watch.opened == 1


async def test_bursts_beyond_the_pool_size_open_its_connections_once_and_keep_them(
    engine: AsyncEngine,
) -> None:
    watch = PoolWatch(engine)
    pids: set[int] = set()
    for _ in range(4):
        burst = await settled(*(backend_pid(engine, 0.05) for _ in range(6)))
        pids.update(burst)
    # Before, the second connection was overflow: closed after each burst, opened for the next.
    assert watch.opened == 2
    assert len(pids) == 2


async def test_an_idle_connection_that_died_is_replaced_before_use(
    engine: AsyncEngine, committed_url: str
) -> None:
    watch = PoolWatch(engine)
    dead = await backend_pid(engine)
    killer = create_engine(Settings(env="test", database_url=committed_url))
    try:
        async with killer.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
    finally:
        await killer.dispose()
    await asyncio.sleep(IDLE_SECONDS)  # idle long enough to be pinged

    assert await backend_pid(engine) != dead  # answered, on a new connection
    assert watch.pings == 1
    assert watch.opened == 2
