"""The outbox engine in-process: emit with the transaction, run once, retry, dead-letter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from app.worker import Worker
from app.worker_main import build_worker, job_context
from core import outbox
from core.db import Database
from core.settings import Settings
from models.outbox import EventState, OutboxEvent
from tests.concurrently import settled


@asynccontextmanager
async def worker_for(settings: Settings, database: Database) -> AsyncIterator[Worker]:
    async with job_context(settings, database) as context:
        yield build_worker(settings, database, context)


async def _side_effects(database: Database, event_id: int | None = None) -> int:
    async with database.session() as session:
        sql = "SELECT count(*) FROM test_side_effects"
        if event_id is not None:
            sql += f" WHERE event_id = {int(event_id)}"
        return int(await session.scalar(text(sql)) or 0)


async def _event(database: Database, event_id: int) -> OutboxEvent:
    async with database.session() as session:
        event = await session.get(OutboxEvent, event_id)
        assert event is not None
        return event


async def _emit(database: Database, event_type: str, **payload: object) -> int:
    async with database.transaction() as session:
        event = await outbox.emit(session, event_type, payload)
    assert event.id is not None
    return event.id


async def test_an_event_whose_transaction_rolls_back_is_never_delivered(
    committed_db: Database, jobs_settings: Settings
) -> None:
    woken: list[bool] = []
    committed_db.on_outbox_committed = lambda: woken.append(True)

    async def place_order_that_fails() -> None:
        async with committed_db.transaction() as session:
            await outbox.emit(session, "test.effect", {})
            raise RuntimeError("order rejected")

    with pytest.raises(RuntimeError, match="order rejected"):
        await place_order_that_fails()
    assert woken == []  # no worker is woken for it either
    async with worker_for(jobs_settings, committed_db) as worker:
        assert await worker.run_once() == 0
    async with committed_db.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 0
    assert await _side_effects(committed_db) == 0


async def test_a_committed_event_runs_its_handler_once_and_is_done(
    committed_db: Database, jobs_settings: Settings
) -> None:
    event_id = await _emit(committed_db, "test.effect")
    async with worker_for(jobs_settings, committed_db) as worker:
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0
    event = await _event(committed_db, event_id)
    assert event.state == EventState.DONE
    assert event.attempts == 1
    assert event.lease_owner is None
    assert await _side_effects(committed_db, event_id) == 1


async def test_a_redelivered_event_changes_nothing(
    committed_db: Database, jobs_settings: Settings
) -> None:
    event_id = await _emit(committed_db, "test.effect")
    async with worker_for(jobs_settings, committed_db) as worker:
        await worker.run_once()
        # As if the worker died after the handler committed but before marking the event done.
        async with committed_db.transaction() as session:
            await session.execute(
                text("UPDATE outbox_events SET state = 'pending' WHERE id = :id"),
                {"id": event_id},
            )
        assert await worker.run_once() == 1
    assert (await _event(committed_db, event_id)).state == EventState.DONE
    assert await _side_effects(committed_db, event_id) == 1


async def test_the_same_idempotency_key_emits_one_event(committed_db: Database) -> None:
    async with committed_db.transaction() as session:
        first = await outbox.emit(session, "test.effect", {}, idempotency_key="order-17-placed")
        second = await outbox.emit(session, "test.effect", {}, idempotency_key="order-17-placed")
    assert first.id == second.id
    async with committed_db.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 1


async def test_events_without_handlers_are_simply_done(
    committed_db: Database, jobs_settings: Settings
) -> None:
    event_id = await _emit(committed_db, "nobody.listens")
    async with worker_for(jobs_settings, committed_db) as worker:
        await worker.run_once()
    assert (await _event(committed_db, event_id)).state == EventState.DONE


async def _run_until(worker: Worker, database: Database, event_id: int, state: str) -> None:
    async with asyncio.timeout(20):
        while (await _event(database, event_id)).state != state:
            if not await worker.run_once():
                await asyncio.sleep(0.02)


async def test_a_failing_handler_retries_with_backoff_then_dead_letters(
    committed_db: Database, jobs_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        await session.execute(text("INSERT INTO test_broken_switch (name) VALUES ('erp')"))
    event_id = await _emit(committed_db, "test.fragile", switch="erp")
    async with worker_for(jobs_settings, committed_db) as worker:
        assert await worker.run_once() == 1
        retrying = await _event(committed_db, event_id)
        assert retrying.state == EventState.PENDING
        assert retrying.attempts == 1
        assert retrying.available_at > retrying.created_at  # type: ignore[operator]
        assert "downstream erp is broken" in (retrying.last_error or "")
        await _run_until(worker, committed_db, event_id, EventState.DEAD)
    dead = await _event(committed_db, event_id)
    assert dead.attempts == jobs_settings.outbox_max_attempts
    assert await _side_effects(committed_db) == 0

    async with committed_db.transaction() as session:
        await session.execute(text("DELETE FROM test_broken_switch"))
    assert await outbox.replay(committed_db, event_id) is True
    assert await outbox.replay(committed_db, event_id) is False  # no longer dead
    async with worker_for(jobs_settings, committed_db) as worker:
        await _run_until(worker, committed_db, event_id, EventState.DONE)
    assert await _side_effects(committed_db, event_id) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling() -> None:
    delays = [
        [outbox.backoff_delay(attempt, base_seconds=2, max_seconds=60) for _ in range(200)]
        for attempt in (1, 2, 3, 10)
    ]
    assert all(1 <= d <= 2 for d in delays[0])
    assert all(2 <= d <= 4 for d in delays[1])
    assert all(4 <= d <= 8 for d in delays[2])
    assert all(30 <= d <= 60 for d in delays[3])
    assert len({round(d, 6) for d in delays[1]}) > 100  # jittered, not synchronised


async def test_stats_count_by_state_and_age_the_oldest_due_event(
    committed_db: Database, jobs_settings: Settings
) -> None:
    await _emit(committed_db, "test.effect")
    await _emit(committed_db, "test.effect")
    async with committed_db.transaction() as session:
        await session.execute(
            text("UPDATE outbox_events SET available_at = now() - interval '90 seconds'")
        )
    before = await outbox.stats(committed_db)
    assert before.counts == {"pending": 2, "done": 0, "dead": 0}
    assert before.due == 2
    assert before.oldest_due_seconds is not None
    assert before.oldest_due_seconds >= 90
    async with worker_for(jobs_settings, committed_db) as worker:
        await worker.run_once()
    after = await outbox.stats(committed_db)
    assert after.counts == {"pending": 0, "done": 2, "dead": 0}
    assert after.oldest_due_seconds is None


async def test_sigterm_lets_running_handlers_finish_within_the_grace_period(
    committed_db: Database, jobs_settings: Settings
) -> None:
    quick = await _emit(committed_db, "test.effect", pause_seconds=0.3)
    async with worker_for(jobs_settings, committed_db) as worker:
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        await _wait_for_start(committed_db, quick)
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    assert (await _event(committed_db, quick)).state == EventState.DONE
    assert await _side_effects(committed_db, quick) == 1


async def test_sigterm_releases_what_cannot_finish_in_time(
    committed_db: Database, jobs_settings: Settings
) -> None:
    slow = await _emit(committed_db, "test.effect", pause_seconds=30)
    impatient = jobs_settings.model_copy(update={"worker_grace_seconds": 0.2})
    async with worker_for(impatient, committed_db) as worker:
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        await _wait_for_start(committed_db, slow)
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    released = await _event(committed_db, slow)
    assert released.state == EventState.PENDING
    assert released.lease_owner is None
    assert released.attempts == 0  # the interrupted attempt does not count
    assert await _side_effects(committed_db, slow) == 0  # its transaction was rolled back


async def _wait_for_start(database: Database, event_id: int) -> None:
    async with asyncio.timeout(10):
        while True:
            async with database.session() as session:
                started = await session.scalar(
                    text("SELECT count(*) FROM test_handler_started WHERE event_id = :id"),
                    {"id": event_id},
                )
            if started:
                return
            await asyncio.sleep(0.02)


async def test_claims_never_hand_one_event_to_two_workers(
    committed_db: Database, jobs_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        for _ in range(40):
            await outbox.emit(session, "test.effect", {})
    claims = await settled(
        *(
            outbox.claim_due(committed_db, worker_id=f"w{index}", limit=10, lease_seconds=30)
            for index in range(6)
        )
    )
    claimed_ids = [event.id for batch in claims for event in batch]
    assert len(claimed_ids) == len(set(claimed_ids)) == 40
    async with committed_db.session() as session:
        owners = await session.scalar(
            select(func.count(func.distinct(col(OutboxEvent.lease_owner))))
        )
    assert owners == sum(1 for batch in claims if batch)
