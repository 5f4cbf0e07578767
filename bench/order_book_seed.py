"""Seeding the demo order book: wall time and rows a second at each size.

    .venv/bin/python -m bench.order_book_seed [--orders 100000 ...] [--server ...]

Each size gets a scratch database of its own (created, migrated, given the 200-product demo
catalog, then dropped), and is timed from the start of `seed_order_book` to its commit: the
drafting in Python, the COPY of every table, the stock reservations, every client's standing
and the ANALYZE. Prints the rows written by table and the database's size.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import asyncpg

from app.cli.seed_commands import seed_demo
from app.demo_orders.seeding import seed_order_book
from bench import scratch_database
from core.db import Database, create_engine
from core.settings import Settings

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")


async def _size_of(server: str, name: str) -> int:
    connection = await asyncpg.connect(f"postgresql://{server}/{name}")
    try:
        return int(await connection.fetchval("SELECT pg_database_size(current_database())"))
    finally:
        await connection.close()


async def measure(server: str, orders: int, prefix: str) -> None:
    name = f"{prefix}_{os.getpid()}_{orders}"
    engine = None
    try:
        url = await scratch_database.create_migrated(server, name)
        engine = create_engine(Settings(env="test", database_url=url, redis_url=None))
        database = Database(engine)
        await seed_demo(database, products=200)
        started = time.perf_counter()
        report = await seed_order_book(database, orders=orders)
        seconds = time.perf_counter() - started
        total = sum(report.rows.values())
        print(
            f"{orders:>10,} orders: {seconds:7.1f} s, {total:,} rows ({total / seconds:,.0f} a "
            f"second), {orders / seconds:,.0f} orders a second, database "
            f"{await _size_of(server, name) / 2**30:.2f} GiB"
        )
        print("    " + ", ".join(f"{table} {count:,}" for table, count in report.rows.items()))
    finally:
        if engine is not None:
            await engine.dispose()
        await scratch_database.drop(server, name)


async def run(server: str, sizes: list[int], prefix: str) -> None:
    for orders in sizes:
        await measure(server, orders, prefix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[100_000], help="sizes (100,000)")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL ({PG_SERVER})")
    parser.add_argument(
        "--prefix", default="bench_order_book", help="scratch database names' prefix"
    )
    args = parser.parse_args()
    asyncio.run(run(args.server, args.orders, args.prefix))


if __name__ == "__main__":
    main()
