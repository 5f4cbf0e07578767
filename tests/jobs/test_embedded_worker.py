"""On the embedded SQLite default, one worker task inside the server does the background work."""

from __future__ import annotations

import asyncio
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


async def test_the_embedded_worker_runs_events_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'embedded.db'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    settings = Settings(
        env="development",
        database_url=url,
        handler_modules=TEST_HANDLERS,
        worker_poll_seconds=0.05,
    )
    engine = create_engine(settings)
    database = Database(engine)
    try:
        async with database.transaction() as session:
            for ddl in SIDE_EFFECTS_DDL:
                await session.execute(text(ddl))
            event = await outbox.emit(session, "test.effect", {})
        async with embedded_worker(settings, database):
            async with asyncio.timeout(10):
                while True:
                    async with database.session() as session:
                        done = await session.get(OutboxEvent, event.id)
                    if done is not None and done.state == EventState.DONE:
                        break
                    await asyncio.sleep(0.05)
        async with database.session() as session:
            effects = await session.scalar(text("SELECT count(*) FROM test_side_effects"))
        assert effects == 1
    finally:
        await engine.dispose()
