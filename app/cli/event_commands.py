"""Operator commands over the outbox: `tradeql events list|replay|stats`."""

from __future__ import annotations

import json
import sys

from app.cli.command_database import command_database
from core import outbox
from core.settings import Settings
from models.outbox import EventState


async def list_events(settings: Settings, *, state: str | None, limit: int) -> None:
    async with command_database(settings) as database:
        events = await outbox.list_events(
            database, state=EventState(state) if state else None, limit=limit
        )
    print(f"{'ID':>8}  {'TYPE':<28} {'STATE':<8} {'TRIES':>5}  {'DUE':<25} LAST ERROR")
    for event in events:
        due = event.available_at.isoformat(timespec="seconds")
        error = " ".join((event.last_error or "").split())[:80]
        print(
            f"{event.id:>8}  {event.event_type:<28} {event.state:<8} {event.attempts:>5}  "
            f"{due:<25} {error}"
        )


async def replay_event(settings: Settings, event_id: int) -> bool:
    async with command_database(settings) as database:
        replayed = await outbox.replay(database, event_id)
    if replayed:
        print(f"event {event_id} is pending again and will be delivered", file=sys.stderr)
    return replayed


async def event_stats(settings: Settings) -> None:
    async with command_database(settings) as database:
        found = await outbox.stats(database)
    print(
        json.dumps(
            {
                "counts": found.counts,
                "due": found.due,
                "oldest_due_seconds": (
                    round(found.oldest_due_seconds, 1)
                    if found.oldest_due_seconds is not None
                    else None
                ),
            }
        )
    )
