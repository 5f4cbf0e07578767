"""`tradeql export-schema`: print the GraphQL schema (SDL), or check or write `schema.graphql`;
with `--role`, print what one kind of caller sees of it (`schema.views`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphql import print_schema

from app.cli.arguments import Commands
from app.cli.command_database import OperatorError
from schema.audiences import AUDIENCES

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema.graphql"


def add_commands(commands: Commands) -> None:
    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument(
        "--check", action="store_true", help=f"fail if {SCHEMA_FILE.name} is not up to date"
    )
    export.add_argument("--write", action="store_true", help=f"write {SCHEMA_FILE.name}")
    export.add_argument("--file", type=Path, default=SCHEMA_FILE, help=argparse.SUPPRESS)
    export.add_argument(
        "--role",
        choices=AUDIENCES,
        help="print the view of one kind of caller: anonymous, a user's role, or an API key's "
        "(storefront, or a staff role with -key)",
    )
    export.set_defaults(handler=_export_schema)


def _export_schema(args: argparse.Namespace) -> int:
    from schema.build import audience_views, build_schema

    if args.role is not None:
        if args.check or args.write:
            raise OperatorError(
                f"--role prints a view; {SCHEMA_FILE.name} holds the full schema only"
            )
        sys.stdout.write(print_schema(audience_views().by_audience[args.role]) + "\n")
        return 0
    sdl = build_schema().as_str() + "\n"
    schema_file: Path = args.file
    if args.check:
        current = schema_file.read_text(encoding="utf-8") if schema_file.exists() else ""
        if current != sdl:
            raise OperatorError(
                f"{schema_file.name} is stale; run `tradeql export-schema --write` and commit it"
            )
        return 0
    if args.write:
        schema_file.write_text(sdl, encoding="utf-8")
        return 0
    sys.stdout.write(sdl)
    return 0
