"""What tests of background work share: the outbox's events of a type, and waiting, within
a bound, for something a worker does."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlmodel import col, select

from core.db import Database
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
