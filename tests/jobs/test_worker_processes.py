"""`tradeql worker` as real processes: killed mid-handler, and several sharing one queue."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core import outbox
from core.db import Database
from core.settings import Settings
from models.outbox import EventState
from tests.child_processes import ends_with_parent
from tests.jobs.handlers_for_tests import TEST_HANDLERS

ROOT = Path(__file__).resolve().parent.parent.parent
TRADEQL = str(Path(sys.executable).parent / "tradeql")


def start_worker(settings: Settings, **overrides: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ENV": "test",
        "DATABASE_URL": settings.database_url,
        "HANDLER_MODULES": TEST_HANDLERS,
        "WORKER_POLL_SECONDS": "0.05",
        # Up to 3 connections each (pool, overflow and the listener's): three workers stay
        # within the run's connection budget, and still race for the same events.
        "DATABASE_POOL_SIZE": "1",
        **overrides,
    }
    return subprocess.Popen(
        [TRADEQL, "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=ends_with_parent(),
    )


def stop_worker(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    return stderr.decode()


async def _scalar(database: Database, sql: str, **params: object) -> int:
    async with database.session() as session:
        return int(await session.scalar(text(sql), params) or 0)


async def _wait(condition: str, database: Database, seconds: float, **params: object) -> None:
    """Poll a SQL condition until it holds (another process changes the rows)."""
    async with asyncio.timeout(seconds):
        while True:
            if await _scalar(database, condition, **params):
                return
            await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_a_killed_worker_s_event_is_delivered_by_another_exactly_once(
    committed_db: Database, jobs_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        event = await outbox.emit(session, "test.effect", {"pause_seconds": 3})
    victim = start_worker(jobs_settings, OUTBOX_LEASE_SECONDS="2")
    try:
        await _wait(
            "SELECT count(*) FROM test_handler_started WHERE event_id = :id",
            committed_db,
            30,
            id=event.id,
        )
        victim.send_signal(signal.SIGKILL)  # in the middle of the handler's transaction
        victim.communicate(timeout=10)
    finally:
        stop_worker(victim)

    survivor = start_worker(jobs_settings, OUTBOX_LEASE_SECONDS="2")
    try:
        await _wait(
            "SELECT count(*) FROM outbox_events WHERE id = :id AND state = 'done'",
            committed_db,
            60,
            id=event.id,
        )
    finally:
        logs = stop_worker(survivor)
    assert "Traceback" not in logs
    effects = await _scalar(
        committed_db, "SELECT count(*) FROM test_side_effects WHERE event_id = :id", id=event.id
    )
    assert effects == 1
    attempts = await _scalar(
        committed_db, "SELECT attempts FROM outbox_events WHERE id = :id", id=event.id
    )
    assert attempts == 2  # the killed attempt, then the one that finished


@pytest.mark.slow
async def test_three_workers_drain_a_thousand_events_each_exactly_once(
    committed_db: Database, jobs_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        for _ in range(1_000):
            await outbox.emit(session, "test.effect", {})
    workers = [start_worker(jobs_settings) for _ in range(3)]
    try:
        await _wait(
            "SELECT count(*) = 0 FROM outbox_events WHERE state <> 'done'",
            committed_db,
            180,
        )
    finally:
        logs = [stop_worker(worker) for worker in workers]
    assert all(worker.returncode in (0, -signal.SIGTERM) for worker in workers), logs
    stats = await outbox.stats(committed_db)
    assert stats.counts == {EventState.PENDING: 0, EventState.DONE: 1_000, EventState.DEAD: 0}
    assert await _scalar(committed_db, "SELECT count(*) FROM test_side_effects") == 1_000
    assert (
        await _scalar(committed_db, "SELECT count(DISTINCT event_id) FROM test_side_effects")
        == 1_000
    )
