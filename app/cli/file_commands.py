"""Operator commands over stored files: `tradeql files purge-expired`.

Files past their expiry are already unreadable (no link serves them); purging gives their
space back. Run it from cron or a systemd timer, e.g. hourly; it is safe to run anywhere,
any number of times, at once.
"""

from __future__ import annotations

import argparse
import asyncio

from app.cli.arguments import Commands, actions_of
from app.cli.command_database import command_database
from core.settings import Settings, get_settings
from core.stored_files import purge_expired


def add_commands(commands: Commands) -> None:
    files = commands.add_parser("files", help="manage files stored in the database")
    actions = actions_of(files, "files_command")
    purge = actions.add_parser("purge-expired", help="delete the files past their expiry")
    purge.set_defaults(handler=_purge_expired)


def _purge_expired(_args: argparse.Namespace) -> int:
    print(f"purged {asyncio.run(purge_expired_files(get_settings()))} expired file(s)")
    return 0


async def purge_expired_files(settings: Settings) -> int:
    async with command_database(settings) as database:
        return await purge_expired(database)
