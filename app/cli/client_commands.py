"""Operator commands over client companies: `tradeql clients roll-overdue`.

A company's overdue amount is exact whenever it is read or filtered on, with no job; what
time changes with nothing written is only the figure stored for sorting. Rolling it forward
moves the dues that have passed into it. Run it from cron or a systemd timer soon after
midnight UTC (hourly does no harm); it is safe to run anywhere, any number of times, at once.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from app.cli.arguments import Commands, actions_of
from app.cli.command_database import command_database
from core.settings import Settings, get_settings
from resolvers.orders.standing import roll_overdue_forward, today_of


def add_commands(commands: Commands) -> None:
    clients = commands.add_parser("clients", help="maintain client companies")
    actions = actions_of(clients, "clients_command")
    roll = actions.add_parser(
        "roll-overdue", help="store today's overdue amounts, for sorting by them"
    )
    roll.set_defaults(handler=_roll_overdue)


def _roll_overdue(_args: argparse.Namespace) -> int:
    print(f"rolled {asyncio.run(roll_overdue(get_settings()))} company(ies) forward")
    return 0


async def roll_overdue(settings: Settings) -> int:
    async with command_database(settings) as database, database.transaction() as session:
        return await roll_overdue_forward(session, today_of(datetime.now(UTC)))
