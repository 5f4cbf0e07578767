"""`tradeql webhooks add|list|rotate-secret|disable|ping`: partners' endpoints from the shell.

Secrets go to stdout exactly once, when they are made, so they can be piped into a secret
store; notes for the operator go to stderr. Expected failures (a refused URL, an unknown
event type or endpoint, an unmigrated database) raise OperatorError with one line,
which the CLI prints on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from app.cli.arguments import Commands, actions_of
from app.cli.command_database import command_database
from core import webhook_endpoints
from core.db import Database
from core.event_types import UnknownEventType
from core.outbox import utcnow
from core.settings import Settings, get_settings
from core.webhook_endpoints import EndpointDisabled, EndpointNotFound
from core.webhook_targets import TargetRefused
from models.webhooks import WebhookEndpoint

EXPECTED_FAILURES = (TargetRefused, UnknownEventType, EndpointNotFound, EndpointDisabled)


def add_commands(commands: Commands) -> None:
    webhooks = commands.add_parser("webhooks", help="manage partners' webhook endpoints")
    actions = actions_of(webhooks, "webhooks_command")
    add_endpoint = actions.add_parser("add", help="add an endpoint; prints its id and secret once")
    add_endpoint.add_argument(
        "url", metavar="URL", help="where deliveries are POSTed (https in production)"
    )
    add_endpoint.add_argument(
        "--events", type=_event_list, required=True, help="comma-separated event types"
    )
    add_endpoint.set_defaults(handler=_add)
    listing = actions.add_parser("list", help="all endpoints and their health (no secrets)")
    listing.set_defaults(handler=_list)
    for name, handler, help_text in (
        ("rotate-secret", _rotate_secret, "new secret, printed once; the old one overlaps"),
        ("disable", _disable, "stop delivering to an endpoint"),
        ("ping", _ping, "send a webhook.ping event to one endpoint"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("endpoint_id", metavar="ID", help="the id `webhooks list` shows")
        action.set_defaults(handler=handler)


def _event_list(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("name at least one event type")
    return names


def _add(args: argparse.Namespace) -> int:
    asyncio.run(add(get_settings(), url=args.url, event_types=args.events))
    return 0


def _list(_args: argparse.Namespace) -> int:
    asyncio.run(list_all(get_settings()))
    return 0


def _rotate_secret(args: argparse.Namespace) -> int:
    asyncio.run(rotate_secret(get_settings(), public_id=args.endpoint_id))
    return 0


def _disable(args: argparse.Namespace) -> int:
    asyncio.run(disable(get_settings(), public_id=args.endpoint_id))
    return 0


def _ping(args: argparse.Namespace) -> int:
    asyncio.run(ping(get_settings(), public_id=args.endpoint_id))
    return 0


def _database(settings: Settings) -> AbstractAsyncContextManager[Database]:
    return command_database(settings, expected=EXPECTED_FAILURES)


async def add(settings: Settings, *, url: str, event_types: list[str]) -> None:
    async with _database(settings) as database, database.transaction() as session:
        issued = await webhook_endpoints.add_endpoint(
            session, settings=settings, url=url, event_types=event_types
        )
    print(f"id: {issued.endpoint.public_id}")
    print(f"secret: {issued.secret}")
    print("store the secret now: it is not shown again", file=sys.stderr)


async def list_all(settings: Settings) -> None:
    async with _database(settings) as database, database.session() as session:
        endpoints = await webhook_endpoints.list_endpoints(session)
    print(f"{'ID':<36}  {'ACTIVE':<6} {'FAILURES':>8}  {'PAUSED UNTIL':<25} {'EVENTS':<30} URL")
    for endpoint in endpoints:
        print(_row(endpoint))


def _row(endpoint: WebhookEndpoint) -> str:
    active = "yes" if endpoint.active else "no"
    paused_until = endpoint.paused_until
    # A pause that has ended is history, not state: the next delivery simply goes ahead.
    paused = _moment(paused_until) if paused_until and paused_until > utcnow() else "-"
    events = ",".join(endpoint.event_types)
    return (
        f"{endpoint.public_id:<36}  {active:<6} {endpoint.consecutive_failures:>8}  "
        f"{paused:<25} {events:<30} {endpoint.url}"
    )


def _moment(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else "-"


async def rotate_secret(settings: Settings, *, public_id: str) -> None:
    async with _database(settings) as database, database.transaction() as session:
        issued = await webhook_endpoints.rotate_secret(
            session, settings=settings, public_id=public_id
        )
    print(f"secret: {issued.secret}")
    if issued.previous_valid_until is not None:
        note = (
            f"the previous secret stays valid until {_moment(issued.previous_valid_until)}; "
            "deliveries carry a signature by each secret until then"
        )
    else:
        note = "the previous secret is no longer valid (WEBHOOK_SECRET_OVERLAP_HOURS is 0)"
    print(f"store the secret now: it is not shown again; {note}", file=sys.stderr)


async def disable(settings: Settings, *, public_id: str) -> None:
    async with _database(settings) as database, database.transaction() as session:
        endpoint = await webhook_endpoints.disable_endpoint(session, public_id=public_id)
    print(
        f"webhook endpoint {public_id} disabled since {_moment(endpoint.disabled_at)}; "
        "its pending deliveries will not be sent",
        file=sys.stderr,
    )


async def ping(settings: Settings, *, public_id: str) -> None:
    async with _database(settings) as database, database.transaction() as session:
        event = await webhook_endpoints.request_ping(session, public_id=public_id)
    print(
        f"ping queued as event {event.id}; `tradeql events list` shows its delivery",
        file=sys.stderr,
    )
