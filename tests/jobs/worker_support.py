"""A real worker running in the test's event loop, stopped gracefully when the test is done."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.worker import Worker
from app.worker_main import build_worker, job_context
from core.db import Database
from core.settings import Settings


@asynccontextmanager
async def running_worker(settings: Settings, database: Database) -> AsyncIterator[Worker]:
    stop = asyncio.Event()
    async with job_context(settings, database) as context:
        worker = build_worker(settings, database, context)
        task = asyncio.create_task(worker.run(stop))
        try:
            yield worker
        finally:
            stop.set()
            await task
