"""On the embedded SQLite default, one worker task inside the server does the background work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import text

from app.worker_main import embedded_worker
from core import outbox
from core.db import Database, create_engine
from core.settings import Settings
from models.outbox import EventState, OutboxEvent
from tests.databases import alembic_config
from tests.jobs.handlers_for_tests import SIDE_EFFECTS_DDL, TEST_HANDLERS

# The longest poll allowed: an event done well before it was not waited for by polling.
LONGEST_POLL_SECONDS = 60.0
BOUND_SECONDS = 20


@asynccontextmanager
async def sqlite_database(
    tmp_path: Path, poll_seconds: float
) -> AsyncIterator[tuple[Database, Settings]]:
    """A migrated SQLite file with the test handlers' tables, and the worker's settings."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'embedded.db'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    settings = Settings(
        env="development",
        database_url=url,
        handler_modules=TEST_HANDLERS,
        worker_poll_seconds=poll_seconds,
    )
    engine = create_engine(settings)
    database = Database(engine)
    try:
        async with database.transaction() as session:
            for ddl in SIDE_EFFECTS_DDL:
                await session.execute(text(ddl))
        yield database, settings
    finally:
        await engine.dispose()


async def _emit(database: Database) -> int:
    async with database.transaction() as session:
        event = await outbox.emit(session, "test.effect", {})
    assert event.id is not None
    return event.id


async def _done(database: Database, event_id: int) -> None:
    async with asyncio.timeout(BOUND_SECONDS):
        while True:
            async with database.session() as session:
                event = await session.get(OutboxEvent, event_id)
            if event is not None and event.state == EventState.DONE:
                return
            await asyncio.sleep(0.05)


async def test_the_embedded_worker_runs_events_on_sqlite(tmp_path: Path) -> None:
    async with sqlite_database(tmp_path, poll_seconds=0.05) as (database, settings):
        event_id = await _emit(database)
        async with embedded_worker(settings, database):
            await _done(database, event_id)
        async with database.session() as session:
            effects = await session.scalar(text("SELECT count(*) FROM test_side_effects"))
        assert effects == 1


async def test_the_embedded_worker_is_woken_by_a_commit_not_its_poll(tmp_path: Path) -> None:
    async with sqlite_database(tmp_path, LONGEST_POLL_SECONDS) as (database, settings):
        first = await _emit(database)
        async with embedded_worker(settings, database):
            await _done(database, first)  # claimed as the worker starts; then it idles
            await _done(database, await _emit(database))
        assert database.on_outbox_committed is None  # unhooked when the worker stops


async def test_the_embedded_worker_runs_a_scheduled_event_at_its_moment_not_its_poll(
    tmp_path: Path,
) -> None:
    async with sqlite_database(tmp_path, LONGEST_POLL_SECONDS) as (database, settings):
        due_at = outbox.utcnow() + timedelta(seconds=1.5)
        async with database.transaction() as session:
            event = await outbox.emit(session, "test.effect", {}, due_at=due_at)
        assert event.id is not None
        async with embedded_worker(settings, database):
            await _done(database, event.id)
        async with database.session() as session:
            done = await session.get(OutboxEvent, event.id)
        assert done is not None
        assert done.processed_at is not None
        assert due_at <= done.processed_at < due_at + timedelta(seconds=BOUND_SECONDS)
