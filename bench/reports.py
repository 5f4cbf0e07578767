"""Every report on the seeded demo order book: warm medians at each size, and the rollups'
upkeep.

    .venv/bin/python -m bench.reports [--orders 100000] [--sizes 10000,1000000] [--runs 7]
        [--keep] [--seeded NAME,NAME] [--server postgres@127.0.0.1:5432]

Each size gets a scratch database seeded by the real seeder (`tradeql seed-demo --orders N`
on the 200-product demo catalog; `bench.scratch_database.create_with_order_book`), dropped
after unless `--keep`. Every report of `bench.report_cases` runs through the GraphQL schema
executed in-process (`schema.build.build_schema`, a request context of its own per run, as an
admin): parsing, validation, resolvers and SQL, without HTTP. The warm median of `--runs` runs after
one warm-up is printed per report and size, with the ratio of the largest size to the
smallest and pass or fail against the issue's goal (under 1 s at 1,000,000 orders). Then the
sales rollups' rebuild over every month and one order's upkeep (`sync_order_sales`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import asyncpg
from sqlalchemy import text

from app.demo_orders.seeding import HISTORY_YEARS
from auth.policy import ROLE_PERMISSIONS
from auth.principal import Principal, PrincipalKind
from bench import scratch_database
from bench.report_cases import ReportCase, months_before, report_cases
from core.cache import InMemoryCache
from core.db import Database, create_engine
from core.kv import KeyValueStores
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings
from models.accounts import Role
from resolvers.context import Context
from resolvers.reports.periods import local_today
from resolvers.reports.sales_rollups import rebuild_sales, sync_order_sales
from schema.build import build_schema

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
GOAL_MS = 1000.0
ADMIN = Principal(
    kind=PrincipalKind.USER,
    role=Role.ADMIN,
    permissions=ROLE_PERMISSIONS[Role.ADMIN],
    user_id=1,
    mfa_enrolled=True,
    mfa_verified=True,
)


@dataclass
class SizeFigures:
    """What one size measured: seconds for the seed and rebuild, ms for the rest."""

    orders: int
    seed_s: float | None = None
    rebuild_s: float = 0.0
    upkeep_ms: float = 0.0
    medians_ms: dict[str, float] = field(default_factory=dict)
    # A report's first error, when the schema answered with errors (timed all the same).
    errors: dict[str, str] = field(default_factory=dict)


async def _timed_ms(action: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await action()
    return (time.perf_counter() - started) * 1000


class Bench:
    """The schema, settings and database of one seeded size, asked as an admin."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.schema = build_schema(settings)
        self.stores = KeyValueStores(InMemoryCache(), InMemoryRateLimiter(), None)

    async def ask(self, case: ReportCase) -> list[str]:
        """One request: a context (and session) of its own, the document run; its errors."""
        context = Context.for_request(
            request_id="bench",
            settings=self.settings,
            database=self.database,
            stores=self.stores,
            principal=ADMIN,
        )
        try:
            result = await self.schema.execute(
                case.document, variable_values=case.variables, context_value=context
            )
        finally:
            await context.close()
        return [error.message for error in result.errors or []]

    async def report_medians(self, runs: int, figures: SizeFigures) -> None:
        """Each report's warm median: one run to warm up, then `runs` runs."""
        today = local_today(self.settings.reporting_zone)
        history_start = months_before(today, HISTORY_YEARS * 12 + 1)
        currency = self.settings.reporting_currency_list[0]
        cases = report_cases(today, history_start, currency)
        as_of = [case.variables["asOf"] for case in cases if case.variables.get("asOf")]
        print(f"  today {today}, history from {history_start}, aging as of {as_of}, {currency}")
        for case in cases:
            times = []
            for _ in range(runs + 1):
                started = time.perf_counter()
                errors = await self.ask(case)
                times.append((time.perf_counter() - started) * 1000)
                if errors:
                    figures.errors.setdefault(case.name, errors[0])
            figures.medians_ms[case.name] = statistics.median(times[1:])
            error = f"  ERROR {figures.errors[case.name]}" if case.name in figures.errors else ""
            print(f"  {case.name:<44} {figures.medians_ms[case.name]:9.1f} ms{error}", flush=True)

    async def rebuild_seconds(self) -> float:
        """The sales rollups rebuilt over every month, as the seeder does before its commit."""

        async def rebuild() -> None:
            async with self.database.transaction() as session:
                await rebuild_sales(session, None, settings=self.settings)

        return await _timed_ms(rebuild) / 1000

    async def upkeep_ms(self, runs: int) -> float:
        """One order's upkeep, as the outbox handler does it: the latest order still counted
        cancelled, then given its status back, each in its own transaction; the median."""
        async with self.database.transaction() as session:
            latest = (
                await session.execute(
                    text(
                        "SELECT id, status FROM orders WHERE status <> 'cancelled' "
                        "ORDER BY id DESC LIMIT 1"
                    )
                )
            ).one()
        order_id, own_status = int(latest.id), str(latest.status)
        times = []
        for _ in range(runs):
            for status in ("cancelled", own_status):

                async def sync(status: str = status) -> None:
                    async with self.database.transaction() as session:
                        await session.execute(
                            text("UPDATE orders SET status = :status WHERE id = :id"),
                            {"status": status, "id": order_id},
                        )
                        await sync_order_sales(session, order_id, settings=self.settings)

                times.append(await _timed_ms(sync))
        return statistics.median(times)


async def measure(server: str, orders: int, runs: int, *, keep: bool) -> SizeFigures:
    """Seed a scratch database with `orders` orders, time everything on it, drop it (unless
    `keep`: left for EXPLAIN, its name printed)."""
    name = f"bench_reports_{os.getpid()}_{orders}"
    figures = SizeFigures(orders)
    try:
        started = time.perf_counter()
        url = await scratch_database.create_with_order_book(server, name, orders)
        figures.seed_s = time.perf_counter() - started
        print(f"{orders:,} orders: seeded in {figures.seed_s:.0f} s", flush=True)
        await _time_database(url, runs, figures)
    finally:
        if keep:
            print(f"  kept database {name}: drop it with DROP DATABASE", flush=True)
        else:
            await scratch_database.drop(server, name)
    return figures


async def measure_seeded(server: str, name: str, runs: int) -> SizeFigures:
    """Time a database seeded before (kept by `--keep`); it is left as it is."""
    url = f"postgresql+asyncpg://{server}/{name}"
    connection = await asyncpg.connect(f"postgresql://{server}/{name}")
    try:
        figures = SizeFigures(int(await connection.fetchval("SELECT count(*) FROM orders")))
    finally:
        await connection.close()
    print(f"{figures.orders:,} orders: seeded before, in {name}", flush=True)
    await _time_database(url, runs, figures)
    return figures


async def _time_database(url: str, runs: int, figures: SizeFigures) -> None:
    settings = Settings(env="test", database_url=url, redis_url=None)
    engine = create_engine(settings)
    try:
        bench = Bench(settings, Database(engine))
        await bench.report_medians(runs, figures)
        figures.rebuild_s = await bench.rebuild_seconds()
        figures.upkeep_ms = await bench.upkeep_ms(runs)
        print(
            f"  rollups rebuilt in {figures.rebuild_s:.1f} s; one order's upkeep "
            f"{figures.upkeep_ms:.1f} ms",
            flush=True,
        )
    finally:
        await engine.dispose()


def _goal(sizes: list[SizeFigures], name: str) -> str:
    if any(name in size.errors for size in sizes):
        return "ERROR"
    return "pass" if sizes[-1].medians_ms[name] < GOAL_MS else "FAIL"


def _table(sizes: list[SizeFigures]) -> list[str]:
    """The medians side by side, the largest size's ratio to the smallest, and the goal."""
    small, large = sizes[0], sizes[-1]
    header = ["report", *(f"{size.orders:,}" for size in sizes), "ratio", "< 1 s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, large_ms in large.medians_ms.items():
        cells = [name, *(f"{size.medians_ms[name]:.1f} ms" for size in sizes)]
        cells += [f"{large_ms / small.medians_ms[name]:.1f}x"]
        cells += [_goal(sizes, name)]
        lines.append("| " + " | ".join(cells) + " |")
    for label, value in (
        ("seed (s)", lambda size: "-" if size.seed_s is None else f"{size.seed_s:.0f} s"),
        ("rollups' rebuild (s)", lambda size: f"{size.rebuild_s:.1f} s"),
        ("one order's upkeep (ms)", lambda size: f"{size.upkeep_ms:.1f} ms"),
    ):
        lines.append("| " + " | ".join([label, *map(value, sizes), "", ""]) + " |")
    return lines


async def run(
    server: str, orders: list[int], runs: int, *, keep: bool = False, seeded: Sequence[str] = ()
) -> None:
    if seeded:
        sizes = [await measure_seeded(server, name, runs) for name in seeded]
    else:
        sizes = [await measure(server, count, runs, keep=keep) for count in orders]
    errors = [
        f"{size.orders:,} orders, {name}: {error}"
        for size in sizes
        for name, error in size.errors.items()
    ]
    print("\n".join(["", *_table(sizes), *errors]))


def _sizes(value: str) -> list[int]:
    return [int(size.replace("_", "")) for size in value.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--orders", type=int, default=100_000, help="the large size, beside 10,000 (100,000)"
    )
    parser.add_argument("--sizes", type=_sizes, help="every size, comma-separated, smallest first")
    parser.add_argument("--runs", type=int, default=7, help="timed runs after the warm-up (7)")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL ({PG_SERVER})")
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch databases (to EXPLAIN a report)"
    )
    parser.add_argument(
        "--seeded",
        type=lambda value: value.split(","),
        default=[],
        help="time these databases, kept by an earlier --keep, smallest first, instead of seeding",
    )
    args = parser.parse_args()
    sizes = args.sizes or [10_000, args.orders]
    asyncio.run(run(args.server, sizes, args.runs, keep=args.keep, seeded=args.seeded))


if __name__ == "__main__":
    main()
