"""Operators' view of the outbox: `tradeql events list|replay|stats`, `tradeql worker`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import text

from core import outbox
from core.db import Database
from core.settings import Settings
from models.outbox import EventState, OutboxEvent
from tests.cli_runner import Finished, run_tradeql


def tradeql(*args: str, database_url: str) -> Finished:
    return run_tradeql(args, env={"ENV": "test", "DATABASE_URL": database_url})


async def tradeql_off_loop(*args: str, database_url: str) -> Finished:
    """`tradeql` from an async test, without blocking its event loop."""
    return await asyncio.to_thread(tradeql, *args, database_url=database_url)


async def _dead_event(database: Database) -> int:
    async with database.transaction() as session:
        event = await outbox.emit(session, "test.fragile", {"switch": "erp"})
        await session.flush()
        await session.execute(
            text(
                "UPDATE outbox_events SET state = 'dead', attempts = 3, "
                "last_error = 'RuntimeError: downstream erp is broken' WHERE id = :id"
            ),
            {"id": event.id},
        )
    assert event.id is not None
    return event.id


async def test_list_shows_dead_events_and_replay_revives_them(
    committed_db: Database, jobs_settings: Settings
) -> None:
    dead_id = await _dead_event(committed_db)
    async with committed_db.transaction() as session:
        await outbox.emit(session, "test.effect", {})

    listed = await tradeql_off_loop(
        "events", "list", "--state", "dead", database_url=jobs_settings.database_url
    )
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.strip().splitlines()[1:]
    assert len(rows) == 1
    assert rows[0].split()[0] == str(dead_id)
    assert "test.fragile" in rows[0]
    assert "downstream erp is broken" in rows[0]

    replayed = await tradeql_off_loop(
        "events", "replay", str(dead_id), database_url=jobs_settings.database_url
    )
    assert replayed.returncode == 0, replayed.stderr
    async with committed_db.session() as session:
        event = await session.get(OutboxEvent, dead_id)
    assert event is not None
    assert event.state == EventState.PENDING
    assert event.attempts == 0

    again = await tradeql_off_loop(
        "events", "replay", str(dead_id), database_url=jobs_settings.database_url
    )
    assert again.returncode == 1
    assert "is not dead-lettered" in again.stderr.strip()


async def test_stats_prints_counts_and_the_oldest_due_age(
    committed_db: Database, jobs_settings: Settings
) -> None:
    await _dead_event(committed_db)
    async with committed_db.transaction() as session:
        await outbox.emit(session, "test.effect", {})
    result = await tradeql_off_loop("events", "stats", database_url=jobs_settings.database_url)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["counts"] == {"pending": 1, "done": 0, "dead": 1}
    assert stats["due"] == 1
    assert stats["oldest_due_seconds"] >= 0


def test_worker_refuses_sqlite_in_one_line(tmp_path: Path) -> None:
    result = tradeql("worker", database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "needs PostgreSQL" in lines[0]


def test_replay_of_an_unknown_event_is_one_line(jobs_settings: Settings) -> None:
    result = tradeql("events", "replay", "987654321", database_url=jobs_settings.database_url)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
