"""A worker claims again as soon as it can: when a slot frees up with a backlog waiting, and
when a new event commits (PostgreSQL NOTIFY; SQLite's in-process wake-up is tested with the
embedded worker). Its poll is set to the longest allowed, so a test can only finish within
its bound if the worker did not wait the poll out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.worker import Worker
from app.worker_main import build_worker, job_context
from core import outbox
from core.db import Database, create_engine
from core.outbox_listener import LISTENER_APPLICATION_NAME
from core.settings import Settings
from tests.databases import admin_connection
from tests.tcp_proxy import TcpProxy

LONGEST_POLL_SECONDS = 60.0
# Far below the poll (and its 30 s cap): reaching it means the worker waited for its poll.
BOUND_SECONDS = 20


@asynccontextmanager
async def running_worker(settings: Settings, database: Database) -> AsyncIterator[Worker]:
    stop = asyncio.Event()
    async with job_context(settings, database) as context:
        worker = build_worker(settings, database, context)
        task = asyncio.create_task(worker.run(stop))
        try:
            yield worker
        finally:
            stop.set()
            await task


async def _emit(database: Database, count: int = 1) -> list[int]:
    async with database.transaction() as session:
        events = [await outbox.emit(session, "test.effect", {}) for _ in range(count)]
    return [event.id for event in events if event.id is not None]


async def _all_done(database: Database, event_ids: list[int]) -> None:
    async with asyncio.timeout(BOUND_SECONDS):
        while True:
            async with database.session() as session:
                done = await session.scalar(
                    text(
                        "SELECT count(*) FROM outbox_events WHERE id = ANY(:ids) AND state = 'done'"
                    ),
                    {"ids": event_ids},
                )
            if done == len(event_ids):
                return
            await asyncio.sleep(0.02)


async def _listening_pid(worker: Worker, other_than: int | None = None) -> int:
    """The listening backend's pid, once the worker listens (on a connection after `other_than`)."""
    assert worker.listener is not None
    async with asyncio.timeout(BOUND_SECONDS):
        while True:
            pid = worker.listener.server_pid
            if pid is not None and pid != other_than:
                return pid
            await asyncio.sleep(0.02)


async def _not_listening(worker: Worker) -> None:
    assert worker.listener is not None
    async with asyncio.timeout(BOUND_SECONDS):
        while True:
            if worker.listener.server_pid is None:
                return
            await asyncio.sleep(0.02)


async def _listeners_left(database_name: str) -> int:
    connection = await admin_connection()
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = $1 AND application_name = $2",
                database_name,
                LISTENER_APPLICATION_NAME,
            )
        )
    finally:
        await connection.close()


def _slow_poll(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update={"worker_poll_seconds": LONGEST_POLL_SECONDS, **changes})


async def test_a_backlog_drains_without_waiting_for_the_poll(
    committed_db: Database, jobs_settings: Settings
) -> None:
    settings = _slow_poll(jobs_settings, worker_concurrency=4, worker_listen=False)
    backlog = await _emit(committed_db, 3 * settings.worker_concurrency)
    async with running_worker(settings, committed_db):
        await _all_done(committed_db, backlog)
    async with committed_db.session() as session:
        effects = await session.scalar(
            text("SELECT count(DISTINCT event_id) FROM test_side_effects")
        )
    assert effects == len(backlog)


async def test_an_idle_worker_hears_of_a_new_event_and_reconnects_when_cut_off(
    committed_db: Database, jobs_settings: Settings
) -> None:
    settings = _slow_poll(jobs_settings)
    # The shop commits on an engine apart from the worker's, as another process would.
    shop_engine = create_engine(settings.model_copy(update={"database_pool_size": 1}))
    shop = Database(shop_engine)
    database_name = make_url(settings.database_url).database
    assert database_name is not None
    try:
        async with running_worker(settings, committed_db) as worker:
            first_pid = await _listening_pid(worker)
            for _ in range(2):
                await _all_done(committed_db, await _emit(shop))

            admin = await admin_connection()
            try:
                assert await admin.fetchval("SELECT pg_terminate_backend($1)", first_pid)
            finally:
                await admin.close()
            await _listening_pid(worker, other_than=first_pid)
            for _ in range(2):
                await _all_done(committed_db, await _emit(shop))
        assert worker.listener is not None
        assert worker.listener.server_pid is None
        async with asyncio.timeout(BOUND_SECONDS):
            while True:
                if not await _listeners_left(database_name):
                    break
                await asyncio.sleep(0.05)
    finally:
        await shop_engine.dispose()


async def test_a_transaction_that_emits_wakes_an_in_process_worker_once(
    committed_db: Database,
) -> None:
    woken: list[bool] = []
    committed_db.on_outbox_committed = lambda: woken.append(True)
    await _emit(committed_db, 2)
    assert woken == [True]
    async with committed_db.transaction() as session:
        await session.execute(text("SELECT 1"))
    assert woken == [True]  # nothing emitted, nobody woken


async def test_a_worker_whose_database_went_away_claims_and_listens_again_when_it_is_back(
    committed_db: Database, jobs_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(jobs_settings.database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    async with proxy.running():
        through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        settings = _slow_poll(jobs_settings, database_url=through_proxy, database_pool_size=1)
        engine = create_engine(settings)
        try:
            async with running_worker(settings, Database(engine)) as worker:
                first_pid = await _listening_pid(worker)
                proxy.cut()
                await _not_listening(worker)
                # Committed while the worker cannot reach the database: announced to nobody.
                unheard = await _emit(committed_db)
                worker.wake()  # its claim fails, and it backs off (past its poll, 30 s)
                async with asyncio.timeout(BOUND_SECONDS):
                    while True:
                        if "claiming events failed" in caplog.text:
                            break
                        await asyncio.sleep(0.02)
                proxy.restore()
                await _all_done(committed_db, unheard)
                await _listening_pid(worker, other_than=first_pid)
                for _ in range(2):
                    await _all_done(committed_db, await _emit(committed_db))
        finally:
            await engine.dispose()
