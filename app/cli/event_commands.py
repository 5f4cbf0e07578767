"""Operator commands over the outbox: `tradeql events list|replay|stats`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from app.cli.arguments import Commands, actions_of, positive
from app.cli.command_database import OperatorError, command_database
from core import outbox
from core.settings import Settings, get_settings
from models.outbox import EventState


def add_commands(commands: Commands) -> None:
    events = commands.add_parser("events", help="inspect and replay outbox events")
    actions = actions_of(events, "events_command")
    listing = actions.add_parser("list", help="the newest events")
    listing.add_argument("--state", choices=["pending", "done", "dead"], default=None)
    listing.add_argument("--limit", type=positive, default=50)
    listing.set_defaults(handler=_list)
    replay = actions.add_parser("replay", help="give a dead event new attempts")
    replay.add_argument("event_id", type=positive, metavar="ID")
    replay.set_defaults(handler=_replay)
    stats = actions.add_parser("stats", help="counts by state, age of oldest due event")
    stats.set_defaults(handler=_stats)


def _list(args: argparse.Namespace) -> int:
    asyncio.run(list_events(get_settings(), state=args.state, limit=args.limit))
    return 0


def _replay(args: argparse.Namespace) -> int:
    if not asyncio.run(replay_event(get_settings(), args.event_id)):
        raise OperatorError(f"event {args.event_id} is not dead-lettered (or does not exist)")
    return 0


def _stats(_args: argparse.Namespace) -> int:
    asyncio.run(event_stats(get_settings()))
    return 0


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
                "scheduled": found.scheduled,
                "oldest_due_seconds": (
                    round(found.oldest_due_seconds, 1)
                    if found.oldest_due_seconds is not None
                    else None
                ),
            }
        )
    )
