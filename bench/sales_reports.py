"""Sales and margin reports on a synthetic order book: the rollup rebuild, one order's
upkeep, and each report's warm median.

`python -m bench.sales_reports [--orders 100000]` builds a scratch database: the demo
catalog, 2,000 client companies in 40 countries, daily EUR/USD and USD/INR rates for five
years, and N orders over those years (USD, EUR, INR and some CHF, which has no rate; 1 to 3
lines each; 5 % cancelled) written with INSERT ... SELECT generate_series. Figures go to
docs/benchmarks.md with the date, commit and machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy import insert, text

from admin_queries.reports.margin import MarginBy, margin_report
from admin_queries.reports.report_scope import report_scope
from admin_queries.reports.sales import SalesBy, sales_report
from app.cli.seed_commands import seed_demo
from bench import scratch_database
from core.db import Database, create_engine
from core.request_session import RequestSession
from core.settings import Settings
from models.base import metadata
from resolvers.reports.sales_rollups import rebuild_sales, sync_order_sales

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
COUNTRIES = (
    "DE FR NL BE IT ES PT PL SE DK FI NO GB IE AT CH CZ HU RO GR TR AE SA QA EG MA ZA NG KE "
    "US CA MX BR CL AR IN BD LK VN JP"
).split()
START, YEARS = date(2021, 1, 1), 5
RUNS = 7

RATES = """
INSERT INTO fx_rates (base_currency, quote_currency, rate, effective_at, source)
SELECT pair.base, pair.quote, pair.rate * (1 + 0.05 * sin(day.n / 90.0)),
       TIMESTAMPTZ '2021-01-01 00:00:00+00' + day.n * INTERVAL '1 day', 'bench'
FROM generate_series(0, 365 * 5) AS day(n)
CROSS JOIN (VALUES ('EUR', 'USD', 1.1), ('USD', 'INR', 83.0)) AS pair(base, quote, rate)
"""
ORDERS = """
INSERT INTO orders (client_company_id, request_hash, status, payment_status, currency,
    incoterm, named_place, shipping_address, note, total, amount_paid, credit_currency,
    fx_rate, cancel_reason, version, created_at, updated_at)
SELECT c.id, md5(g::text), CASE WHEN g % 20 = 0 THEN 'cancelled' ELSE 'delivered' END,
       'paid', (ARRAY['USD', 'USD', 'EUR', 'INR', 'USD', 'EUR', 'USD', 'CHF'])[1 + g % 8],
       'FOB', '', jsonb_build_object('country', c.country), '', 1000, 1000, 'USD', 1, '', 1,
       placed, placed
FROM generate_series(1, :orders) AS g
JOIN (SELECT id, country, row_number() OVER (ORDER BY id) AS n FROM client_companies) c
  ON c.n = 1 + (g::bigint * 7919) % :companies
CROSS JOIN LATERAL (SELECT TIMESTAMPTZ '2021-01-01 00:00:00+00'
    + (sqrt(g::float8 / :orders) * 365 * 5) * INTERVAL '1 day'
    + (g % 86400) * INTERVAL '1 second' AS placed) p
"""
LINES = """
INSERT INTO order_lines (order_id, variant_id, sku, product_name, quantity, unit_price,
    tier_min_quantity, line_total, position, unit_cost, cost_currency)
SELECT o.id, v.id, v.sku, 'bench', 10 + (o.id * k) % 490, 4.2500, NULL,
       (10 + (o.id * k) % 490) * 4.25, k,
       CASE WHEN o.id % 10 = 0 THEN NULL ELSE v.cost_price END,
       CASE WHEN o.id % 10 = 0 THEN NULL ELSE v.cost_currency END
FROM orders o
CROSS JOIN generate_series(1, 1 + o.id % 3) AS k
JOIN (SELECT id, sku, cost_price, cost_currency, row_number() OVER (ORDER BY id) AS n
      FROM variants) v ON v.n = 1 + (o.id * 31 + k * 97) % :variants
"""


async def _build(database: Database, orders: int) -> None:
    await seed_demo(database, products=500)
    async with database.transaction() as session:
        companies = [
            {"name": f"Buyer {n}", "country": COUNTRIES[n % len(COUNTRIES)]} for n in range(2000)
        ]
        await session.execute(insert(metadata.tables["client_companies"]), companies)
        await session.execute(text(RATES))
        variants = await session.scalar(text("SELECT count(*) FROM variants"))
        await session.execute(text(ORDERS), {"orders": orders, "companies": len(companies)})
        await session.execute(text(LINES), {"variants": variants})
    async with database.transaction() as session:
        await session.execute(text("ANALYZE"))


async def _timed(action: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await action()
    return (time.perf_counter() - started) * 1000


async def _median(database: Database, action: Callable[[RequestSession], Awaitable[Any]]) -> float:
    """The warm median in ms: one run to warm up, then RUNS runs, each a request's session."""
    times = []
    for _ in range(RUNS + 1):
        reader = RequestSession(database)
        try:
            times.append(await _timed(lambda reader=reader: action(reader)))  # type: ignore[misc]
        finally:
            await reader.close()
    return statistics.median(times[1:])


async def run(server: str, orders: int) -> None:
    name = f"tradeql_bench_{uuid.uuid4().hex[:8]}"
    try:
        url = await scratch_database.create_migrated(server, name)
        settings = Settings(database_url=url)
        engine = create_engine(settings)
        database = Database(engine)
        try:
            started = time.perf_counter()
            await _build(database, orders)
            print(f"built {orders:,} orders in {time.perf_counter() - started:.1f} s")

            async def rebuild() -> None:
                async with database.transaction() as session:
                    await rebuild_sales(session, None, settings=settings)

            print(f"rebuild_sales, every month: {await _timed(rebuild) / 1000:.1f} s")
            await _report_timings(database, settings)
            await _sync_timing(database, settings)
        finally:
            await engine.dispose()
    finally:
        await scratch_database.drop(server, name)


async def _report_timings(database: Database, settings: Settings) -> None:
    last = START.replace(year=START.year + YEARS - 1, month=12)
    scope = report_scope(settings, "EUR", START.strftime("%Y-%m"), last.strftime("%Y-%m"))
    for by in SalesBy:
        median = await _median(database, lambda r, by=by: sales_report(r, scope, by, 50))  # type: ignore[misc]
        print(f"salesReport by {by.name:<8} 60 months, top 50: {median:8.1f} ms warm median")
    for margin_by in MarginBy:
        median = await _median(
            database,
            lambda r, by=margin_by: margin_report(r, scope, by, 50),  # type: ignore[misc]
        )
        print(
            f"marginReport by {margin_by.name:<8} 60 months, top 50: {median:6.1f} ms warm median"
        )


async def _sync_timing(database: Database, settings: Settings) -> None:
    """One order's upkeep, as the handler does it: taken out, then counted again."""
    async with database.transaction() as session:
        order_id = int(await session.scalar(text("SELECT max(id) FROM orders")) or 0)
    times = []
    for _ in range(RUNS):
        for status in ("cancelled", "delivered"):

            async def sync(status: str = status) -> None:
                async with database.transaction() as session:
                    await session.execute(
                        text("UPDATE orders SET status = :status WHERE id = :id"),
                        {"status": status, "id": order_id},
                    )
                    await sync_order_sales(session, order_id, settings=settings)

            times.append(await _timed(sync))
    print(f"sync_order_sales, one order: {statistics.median(times):.1f} ms median")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders (100,000)")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL ({PG_SERVER})")
    args = parser.parse_args()
    asyncio.run(run(args.server, args.orders))


if __name__ == "__main__":
    main()
