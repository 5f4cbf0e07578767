"""`tradeql worker`: a process that delivers outbox events, beside the servers (PostgreSQL only)."""

from __future__ import annotations

import argparse
import asyncio

from app.cli.arguments import Commands, positive
from app.cli.command_database import OperatorError
from app.cli.migration_commands import require_migrated
from core.settings import get_settings


def add_commands(commands: Commands) -> None:
    worker = commands.add_parser("worker", help="run background work (PostgreSQL only)")
    worker.add_argument(
        "--concurrency", type=positive, default=None, help="events handled at once per process"
    )
    worker.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    from app.worker_main import run_worker_process

    settings = get_settings()
    if settings.is_sqlite:
        raise OperatorError(
            "needs PostgreSQL: SQLite cannot share work safely between processes, and "
            "`tradeql serve` already runs the worker in-process on SQLite"
        )
    if args.concurrency is not None:
        settings = settings.model_copy(update={"worker_concurrency": args.concurrency})
    require_migrated(settings)
    asyncio.run(run_worker_process(settings))
    return 0
