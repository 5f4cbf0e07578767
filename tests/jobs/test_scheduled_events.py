"""Scheduled events: due at a moment, claimed by a running worker at that moment, never before.

The worker listens (PostgreSQL): the commit that schedules the event wakes it while nothing
is due yet, so only its poll can bring it back at the event's moment.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from core import outbox
from core.db import Database
from core.settings import Settings
from models.outbox import EventState, OutboxEvent
from tests.jobs.worker_support import running_worker

POLL_SECONDS = 0.25
LEAD_SECONDS = 2.0
# How late past its moment the event may run: a poll, a claim and the handler, with room.
LATE_BOUND_SECONDS = 3.0


async def _effects(database: Database, event_id: int) -> int:
    async with database.session() as session:
        found = await session.scalar(
            text("SELECT count(*) FROM test_side_effects WHERE event_id = :id"), {"id": event_id}
        )
    return int(found or 0)


async def _event(database: Database, event_id: int) -> OutboxEvent:
    async with database.session() as session:
        event = await session.get(OutboxEvent, event_id)
    assert event is not None
    return event


@pytest.mark.slow
async def test_a_scheduled_event_fires_once_at_its_time_and_not_before(
    committed_db: Database, jobs_settings: Settings
) -> None:
    settings = jobs_settings.model_copy(update={"worker_poll_seconds": POLL_SECONDS})
    due_at = datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)
    async with running_worker(settings, committed_db):
        async with committed_db.transaction() as session:
            event = await outbox.emit(session, "test.effect", {}, due_at=due_at)
        assert event.id is not None

        # Several polls pass before the moment: nothing runs.
        while datetime.now(UTC) < due_at - timedelta(seconds=POLL_SECONDS):
            assert await _effects(committed_db, event.id) == 0
            await asyncio.sleep(0.05)

        async with asyncio.timeout(LEAD_SECONDS + LATE_BOUND_SECONDS):
            while True:
                if await _effects(committed_db, event.id):
                    break
                await asyncio.sleep(0.05)
        # Later polls find nothing more to do.
        await asyncio.sleep(4 * POLL_SECONDS)

    assert await _effects(committed_db, event.id) == 1
    delivered = await _event(committed_db, event.id)
    assert delivered.state == EventState.DONE
    assert delivered.attempts == 1
    assert delivered.processed_at is not None
    assert due_at <= delivered.processed_at < due_at + timedelta(seconds=LATE_BOUND_SECONDS)


async def test_a_scheduled_event_of_a_change_that_rolled_back_is_never_written(
    committed_db: Database,
) -> None:
    async def schedule_then_fail() -> None:
        async with committed_db.transaction() as session:
            await outbox.emit(session, "test.effect", {}, due_at=datetime.now(UTC))
            raise RuntimeError("rejected")

    with pytest.raises(RuntimeError, match="rejected"):
        await schedule_then_fail()
    async with committed_db.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 0


async def test_a_scheduled_event_keyed_by_its_subject_and_moment_is_scheduled_once(
    committed_db: Database,
) -> None:
    due_at = datetime(2031, 1, 1, tzinfo=UTC)
    for _retry in range(2):
        async with committed_db.transaction() as session:
            await outbox.emit(
                session, "test.effect", {}, idempotency_key="test:1:2031-01-01", due_at=due_at
            )
    async with committed_db.session() as session:
        rows = list(await session.scalars(select(OutboxEvent)))
    assert [(row.available_at, row.state) for row in rows] == [(due_at, EventState.PENDING)]


async def test_a_moment_must_be_aware_and_not_given_with_a_delay(committed_db: Database) -> None:
    async with committed_db.transaction() as session:
        with pytest.raises(ValueError, match="aware"):
            await outbox.emit(session, "test.effect", {}, due_at=datetime(2031, 1, 1))
        with pytest.raises(ValueError, match="not both"):
            await outbox.emit(
                session,
                "test.effect",
                {},
                due_at=datetime(2031, 1, 1, tzinfo=UTC),
                delay=timedelta(seconds=1),
            )


async def test_stats_count_a_scheduled_event_apart_from_the_due_ones(
    committed_db: Database,
) -> None:
    async with committed_db.transaction() as session:
        await outbox.emit(session, "test.effect", {}, due_at=datetime(2031, 1, 1, tzinfo=UTC))
        await outbox.emit(session, "test.effect", {})
    found = await outbox.stats(committed_db)
    assert found.counts["pending"] == 2
    assert (found.due, found.scheduled) == (1, 1)


@pytest.mark.slow
async def test_an_idle_worker_with_a_long_poll_wakes_at_the_scheduled_moment(
    committed_db: Database, jobs_settings: Settings
) -> None:
    # The longest poll, and no listening: only the moment asked at the last claim can wake it.
    settings = jobs_settings.model_copy(
        update={"worker_poll_seconds": 60.0, "worker_listen": False}
    )
    due_at = datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)
    async with committed_db.transaction() as session:
        event = await outbox.emit(session, "test.effect", {}, due_at=due_at)
    assert event.id is not None
    async with running_worker(settings, committed_db):
        async with asyncio.timeout(LEAD_SECONDS + LATE_BOUND_SECONDS):
            while True:
                if await _effects(committed_db, event.id):
                    break
                await asyncio.sleep(0.05)
    delivered = await _event(committed_db, event.id)
    assert delivered.processed_at is not None
    assert due_at <= delivered.processed_at < due_at + timedelta(seconds=LATE_BOUND_SECONDS)
