"""How catalog discovery scales: the same storefront queries at 1,000 and at 100,000 products.

    .venv/bin/python -m bench.catalog_discovery [--runs 30] [--small 1000] [--large 100000]

Creates a scratch PostgreSQL database (`BENCH_PG_SERVER`, default postgres@127.0.0.1:5432),
seeds the small demo catalog, times each query, grows the catalog to the large size (the
seeder adds products on a second run), times again, prints the medians and the large/small
ratio, and drops the database. Queries run in-process through the ASGI app over
`httpx.ASGITransport`, so the figures include HTTP parsing, GraphQL execution and SQL, but no
network. The goal is a ratio within 1.5x; figures are printed, never asserted.

Each query is timed twice: cold, with the catalog version bumped before every run so the
read cache (`app.read_cache`) never answers, and warm, answered from that cache. The cache is
the app's in-process one (no Redis here), so warm figures leave out one Redis round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from app.factory import create_app
from app.read_cache import CATALOG_NAMESPACE
from app.seed import seed_demo
from core.cache import Cache
from core.db import Database, create_engine
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
WARM_UP_RUNS = 5


@dataclass(frozen=True)
class Query:
    name: str
    document: str


QUERIES = (
    Query(
        "filtered listing",
        """{ products(first: 10, filter: {productTypeSlug: "bearing",
               specs: [{attribute: "bore_mm", equals: {number: 20}}]}) {
             totalCount pageInfo { endCursor }
             edges { node { name countryOfOrigin specs { key display }
                            variants { sku price(currency: "USD", quantity: 500) { unitPrice } } } }
           } }""",
    ),
    Query(
        "search",
        """{ products(first: 10, sortBy: RELEVANCE, filter: {search: "cotton twill"}) {
             totalCount edges { node { name variants { sku } } } } }""",
    ),
    Query(
        "facets",
        """{ facets(filter: {productTypeSlug: "bearing",
                             specs: [{attribute: "bore_mm", equals: {number: 20}}]}) {
             attributes { key label unit values { value count }
                          numbers { min max buckets { from to count } } }
             countriesOfOrigin { value count } } }""",
    ),
    Query(
        "default listing",
        """{ products(first: 10) { edges { node { name variants { sku } } } } }""",
    ),
)


async def _admin(server: str, sql: str) -> None:
    connection = await asyncpg.connect(f"postgresql://{server}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _migrate(url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")


@dataclass(frozen=True)
class Medians:
    """Median milliseconds of one query at one size."""

    cold: float
    warm: float


async def _medians(database: Database, settings: Settings, runs: int) -> dict[str, Medians]:
    """Median milliseconds per query, cold and warm, after a warm-up; also checks each answer
    is not empty and that the cached answer is the one computed."""
    app = create_app(settings, database)
    cache: Cache = app.state.stores.cache
    transport = httpx.ASGITransport(app=app)
    medians: dict[str, Medians] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for query in QUERIES:
            cold: list[float] = []
            for run in range(WARM_UP_RUNS + runs):
                # A new version per run: nothing cached before it can answer.
                await cache.bump_version(CATALOG_NAMESPACE)
                elapsed, computed = await _timed(client, query)
                if run >= WARM_UP_RUNS:
                    cold.append(elapsed)
            warm: list[float] = []
            for _ in range(runs):
                elapsed, cached = await _timed(client, query)
                if cached != computed:
                    raise SystemExit(f"{query.name}: the cached answer differs")
                warm.append(elapsed)
            medians[query.name] = Medians(statistics.median(cold), statistics.median(warm))
    return medians


async def _timed(client: httpx.AsyncClient, query: Query) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": query.document})
    elapsed = (time.perf_counter() - started) * 1000
    body: dict[str, Any] = response.json()
    if "errors" in body or not _has_rows(body["data"]):
        raise SystemExit(f"{query.name}: unexpected answer {body}")
    return elapsed, response.content


def _has_rows(data: dict[str, Any]) -> bool:
    if "products" in data:
        return bool(data["products"]["edges"])
    return bool(data["facets"]["attributes"])


async def _grow_to(database: Database, engine: Any, products: int, have: int) -> float:
    started = time.perf_counter()
    await seed_demo(database, products=products - have)
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as connection:
        # What autovacuum does shortly after a bulk load: statistics for the planner, and the
        # visibility map that lets index-only scans skip the table.
        await connection.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


async def run(server: str, runs: int, small: int, large: int) -> None:
    name = f"tradeql_bench_{uuid.uuid4().hex[:8]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://{server}/{name}"
    try:
        await asyncio.to_thread(_migrate, url)
        settings = Settings(env="test", database_url=url, redis_url=None)
        engine = create_engine(settings)
        database = Database(engine)
        try:
            results: dict[int, dict[str, Medians]] = {}
            have = 0
            for size in (small, large):
                seconds = await _grow_to(database, engine, size, have)
                have = size
                print(f"seeded {size:,} products ({seconds:.0f} s); timing {runs} runs per query")
                results[size] = await _medians(database, settings, runs)
        finally:
            await engine.dispose()
        _report(results, small, large)
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _report(results: dict[int, dict[str, Medians]], small: int, large: int) -> None:
    print()
    print(
        f"{'median latency':<18} {'cold ' + f'{small:,}':>12} {f'{large:,}':>10}   ratio"
        f"   {'warm ' + f'{small:,}':>12} {f'{large:,}':>10}   ratio"
    )
    for query in QUERIES:
        low, high = results[small][query.name], results[large][query.name]
        print(
            f"{query.name:<18} {low.cold:>9.1f} ms {high.cold:>7.1f} ms"
            f"   {high.cold / low.cold:.2f}x"
            f"   {low.warm:>9.1f} ms {high.warm:>7.1f} ms   {high.warm / low.warm:.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query (30)")
    parser.add_argument("--small", type=int, default=1_000, help="first catalog size (1,000)")
    parser.add_argument("--large", type=int, default=100_000, help="second size (100,000)")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL ({PG_SERVER})")
    args = parser.parse_args()
    asyncio.run(run(args.server, args.runs, args.small, args.large))


if __name__ == "__main__":
    main()
