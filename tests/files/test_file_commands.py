"""`tradeql files purge-expired`: an operator deletes expired files, and only those."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from core.db import Database
from core.settings import Settings
from models.files import StoredFile
from tests.cli_runner import run_tradeql
from tests.files.builders import stored


async def test_purge_expired_deletes_expired_files_only(
    committed_db: Database, committed_settings: Settings
) -> None:
    now = datetime.now(UTC)
    await stored(committed_db, b"old", expires_at=now - timedelta(minutes=1))
    fresh = await stored(committed_db, b"new", expires_at=now + timedelta(hours=1))
    lasting = await stored(committed_db, b"kept")
    env = {"ENV": "test", "DATABASE_URL": committed_settings.database_url}
    finished = await asyncio.to_thread(run_tradeql, ["files", "purge-expired"], env=env)
    assert (finished.returncode, finished.stdout) == (0, "purged 1 expired file(s)\n")
    async with committed_db.session() as session:
        left = set(await session.scalars(select(col(StoredFile.id))))
    assert left == {fresh.id, lasting.id}
