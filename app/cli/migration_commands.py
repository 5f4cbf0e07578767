"""`tradeql migrate`: create or upgrade the tables; and the check that they are up to date
before a server or worker starts."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.cli.arguments import Commands
from app.cli.command_database import OperatorError
from core.db import Database, create_engine
from core.settings import Settings, get_settings


def add_commands(commands: Commands) -> None:
    migrate = commands.add_parser("migrate", help="create or upgrade the tables (Alembic)")
    migrate.add_argument("--revision", default="head", help="target revision (default head)")
    migrate.set_defaults(handler=_migrate)


def require_migrated(settings: Settings) -> None:
    from app.migrate import NotMigrated, check_migrated

    try:
        asyncio.run(check_migrated(settings))
    except NotMigrated as error:
        raise OperatorError(str(error)) from None


def _migrate(args: argparse.Namespace) -> int:
    from app.migrate import migrate

    settings = get_settings()
    asyncio.run(_check_database(settings))
    migrate(settings.database_url, args.revision)
    print(f"database at revision {args.revision}", file=sys.stderr)
    return 0


async def _check_database(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        await Database(engine).check_connection()
    finally:
        await engine.dispose()
