"""What the garbage collector costs a served listing, with Python's defaults and tuned.

    .venv/bin/python -m bench.gc_overhead [--requests 500] [--products 20] [--rounds 2]

Seeds a PostgreSQL database of its own (the demo catalog), then, in a fresh child process per
mode and round (GC state is per process), sends `--requests` uncached storefront listings
(the issue's query) through the ASGI app and prints the CPU time, the CPU time spent in
collections (measured with `gc.callbacks`), the number of collections per generation and the
longest one. `default` is Python's own settings; `tuned` is what `tradeql serve` applies after
startup (app/gc_tuning.py). Figures are printed, never asserted; docs/benchmarks.md has them.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx

from app.cli.seed_commands import seed_demo
from app.factory import create_app
from app.gc_tuning import tune_for_serving
from bench import scratch_database
from core.db import Database, create_engine
from core.settings import Settings

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
WARM_UP = 20
LISTING = """query Q($n: Int!) { products(first: $n) { edges { node { id name slug hsCode
  countryOfOrigin moq category { name } specs { label display }
  variants { sku available price(currency: "USD", quantity: 5000) { unitPrice } } } } } }"""


class CollectionClock:
    """CPU time of every collection, by generation, from `gc.callbacks` (CPU, not wall: on a
    shared machine a collection's wall time counts other processes' work too)."""

    def __init__(self) -> None:
        self.started = 0.0
        self.total = 0.0
        self.longest = 0.0
        self.counts = [0, 0, 0]

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.process_time()
            return
        spent = time.process_time() - self.started
        self.total += spent
        self.longest = max(self.longest, spent)
        self.counts[info["generation"]] += 1


async def measure(url: str, mode: str, requests: int, products: int) -> dict[str, Any]:
    settings = Settings(
        env="test", database_url=url, redis_url=None, catalog_cache_seconds=0, log_level="WARNING"
    )
    engine = create_engine(settings)
    app = create_app(settings, Database(engine))
    body = {"query": LISTING, "variables": {"n": products}}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(WARM_UP):
            answer = await client.post("/graphql", json=body)
            assert answer.status_code == 200, answer.text
            assert b'"errors"' not in answer.content, answer.text
        if mode == "tuned":
            tune_for_serving(settings.gc_threshold_counts)
        clock = CollectionClock()
        gc.callbacks.append(clock)
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(requests):
            await client.post("/graphql", json=body)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        gc.callbacks.remove(clock)
    await engine.dispose()
    return {
        "mode": mode,
        "cpu_ms_per_request": cpu * 1000 / requests,
        "wall_ms_per_request": wall * 1000 / requests,
        "gc_share_of_cpu": clock.total / cpu,
        "gc_ms_per_request": clock.total * 1000 / requests,
        "collections": clock.counts,
        "longest_collection_ms": clock.longest * 1000,
    }


def run_child(url: str, mode: str, requests: int, products: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.gc_overhead", "--child", mode, "--url", url]
    command += ["--requests", str(requests), "--products", str(products)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 - our own command
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(result: dict[str, Any]) -> None:
    young, middle, full = result["collections"]
    print(
        f"{result['mode']:>8}: cpu {result['cpu_ms_per_request']:.2f} ms/request, "
        f"wall {result['wall_ms_per_request']:.2f} ms, "
        f"gc {result['gc_ms_per_request']:.2f} ms/request "
        f"({result['gc_share_of_cpu']:.0%} of cpu), collections {young}/{middle}/{full} "
        f"(gen 0/1/2), longest {result['longest_collection_ms']:.1f} ms"
    )


async def seeded_database(name: str, products: int) -> str:
    url = await scratch_database.create_migrated(PG_SERVER, name)
    engine = create_engine(Settings(env="test", database_url=url, redis_url=None))
    try:
        await seed_demo(Database(engine), products=max(products, 40))
    finally:
        await engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", choices=("default", "tuned"))
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        result = asyncio.run(measure(args.url, args.child, args.requests, args.products))
        print(json.dumps(result))
        return
    name = f"tradeql_bench_gc_{uuid.uuid4().hex[:8]}"
    url = asyncio.run(seeded_database(name, args.products))
    try:
        print(f"{args.requests} uncached listings of {args.products} products, one at a time")
        for _ in range(args.rounds):
            for mode in ("default", "tuned"):
                report(run_child(url, mode, args.requests, args.products))
    finally:
        asyncio.run(scratch_database.drop(PG_SERVER, name))


if __name__ == "__main__":
    main()
