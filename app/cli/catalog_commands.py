"""`tradeql catalog import FILE [--dry-run]` and `tradeql catalog export FILE`.

The file is a catalog file (docs/api/catalog-files.md): a ZIP of CSV files, or one of them.
An import applies valid rows in batches and reports each refused row on stderr; it exits 0
when every row applied, 1 when some were refused, 2 when the file cannot be read at all.
The command line acts as the system: audit rows name `cli` as their actor.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from app.cli.arguments import Commands, actions_of
from app.cli.command_database import OperatorError, command_database
from app.read_cache import invalidate_cached_reads_on_commit
from auth.account_audit import CLI_LABEL
from core.kv import close as close_stores
from core.kv import create_key_value_stores
from core.settings import Settings, get_settings
from resolvers.catalog.catalog_export import export_catalog
from resolvers.catalog.catalog_file import FileError
from resolvers.catalog.catalog_file_records import CatalogFile
from resolvers.catalog.catalog_import import Actor, BatchOutcome, apply_in_batches, dry_run
from resolvers.catalog.catalog_rows import read_catalog_file

UNREADABLE = 2


def add_commands(commands: Commands) -> None:
    catalog = commands.add_parser("catalog", help="import or export the catalog as a file")
    actions = actions_of(catalog, "catalog_command")
    imports = actions.add_parser("import", help="apply a catalog file (.zip or one .csv)")
    imports.add_argument("file", type=Path, metavar="FILE")
    imports.add_argument(
        "--dry-run", action="store_true", help="check every row and report; write nothing"
    )
    imports.set_defaults(handler=_import)
    exports = actions.add_parser("export", help="write the whole catalog as a .zip file")
    exports.add_argument("file", type=Path, metavar="FILE")
    exports.set_defaults(handler=_export)


def _import(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise OperatorError(f"cannot read {args.file}: {error.strerror}") from None
    catalog = read_catalog_file(data, args.file.name)
    if catalog.unreadable:
        _print_errors(catalog.errors)
        print(f"tradeql catalog import: {args.file.name} cannot be read", file=sys.stderr)
        return UNREADABLE
    outcome = asyncio.run(_apply(get_settings(), catalog, dry=args.dry_run))
    _print_errors(outcome.errors)
    verb = "would be" if args.dry_run else "were"
    print(
        f"{outcome.created} records {verb} created, {outcome.updated} updated, "
        f"{outcome.unchanged} unchanged; {outcome.failed} rows failed"
    )
    return 1 if outcome.errors else 0


async def _apply(settings: Settings, catalog: CatalogFile, *, dry: bool) -> BatchOutcome:
    actor = Actor(label=CLI_LABEL)
    async with command_database(settings) as database:
        stores = create_key_value_stores(settings)
        invalidate_cached_reads_on_commit(database, stores)
        try:
            apply = dry_run if dry else apply_in_batches
            return await apply(database, settings, actor, catalog)
        finally:
            await close_stores(stores)


def _print_errors(errors: list[FileError]) -> None:
    for error in sorted(errors, key=lambda e: (e.file, e.row or 0, e.column or "")):
        where = error.file if error.row is None else f"{error.file} row {error.row}"
        column = f", {error.column}" if error.column else ""
        print(f"{where}{column}: {error.code.value}: {error.message}", file=sys.stderr)


def _export(args: argparse.Namespace) -> int:
    data = asyncio.run(_exported(get_settings()))
    try:
        args.file.write_bytes(data)
    except OSError as error:
        raise OperatorError(f"cannot write {args.file}: {error.strerror}") from None
    print(f"exported the catalog to {args.file} ({len(data)} bytes)")
    return 0


async def _exported(settings: Settings) -> bytes:
    async with command_database(settings) as database, database.session() as session:
        return await export_catalog(session)
