"""`tradeql serve`: the GraphQL API over HTTP, in one process or several (PostgreSQL only)."""

from __future__ import annotations

import argparse

from app.cli.arguments import Commands, port, positive
from app.cli.command_database import OperatorError
from app.cli.migration_commands import require_migrated
from core.settings import get_settings


def add_commands(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="serve the GraphQL API over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=port, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--workers", type=positive, default=1, help="processes (PostgreSQL only; default 1)"
    )
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    from app.serve import serve

    settings = get_settings()
    if args.workers > 1 and settings.is_sqlite:
        raise OperatorError(
            "--workers needs PostgreSQL: SQLite cannot be shared safely between processes; "
            "set DATABASE_URL=postgresql+asyncpg://..."
        )
    require_migrated(settings)
    serve(settings, host=args.host, port=args.port, workers=args.workers)
    return 0
