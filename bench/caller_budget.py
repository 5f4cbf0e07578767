"""What a caller's budget adds to a request: counting the answer, and the bucket round trips.

`python -m bench.caller_budget [--runs 2000] [--redis-url URL]` prints the median time to
count the objects of a 100-product answer (about 3,700 objects: what `response_cost` walks
after each execution), and of a take plus a give-back on the Redis buckets (`REDIS_URL`,
default the local server; a key prefix of its own, deleted after) and on the in-process ones.
Needs no database. Figures go to docs/benchmarks.md with the date, commit and machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as redis_async
from graphql import parse

from core.budget_buckets import CostBuckets, InMemoryCostBuckets, RedisCostBuckets
from core.kv import connect_redis
from schema.response_cost import response_cost

LISTING = parse(
    """{ products(first: 100) { totalCount edges { cursor node { name slug specs
    variants { sku priceTiers { minQuantity price { amount currency } } } } } } }"""
)


def hundred_products() -> dict[str, Any]:
    tiers = [{"minQuantity": q, "price": {"amount": "1.00", "currency": "USD"}} for q in (1, 2, 3)]
    variants = [{"sku": f"SKU-{n}", "priceTiers": tiers} for n in range(5)]
    node = {"name": "Navy twill", "slug": "navy-twill", "specs": {"gsm": 220}, "variants": variants}
    edges = [{"cursor": f"c{n}", "node": node} for n in range(100)]
    return {"products": {"totalCount": 100, "edges": edges}}


def median_microseconds(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


async def timed(runs: int, step: Callable[[], Awaitable[object]]) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await step()
        samples.append(time.perf_counter() - started)
    return median_microseconds(samples)


async def round_trip(buckets: CostBuckets, runs: int) -> float:
    async def take_and_give_back() -> None:
        await buckets.take("bench", 2_000, size=1_000_000, restore_rate=1_000_000)
        await buckets.give_back("bench", 1_000, size=1_000_000, restore_rate=1_000_000)

    return await timed(runs, take_and_give_back)


async def main(runs: int, redis_url: str) -> None:
    data = hundred_products()
    objects = response_cost(LISTING, None, data)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response_cost(LISTING, None, data)
        samples.append(time.perf_counter() - started)
    print(f"counting an answer of {objects:,} objects: {median_microseconds(samples):,.0f} µs")

    print(f"in-process take + give back: {await round_trip(InMemoryCostBuckets(), runs):,.1f} µs")
    client: redis_async.Redis = connect_redis(redis_url, 1.0)
    prefix = f"tq:bench:{uuid.uuid4().hex[:8]}:"
    try:
        figure = await round_trip(RedisCostBuckets(client, prefix), runs)
        print(f"redis take + give back: {figure:,.0f} µs")
    finally:
        await client.delete(f"{prefix}budget:bench")
        await client.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2_000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.runs, arguments.redis_url))
