"""Orders at peak: how many `placeOrder` a second, and how long each waits, over real HTTP.

    .venv/bin/python -m bench.order_placement [--orders 1000] [--concurrency 32] [--workers 2]

Fires placements at `tradeql serve --workers N` in two shapes (spread over 50 variants, and one
hot SKU), prints throughput and latency percentiles, then checks that the books balance.
How it measures, and every figure it has given, are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, update
from sqlmodel import col, select

from app.cli.seed_commands import seed_demo
from auth.sessions import issue_session
from bench import scratch_database
from core.db import Database, create_engine
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role, User
from models.catalog import PriceTier, Product, Variant
from models.clients import ClientCompany
from models.orders import Order

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
TRADEQL = str(Path(sys.executable).parent / "tradeql")
CLIENTS = 20
POPULAR = 50
PLACE = """mutation($input: PlaceOrderInput!, $key: String!) {
  placeOrder(input: $input, idempotencyKey: $key) {
    order { number } userErrors { code message } } }"""


@dataclass(frozen=True)
class Item:
    """A variant that can be ordered in USD, and the smallest quantity that has a price."""

    variant_id: int
    quantity: int


@dataclass
class World:
    tokens: list[str]
    items: list[Item]


async def _seed(database: Database, settings: Settings) -> World:
    await seed_demo(database, products=1_000)
    async with database.transaction() as db:
        smallest = (
            select(col(PriceTier.variant_id), func.min(col(PriceTier.min_quantity)).label("least"))
            .where(col(PriceTier.currency) == "USD")
            .group_by(col(PriceTier.variant_id))
            .subquery()
        )
        rows = await db.execute(
            select(col(Variant.id), func.greatest(smallest.c.least, col(Product.moq)))
            .join(smallest, smallest.c.variant_id == col(Variant.id))
            .join(Product, col(Product.id) == col(Variant.product_id))
            .where(col(Product.status) == "active")
            .order_by(col(Variant.id))
            .limit(POPULAR)
        )
        items = [Item(int(variant_id), int(quantity)) for variant_id, quantity in rows]
        # Enough stock that every placement can succeed: the bench measures contention.
        await db.execute(
            update(Variant)
            .where(col(Variant.id).in_([item.variant_id for item in items]))
            .values(stock_on_hand=10**12, stock_reserved=0)
        )
        tokens = []
        for number in range(CLIENTS):
            company = ClientCompany(
                name=f"Bench Buyer {number}",
                country="DE",
                credit_limit=Decimal("10000000000000"),
                credit_currency="USD",
            )
            db.add(company)
            await db.flush()
            user = User(
                email=f"buyer{number}@bench.example",
                role=Role.CLIENT,
                client_company_id=company.id,
                password_hash=None,
            )
            db.add(user)
            await db.flush()
            issued = await issue_session(db, user, settings=settings, mfa_verified=False)
            tokens.append(issued.access_token)
    return World(tokens, items)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": "",
        "ENV": "development",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 - our own command, no shell
        [TRADEQL, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("tradeql serve exited early")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return server, base_url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("tradeql serve did not become ready within 60 s")


def _order(items: list[Item]) -> dict[str, Any]:
    return {
        "currency": "USD",
        "incoterm": "FOB",
        "namedPlace": "Nhava Sheva",
        "shippingAddress": {
            "name": "Bench Buyer",
            "line1": "Am Sandtorkai 1",
            "city": "Hamburg",
            "country": "DE",
        },
        "lines": [
            {"variantId": encode_global_id("Variant", item.variant_id), "quantity": item.quantity}
            for item in items
        ],
    }


@dataclass
class Outcome:
    seconds: float
    latencies: list[float]
    failures: list[str]
    placed: int = 0
    units: Counter[int] = field(default_factory=Counter)  # variant id -> units reserved


async def _fire(base_url: str, world: World, orders: int, concurrency: int, hot: bool) -> Outcome:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(orders):
        queue.put_nowait(number)
    outcome = Outcome(0.0, [], [])
    limits = httpx.Limits(max_connections=concurrency)

    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:

        async def buyer() -> None:
            while not queue.empty():
                number = queue.get_nowait()
                lines = world.items[:1] if hot else random.sample(world.items, 2)
                token = world.tokens[number % len(world.tokens)]
                started = time.perf_counter()
                response = await client.post(
                    "/graphql",
                    json={
                        "query": PLACE,
                        "variables": {"input": _order(lines), "key": uuid.uuid4().hex},
                    },
                    headers={"authorization": f"Bearer {token}"},
                )
                outcome.latencies.append((time.perf_counter() - started) * 1000)
                body = response.json()
                placed = (body.get("data") or {}).get("placeOrder") or {}
                if response.status_code != 200 or "errors" in body or placed.get("userErrors"):
                    outcome.failures.append(response.text[:200])
                else:
                    outcome.placed += 1
                    outcome.units.update({item.variant_id: item.quantity for item in lines})

        started = time.perf_counter()
        await asyncio.gather(*(buyer() for _ in range(concurrency)))
        outcome.seconds = time.perf_counter() - started
        return outcome


async def _books(database: Database, world: World) -> tuple[int, Counter[int]]:
    """Orders stored, and units reserved per variant, as the database has them."""
    async with database.session() as db:
        orders = await db.scalar(select(func.count()).select_from(Order))
        rows = await db.execute(
            select(col(Variant.id), col(Variant.stock_reserved)).where(
                col(Variant.id).in_([item.variant_id for item in world.items])
            )
        )
        reserved = Counter({int(pk or 0): int(units) for pk, units in rows if units})
    return int(orders or 0), reserved


def _report(shape: str, outcome: Outcome, orders: int) -> None:
    ordered = sorted(outcome.latencies)

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    print(
        f"{shape:<9} {orders / outcome.seconds:>8.0f} orders/s   "
        f"p50 {statistics.median(ordered):>6.1f} ms   p95 {percentile(0.95):>6.1f} ms   "
        f"p99 {percentile(0.99):>6.1f} ms   failed {len(outcome.failures)}"
    )
    for failure in outcome.failures[:3]:
        print(f"          e.g. {failure}")


async def run(server: str, orders: int, concurrency: int, workers: int) -> None:
    name = f"tradeql_bench_{uuid.uuid4().hex[:8]}"
    process: subprocess.Popen[bytes] | None = None
    engine = None
    try:
        url = await scratch_database.create_migrated(server, name)
        settings = Settings(env="test", database_url=url, redis_url=None)
        engine = create_engine(settings)
        database = Database(engine)
        world = await _seed(database, settings)
        process, base_url = _serve(url, workers)
        print(
            f"{orders:,} placeOrder per shape, {concurrency} at once, "
            f"tradeql serve --workers {workers}, {len(world.tokens)} clients"
        )
        placed, units = 0, Counter[int]()
        for shape, hot in (("spread", False), ("hot SKU", True)):
            # A short warm-up so connection pools and caches are filled before timing.
            for outcome in (
                await _fire(base_url, world, concurrency, concurrency, hot),
                timed := await _fire(base_url, world, orders, concurrency, hot),
            ):
                placed += outcome.placed
                units += outcome.units
            _report(shape, timed, orders)
        stored, reserved = await _books(database, world)
        balanced = stored == placed and reserved == units
        print(
            f"books: {stored:,} orders stored for {placed:,} placements that succeeded; "
            f"reserved stock {'equals' if balanced else 'DIFFERS FROM'} what they ordered"
        )
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if engine is not None:
            await engine.dispose()
        await scratch_database.drop(server, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000, help="placements per shape (1,000)")
    parser.add_argument("--concurrency", type=int, default=32, help="buyers at once (32)")
    parser.add_argument("--workers", type=int, default=2, help="server processes (2)")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL ({PG_SERVER})")
    args = parser.parse_args()
    asyncio.run(run(args.server, args.orders, args.concurrency, args.workers))


if __name__ == "__main__":
    main()
