"""What tests of background work share: the outbox's events of a type, a scheduled event
brought due, a partner subscribed, and waiting, within a bound, for what a worker does."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlmodel import col, select, update

from core import webhook_endpoints
from core.db import Database
from core.settings import Settings
from models.outbox import OutboxEvent


async def events_of(database: Database, event_type: str) -> list[OutboxEvent]:
    """Every event of `event_type`, oldest first."""
    async with database.session() as session:
        statement = (
            select(OutboxEvent)
            .where(col(OutboxEvent.event_type) == event_type)
            .order_by(col(OutboxEvent.id))
        )
        return list(await session.scalars(statement))


async def until(check: Callable[[], Awaitable[bool]], seconds: float) -> None:
    """Poll `check` until it holds; TimeoutError after `seconds`."""
    async with asyncio.timeout(seconds):
        while True:
            if await check():
                return
            await asyncio.sleep(0.05)


async def bring_due(database: Database, idempotency_key: str, moment: datetime) -> None:
    """The clock reaches a scheduled event's moment: the event keyed so is due at `moment`."""
    async with database.transaction() as session:
        moved = await session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.idempotency_key) == idempotency_key)
            .values(available_at=moment)
        )
        assert moved.rowcount == 1  # type: ignore[attr-defined]


async def subscribe(database: Database, settings: Settings, event_type: str) -> None:
    """A partner endpoint (an unreachable address) subscribed to `event_type`."""
    async with database.transaction() as session:
        await webhook_endpoints.add_endpoint(
            session, settings=settings, url="http://127.0.0.1:9/hooks", event_types=[event_type]
        )
