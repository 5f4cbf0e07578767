"""Receivables aging on days across the ledger's history, on the demo order book.

`python -m bench.receivables_aging [--orders 100000]` seeds a scratch database with the demo
order book (`tradeql seed-demo --orders`) and drops it after; `--database-url` times a book
seeded before instead, and leaves it. For today, yesterday, 30 days back and days at 10 %
to 90 % of the time since the first ledger entry, it prints how many receivables were owed
that day and the warm median of `receivables_aging` (the first 50 rows and the totals, as a
finance user; one run to warm up, then 7, each on a request's own session, past GraphQL).
Figures go to docs/benchmarks.md with the date, commit and machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from admin_queries.reports.aging import receivables_aging
from auth.policy import ROLE_PERMISSIONS
from auth.principal import Principal, PrincipalKind
from bench import scratch_database
from core.cache import InMemoryCache
from core.db import Database, create_engine
from core.kv import KeyValueStores
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings
from models.accounts import Role
from resolvers.context import Context

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
RUNS = 7
SHARES = (0.1, 0.25, 0.5, 0.75, 0.9)
FINANCE = Principal(
    kind=PrincipalKind.USER,
    role=Role.FINANCE,
    permissions=ROLE_PERMISSIONS[Role.FINANCE],
    user_id=1,
    mfa_enrolled=True,
    mfa_verified=True,
)
OWED_ON = """
SELECT count(*) FROM (
    SELECT receivable_id FROM ledger_entries WHERE created_at < :ended
    GROUP BY receivable_id HAVING sum(amount) > 0
) AS owed
"""


def _context(database: Database, settings: Settings) -> Context:
    stores = KeyValueStores(InMemoryCache(), InMemoryRateLimiter(), None)
    return Context.for_request(
        request_id="bench", settings=settings, database=database, stores=stores, principal=FINANCE
    )


async def _median_ms(database: Database, settings: Settings, as_of: date) -> float:
    times = []
    for _ in range(RUNS + 1):
        ctx = _context(database, settings)
        try:
            started = time.perf_counter()
            await receivables_aging(ctx, as_of=as_of, first=50, client=None)
            times.append((time.perf_counter() - started) * 1000)
        finally:
            await ctx.session.close()
    return statistics.median(times[1:])


async def _days(database: Database) -> list[tuple[str, date]]:
    async with database.session() as session:
        first = await session.scalar(text("SELECT min(created_at) FROM ledger_entries"))
    assert first is not None, "the book has no ledger entries"
    today = datetime.now(UTC).date()
    span = today - first.astimezone(UTC).date()
    days = [("today", today), ("yesterday", today - timedelta(days=1))]
    days.append(("30 days back", today - timedelta(days=30)))
    days += [(f"{share:.0%} into history", first.date() + span * share) for share in SHARES]
    return days


async def time_days(url: str) -> None:
    settings = Settings(database_url=url, redis_url=None, database_pool_size=2)
    engine = create_engine(settings)
    database = Database(engine)
    try:
        async with database.session() as session:
            receivables = await session.scalar(text("SELECT count(*) FROM receivables"))
            entries = await session.scalar(text("SELECT count(*) FROM ledger_entries"))
        print(f"{receivables:,} receivables, {entries:,} ledger entries")
        for label, day in await _days(database):
            ended = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
            async with database.session() as session:
                owed = await session.scalar(text(OWED_ON), {"ended": ended})
            median = await _median_ms(database, settings, day)
            print(f"{label:<18} {day}  {owed:>8,} owed  {median:8.1f} ms warm median")
    finally:
        await engine.dispose()


async def run(server: str, orders: int, url: str | None) -> None:
    if url is not None:
        await time_days(url)
        return
    name = f"tradeql_bench_{uuid.uuid4().hex[:8]}"
    try:
        started = time.perf_counter()
        url = await scratch_database.create_with_order_book(server, name, orders)
        print(f"seeded {orders:,} orders in {time.perf_counter() - started:.0f} s")
        await time_days(url)
    finally:
        await scratch_database.drop(server, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders (100,000)")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL ({PG_SERVER})")
    parser.add_argument("--database-url", help="a database seeded before (kept)")
    args = parser.parse_args()
    asyncio.run(run(args.server, args.orders, args.database_url))


if __name__ == "__main__":
    main()
