"""A worker's throughput and wake-up: how fast it drains a backlog, how soon it starts an order.

    .venv/bin/python -m bench.worker_throughput [--events 2000] [--orders 40]

On a scratch PostgreSQL database, one in-process worker (default WORKER_CONCURRENCY):

- drains a backlog of no-op events, once with the default WORKER_POLL_SECONDS and once with a
  poll of 0.01 s, and prints both rates and their ratio (near 1: the poll does not bound
  throughput);
- idle, with the default poll, starts the handler of a newly committed `order.placed` event:
  printed is the time from the commit returning to the handler starting, median and p95.
  The event is emitted with `core.outbox.emit` in a transaction of its own, as `placeOrder`
  emits it, on an engine apart from the worker's; not through the whole placement path.

Figures and how to read them are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable

from app.worker import Worker
from app.worker_main import job_context
from bench import scratch_database
from core import outbox
from core.db import Database, create_engine
from core.event_types import ORDER_PLACED
from core.settings import Settings
from jobs.context import JobContext
from jobs.registry import HandlerRegistry
from models.outbox import OutboxEvent

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
NO_OP = "bench.no_op"
DEFAULT_POLL_SECONDS = Settings.model_fields["worker_poll_seconds"].default
FAST_POLL_SECONDS = 0.01


def _registry(on_start: Callable[[OutboxEvent], None]) -> HandlerRegistry:
    registry = HandlerRegistry()

    @registry.register("bench.observe", [NO_OP, ORDER_PLACED])
    async def observe(event: OutboxEvent, _context: JobContext) -> None:
        on_start(event)

    return registry


async def _emit(database: Database, event_type: str, count: int) -> None:
    async with database.transaction() as session:
        for _ in range(count):
            await outbox.emit(session, event_type, {})


async def _drain_rate(url: str, events: int, poll_seconds: float) -> float:
    """Events per second one worker handles from a backlog of `events` no-op events."""
    settings = Settings(
        env="test", database_url=url, redis_url=None, worker_poll_seconds=poll_seconds
    )
    engine = create_engine(settings)
    database = Database(engine)
    handled = 0
    all_handled = asyncio.Event()

    def count(_event: OutboxEvent) -> None:
        nonlocal handled
        handled += 1
        if handled == events:
            all_handled.set()

    try:
        await _emit(database, NO_OP, events)
        stop = asyncio.Event()
        async with job_context(settings, database) as context:
            worker = Worker(
                settings=settings, database=database, registry=_registry(count), context=context
            )
            started = time.perf_counter()
            task = asyncio.create_task(worker.run(stop))
            await all_handled.wait()
            seconds = time.perf_counter() - started
            stop.set()
            await task
        return events / seconds
    finally:
        await engine.dispose()


async def _wake_up_latencies(url: str, orders: int) -> list[float]:
    """Milliseconds from an order event's commit to its handler starting on an idle worker."""
    settings = Settings(env="test", database_url=url, redis_url=None)
    worker_engine, shop_engine = create_engine(settings), create_engine(settings)
    worker_database, shop_database = Database(worker_engine), Database(shop_engine)
    handler_started: asyncio.Future[float] | None = None

    def record(_event: OutboxEvent) -> None:
        if handler_started is not None and not handler_started.done():
            handler_started.set_result(time.perf_counter())

    latencies = []
    try:
        stop = asyncio.Event()
        async with job_context(settings, worker_database) as context:
            worker = Worker(
                settings=settings,
                database=worker_database,
                registry=_registry(record),
                context=context,
            )
            task = asyncio.create_task(worker.run(stop))
            for _ in range(orders):
                # Idle for a while, at a random phase of the poll.
                await asyncio.sleep(random.uniform(0.2, 0.2 + DEFAULT_POLL_SECONDS))
                handler_started = asyncio.get_running_loop().create_future()
                await _emit(shop_database, ORDER_PLACED, 1)
                committed = time.perf_counter()
                latencies.append((await handler_started - committed) * 1000)
            stop.set()
            await task
        return latencies
    finally:
        await worker_engine.dispose()
        await shop_engine.dispose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(server: str, events: int, orders: int) -> None:
    name = f"tradeql_bench_{uuid.uuid4().hex[:8]}"
    try:
        url = await scratch_database.create_migrated(server, name)
        print(f"one worker, WORKER_CONCURRENCY {Settings().worker_concurrency}, no-op handlers")
        default_rate = await _drain_rate(url, events, DEFAULT_POLL_SECONDS)
        fast_rate = await _drain_rate(url, events, FAST_POLL_SECONDS)
        for poll, rate in ((DEFAULT_POLL_SECONDS, default_rate), (FAST_POLL_SECONDS, fast_rate)):
            print(f"drain {events:,} events, poll {poll:>4} s: {rate:>8.0f} events/s")
        print(
            f"ratio (default poll / fast poll): {default_rate / fast_rate:.2f} (goal: at least 0.8)"
        )
        latencies = await _wake_up_latencies(url, orders)
        print(
            f"committed order event to handler start, idle worker, poll "
            f"{DEFAULT_POLL_SECONDS} s, {orders} orders: median "
            f"{statistics.median(latencies):.1f} ms, p95 {_percentile(latencies, 0.95):.1f} ms"
        )
    finally:
        await scratch_database.drop(server, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000, help="backlog to drain (2,000)")
    parser.add_argument("--orders", type=int, default=40, help="order events to time (40)")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL ({PG_SERVER})")
    args = parser.parse_args()
    asyncio.run(run(args.server, args.events, args.orders))


if __name__ == "__main__":
    main()
