"""Running workers: `tradeql worker` processes, or one task inside `tradeql serve` on SQLite."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

from app import csv_export_jobs
from app.caller_budgets import cost_buckets_for
from app.read_cache import invalidate_cached_reads_on_commit
from app.worker import Worker
from core.db import Database, create_engine
from core.kv import KeyValueStores, create_key_value_stores
from core.kv import close as close_stores
from core.settings import Settings
from jobs.builtin import build_registry
from jobs.context import JobContext
from jobs.mail.mailer import Mailer


@asynccontextmanager
async def job_context(
    settings: Settings, database: Database, stores: KeyValueStores | None = None
) -> AsyncIterator[JobContext]:
    """What handlers work with. `stores` are the process's own (the server's, for the embedded
    worker, so an export draws on the very buckets its server does); without them the context
    opens stores of its own and closes them after."""
    async with AsyncExitStack() as owned:
        if stores is None:
            stores = create_key_value_stores(settings)
            owned.push_async_callback(close_stores, stores)
        # Webhook targets are partners' servers: short timeouts, never follow redirects.
        http = await owned.enter_async_context(
            httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False)
        )
        yield JobContext(
            settings=settings,
            database=database,
            http=http,
            mailer=Mailer.from_settings(settings),
            cost_buckets=cost_buckets_for(settings, stores),
        )


def build_worker(settings: Settings, database: Database, context: JobContext) -> Worker:
    registry = build_registry(settings)
    # Handlers that execute the schema, which jobs/ may not import.
    csv_export_jobs.register(registry)
    return Worker(settings=settings, database=database, registry=registry, context=context)


async def run_worker_process(settings: Settings) -> None:
    """`tradeql worker`: work until SIGTERM or SIGINT, then shut down gracefully."""
    engine = create_engine(settings)
    database = Database(engine)
    # Handlers that write the catalog (an import) invalidate the servers' cached reads.
    stores = create_key_value_stores(settings)
    invalidate_cached_reads_on_commit(database, stores)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await database.check_connection()
        async with job_context(settings, database, stores) as context:
            await build_worker(settings, database, context).run(stop)
    finally:
        await close_stores(stores)
        await engine.dispose()


@asynccontextmanager
async def embedded_worker(
    settings: Settings, database: Database, stores: KeyValueStores | None = None
) -> AsyncIterator[None]:
    """One worker task inside the server process, for the single-process SQLite default."""
    stop = asyncio.Event()
    async with job_context(settings, database, stores) as context:
        worker = build_worker(settings, database, context)
        # The server and the worker share the process: a commit that emits wakes it directly.
        database.on_outbox_committed = worker.wake
        task = asyncio.create_task(worker.run(stop))
        try:
            yield
        finally:
            database.on_outbox_committed = None
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await task
