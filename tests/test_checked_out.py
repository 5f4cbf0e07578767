"""A committed test's connections still in use when it ends are counted and closed
(tests/checked_out.py), so one failing racing test cannot starve the tests after it."""

from __future__ import annotations

import asyncio

from core.db import create_engine
from core.settings import Settings
from tests.checked_out import CheckedOut
from tests.databases import admin_connection


async def _backend_ended(pid: int) -> None:
    """Returns once the server no longer has the backend `pid`."""
    admin = await admin_connection()
    try:
        for _ in range(100):
            alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
            if not await admin.fetchval(alive, pid):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"backend {pid} still runs")
    finally:
        await admin.close()


async def test_a_connection_left_in_use_is_counted_and_its_backend_ends(committed_url: str) -> None:
    engine = create_engine(Settings(env="test", database_url=committed_url))
    in_use = CheckedOut(engine)
    try:
        returned = await engine.connect()
        await returned.close()
        left_behind = await engine.connect()  # as a request still running when its test ends
        pid = int((await left_behind.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one())

        assert await in_use.closed_after(0.2) == 1

        await _backend_ended(pid)
        await left_behind.invalidate()
    finally:
        await engine.dispose()


async def test_connections_given_back_in_time_are_not_counted(committed_url: str) -> None:
    engine = create_engine(Settings(env="test", database_url=committed_url))
    in_use = CheckedOut(engine)
    try:
        connection = await engine.connect()

        async def give_back_soon() -> None:
            await asyncio.sleep(0.1)
            await connection.close()

        giving_back = asyncio.create_task(give_back_soon())
        assert await in_use.closed_after(5) == 0
        await giving_back
    finally:
        await engine.dispose()
