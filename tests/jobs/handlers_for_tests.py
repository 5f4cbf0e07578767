"""Handlers that only tests register (through HANDLER_MODULES), with observable side effects.

Their effects go to tables the tests create, so a test can count how often each effect
happened and kill a worker in the middle of one.
"""

from __future__ import annotations

import asyncio
import os

from sqlalchemy import text

from core.outbox import claim_effect
from jobs.context import JobContext
from jobs.registry import HandlerRegistry
from models.outbox import OutboxEvent

# What HANDLER_MODULES names to load these handlers.
TEST_HANDLERS = "tests.jobs.handlers_for_tests"

SIDE_EFFECTS_DDL = (
    "CREATE TABLE IF NOT EXISTS test_side_effects "
    "(event_id BIGINT NOT NULL, worker_pid INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS test_handler_started (event_id BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS test_broken_switch (name TEXT PRIMARY KEY)",
)


def register(registry: HandlerRegistry) -> None:
    registry.register("test.record_effect", ["test.effect"])(record_effect)
    registry.register("test.fragile", ["test.fragile"])(fragile)


async def record_effect(event: OutboxEvent, context: JobContext) -> None:
    """Write one side-effect row, optionally after a pause inside the open transaction."""
    assert event.id is not None
    pause = float(event.payload.get("pause_seconds", 0))
    if pause:
        async with context.database.transaction() as session:
            await session.execute(
                text("INSERT INTO test_handler_started (event_id) VALUES (:id)"), {"id": event.id}
            )
    async with context.database.transaction() as session:
        if not await claim_effect(session, event.id, "test.record_effect"):
            return
        await session.execute(
            text("INSERT INTO test_side_effects (event_id, worker_pid) VALUES (:id, :pid)"),
            {"id": event.id, "pid": os.getpid()},
        )
        if pause:
            await asyncio.sleep(pause)


async def fragile(event: OutboxEvent, context: JobContext) -> None:
    """Fails while the switch named in the payload is set, like a handler with a broken cause."""
    assert event.id is not None
    async with context.database.transaction() as session:
        broken = await session.scalar(
            text("SELECT count(*) FROM test_broken_switch WHERE name = :name"),
            {"name": event.payload["switch"]},
        )
        if broken:
            raise RuntimeError(f"downstream {event.payload['switch']} is broken")
        if await claim_effect(session, event.id, "test.fragile"):
            await session.execute(
                text("INSERT INTO test_side_effects (event_id, worker_pid) VALUES (:id, :pid)"),
                {"id": event.id, "pid": os.getpid()},
            )
