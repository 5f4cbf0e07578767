"""The `tradeql` command: serve, migrate, seed-demo, worker, events, webhooks, create-user,
api-keys, fx-rates, catalog, files, operations, export-schema.

Each command group lives in its own `*_commands` module, which declares its arguments and
handlers; this module assembles them into one parser and runs the handler a command names.
Handlers import what only they need (the ASGI app, the schema, Alembic) when they run, so
`tradeql --help` and the small commands start quickly.

Every failure a user can cause (bad arguments, an unreachable database, unsafe production
settings) ends with one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from app.cli import (
    account_commands,
    catalog_commands,
    client_commands,
    event_commands,
    file_commands,
    fx_commands,
    migration_commands,
    operation_commands,
    report_commands,
    schema_commands,
    seed_commands,
    server_commands,
    webhook_commands,
    worker_commands,
)
from app.cli.arguments import Parser
from app.cli.command_database import OperatorError
from core.database_failures import DatabaseUnavailable

# Each group adds its commands, in the order `tradeql --help` lists them.
COMMAND_GROUPS = (
    server_commands.add_commands,
    migration_commands.add_commands,
    seed_commands.add_commands,
    worker_commands.add_commands,
    event_commands.add_commands,
    webhook_commands.add_commands,
    account_commands.add_commands,
    fx_commands.add_commands,
    client_commands.add_commands,
    report_commands.add_commands,
    catalog_commands.add_commands,
    file_commands.add_commands,
    operation_commands.add_commands,
    schema_commands.add_commands,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except OperatorError as error:
        print(f"tradeql {args.command}: {error}", file=sys.stderr)
    except ValidationError as error:
        details = "; ".join(_setting_problem(item) for item in error.errors())
        print(f"tradeql {args.command}: invalid settings: {details}", file=sys.stderr)
    except DatabaseUnavailable as error:
        print(f"tradeql {args.command}: {_one_line(str(error))}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 1


def _setting_problem(item: Any) -> str:
    message = str(item["msg"]).removeprefix("Value error, ")
    location = ".".join(map(str, item["loc"])).upper()
    return f"{location}: {message}" if location else message


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tradeql", description="TradeQL: GraphQL commerce backend for import-export."
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    for add_commands in COMMAND_GROUPS:
        add_commands(commands)
    return parser


if __name__ == "__main__":
    sys.exit(main())
