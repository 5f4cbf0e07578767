"""How catalog discovery scales: the same storefront queries at 1,000 and at 100,000 products.

    .venv/bin/python -m bench.catalog_discovery [--runs 30] [--small 1000] [--large 100000]

Prints cold and warm medians per query and their large/small ratio, timing the two sizes in
alternation; figures are printed, never asserted. How it measures, and every figure it has
given, are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text

from app.cli.seed_commands import seed_demo
from app.factory import create_app
from app.read_cache import CATALOG_NAMESPACE
from bench import scratch_database
from core.cache import Cache
from core.db import Database, create_engine
from core.settings import Settings

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
        # The buyer of the issue: several specs of one product type at once.
        "two-spec listing",
        """{ products(first: 10, filter: {productTypeSlug: "fabric",
               specs: [{attribute: "gsm", range: {min: 200, max: 240}},
                       {attribute: "weave", oneOf: ["twill"]}]}) {
             totalCount edges { node { name variants { sku } } } } }""",
    ),
    Query(
        "search",
        """{ products(first: 10, sortBy: RELEVANCE, filter: {search: "cotton twill"}) {
             totalCount edges { node { name variants { sku } } } } }""",
    ),
    Query(
        # One product at either size (the small catalog's products are the large one's
        # first thousand): what search costs when the matches do not grow with the catalog.
        "search by SKU",
        """{ products(first: 10, sortBy: RELEVANCE, filter: {search: "FAB-000827"}) {
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
        "two-spec facets",
        """{ facets(filter: {productTypeSlug: "fabric",
                             specs: [{attribute: "gsm", range: {min: 200, max: 240}},
                                     {attribute: "weave", oneOf: ["twill"]}]}) {
             attributes { key values { value count } numbers { min max buckets { count } } }
             countriesOfOrigin { value count } } }""",
    ),
    Query(
        "default listing",
        """{ products(first: 10) { edges { node { name variants { sku } } } } }""",
    ),
)


@dataclass(frozen=True)
class Medians:
    """Median milliseconds of one query at one size."""

    cold: float
    warm: float


@dataclass
class Target:
    """One catalog size: its app and client, and the figures measured against it."""

    size: int
    client: httpx.AsyncClient
    cache: Cache
    cold: dict[str, list[float]]
    warm: dict[str, list[float]]


async def _measure(targets: list[Target], runs: int) -> None:
    """Per query, alternating between the sizes run by run: cold runs after a warm-up, then
    warm ones; also checks each answer is not empty and that the cached answer is the one
    computed."""
    for query in QUERIES:
        computed: dict[int, bytes] = {}
        for run in range(WARM_UP_RUNS + runs):
            for target in targets:
                # A new version per run: nothing cached before it can answer.
                await target.cache.bump_version(CATALOG_NAMESPACE)
                elapsed, computed[target.size] = await _timed(target.client, query)
                if run >= WARM_UP_RUNS:
                    target.cold.setdefault(query.name, []).append(elapsed)
        for _ in range(runs):
            for target in targets:
                elapsed, cached = await _timed(target.client, query)
                if cached != computed[target.size]:
                    raise SystemExit(f"{query.name}: the cached answer differs")
                target.warm.setdefault(query.name, []).append(elapsed)


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
    prefix = f"tradeql_bench_{uuid.uuid4().hex[:8]}"
    names = {small: f"{prefix}_small", large: f"{prefix}_large"}
    engines: list[Any] = []
    try:
        async with AsyncExitStack() as stack:
            targets = []
            for size, name in names.items():
                url = await scratch_database.create_migrated(server, name)
                settings = Settings(env="test", database_url=url, redis_url=None)
                engine = create_engine(settings)
                engines.append(engine)
                database = Database(engine)
                seconds = await _grow_to(database, engine, small, 0)
                if size > small:
                    seconds += await _grow_to(database, engine, size, small)
                print(f"seeded {size:,} products ({seconds:.0f} s)")
                app = create_app(settings, database)
                client = await stack.enter_async_context(
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
                )
                targets.append(Target(size, client, app.state.stores.cache, {}, {}))
            print(f"timing {runs} runs per query and size, the sizes in alternation")
            await _measure(targets, runs)
        results = {
            target.size: {
                query.name: Medians(
                    statistics.median(target.cold[query.name]),
                    statistics.median(target.warm[query.name]),
                )
                for query in QUERIES
            }
            for target in targets
        }
        _report(results, small, large)
    finally:
        for engine in engines:
            await engine.dispose()
        for name in names.values():
            await scratch_database.drop(server, name)


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
