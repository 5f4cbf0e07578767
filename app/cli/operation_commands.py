"""`tradeql operations register|list|remove`: the operations a storefront or partner declared.

`register FILE` validates every operation of the file against the schema, then stores them
all or none; registering the same file again changes nothing. The hashes printed are the ones
clients send in `extensions.persistedQuery.sha256Hash` (docs/api/persisted-operations.md).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from app.cli.arguments import Commands, actions_of
from app.cli.command_database import OperatorError, command_database
from app.operation_documents import UnusableOperations, operations_in_file
from app.persisted_operations import REGISTRY_CACHE_SECONDS
from core.operation_registry import (
    list_registered_operations,
    register_operations,
    remove_registered_operation,
)
from core.settings import Settings, get_settings
from models.persisted_operations import MAX_CLIENT_NAME_LENGTH


def add_commands(commands: Commands) -> None:
    operations = commands.add_parser(
        "operations", help="registered operations (persisted queries) of storefronts, partners"
    )
    actions = actions_of(operations, "operations_command")
    register = actions.add_parser(
        "register", help="validate and register the operations of a .graphql or manifest file"
    )
    register.add_argument("file", type=Path, metavar="FILE", help=".graphql, or manifest .json")
    register.add_argument("--client", default=None, help="the storefront or partner they serve")
    register.set_defaults(handler=_register)
    listing = actions.add_parser("list", help="registered operations, oldest first")
    listing.add_argument("--client", default=None, help="only those of this client")
    listing.set_defaults(handler=_list)
    remove = actions.add_parser("remove", help="stop accepting an operation, by its hash")
    remove.add_argument("sha256_hash", metavar="HASH", help="from `operations list`")
    remove.set_defaults(handler=_remove)


def _register(args: argparse.Namespace) -> int:
    asyncio.run(register_file(get_settings(), args.file, client_name=args.client))
    return 0


def _list(args: argparse.Namespace) -> int:
    asyncio.run(list_operations(get_settings(), client_name=args.client))
    return 0


def _remove(args: argparse.Namespace) -> int:
    asyncio.run(remove_operation(get_settings(), args.sha256_hash))
    return 0


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:MAX_CLIENT_NAME_LENGTH]
    except (OSError, KeyError):  # no login name in some containers
        return "cli"


async def register_file(settings: Settings, path: Path, *, client_name: str | None) -> None:
    from schema.build import build_schema

    if client_name is not None:
        client_name = " ".join(client_name.split())
        if not client_name or len(client_name) > MAX_CLIENT_NAME_LENGTH:
            raise OperatorError(f"--client must be 1 to {MAX_CLIENT_NAME_LENGTH} characters")
    try:
        operations = operations_in_file(path, build_schema()._schema)
    except UnusableOperations as error:
        raise OperatorError(str(error)) from None
    async with command_database(settings) as database, database.transaction() as session:
        results = await register_operations(
            session, operations, client_name=client_name, registered_by=_operator()
        )
    for row, new in results:
        state = "registered" if new else "already registered"
        print(f"{row.sha256_hash}  {row.operation_names or '(anonymous)'}  {state}")
    added = sum(1 for _, new in results if new)
    print(f"{added} new, {len(results) - added} already registered", file=sys.stderr)


async def list_operations(settings: Settings, *, client_name: str | None) -> None:
    async with command_database(settings) as database, database.session() as session:
        rows = await list_registered_operations(session, client_name=client_name)
    print(f"{'HASH':<64}  {'REGISTERED':<25} {'CLIENT':<20} {'BY':<20} OPERATIONS")
    for row in rows:
        registered_at = row.registered_at.isoformat(timespec="seconds") if row.registered_at else ""
        print(
            f"{row.sha256_hash:<64}  {registered_at:<25} {row.client_name or '-':<20} "
            f"{row.registered_by:<20} {row.operation_names or '(anonymous)'}"
        )


async def remove_operation(settings: Settings, sha256_hash: str) -> None:
    async with command_database(settings) as database, database.transaction() as session:
        if not await remove_registered_operation(session, sha256_hash.strip().lower()):
            raise OperatorError(f"no registered operation with hash {sha256_hash}")
    print(
        f"operation {sha256_hash} removed; servers stop accepting it within "
        f"{REGISTRY_CACHE_SECONDS:g} seconds",
        file=sys.stderr,
    )
