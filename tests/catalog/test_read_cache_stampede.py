"""Concurrent misses of one cached read compute it once, a hit is one round trip (shared by
the hits of the same moment), and neither a dead lock holder nor a dead Redis keeps a request
from its answer.

Against real Redis (the shared server under a prefix of the test's own, or a server of the
test's own where a test counts its commands or kills it) and real PostgreSQL. Computations are
counted, never timed: the counts do not depend on the machine.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import redis.asyncio as redis_async
from sqlalchemy.ext.asyncio import AsyncEngine

from app.read_cache import CATALOG_NAMESPACE, CatalogReadCache, ReadRequest
from auth.principal import ANONYMOUS
from core.cache import Cache, RedisCache
from core.db import Database
from core.kv import connect_redis
from core.settings import Settings
from tests.builders import make_category, make_fabric_type, make_product, make_variant, unique
from tests.concurrently import settled
from tests.databases import REDIS_URL
from tests.graphql_client import calling
from tests.graphql_client import served as serving
from tests.redis_server import own_redis_server
from tests.sql_log import statements_sent

PRODUCT = """query($slug: String!) { product(slug: $slug) { name variants { sku } } }"""
READ = ReadRequest(PRODUCT, None, {"slug": "navy"}, ANONYMOUS)
CONCURRENT = 32


@pytest.fixture
def cache(redis_client: redis_async.Redis, redis_prefix: str) -> Cache:
    return RedisCache(redis_client, f"{redis_prefix}stampede-{uuid.uuid4().hex[:8]}:")


def _reads(cache: Cache, **options: Any) -> CatalogReadCache:
    return CatalogReadCache(cache, ttl_seconds=60, max_tokens=3_000, **options)


class Computations:
    """Answers a miss as the endpoint does, counting how many times it had to compute."""

    def __init__(self, *, seconds: float = 0.05, stores: bool = True) -> None:
        self.count = 0
        self._seconds = seconds
        self._stores = stores

    async def answer(self, reads: CatalogReadCache, read: ReadRequest = READ) -> bytes | None:
        async with reads.entry(read) as entry:
            if entry.body is not None:
                return entry.body
            self.count += 1
            await asyncio.sleep(self._seconds)  # the query, long enough for all to arrive
            body = b'{"data":{"computed":%d}}' % self.count
            if self._stores:
                await entry.store(body)
            return body


async def test_concurrent_misses_in_one_process_compute_once(cache: Cache) -> None:
    reads, computations = _reads(cache), Computations()

    answers = await settled(*(computations.answer(reads) for _ in range(CONCURRENT)))

    assert computations.count == 1
    assert set(answers) == {b'{"data":{"computed":1}}'}
    assert await computations.answer(reads) == answers[0]  # and it is cached
    assert computations.count == 1


async def test_concurrent_misses_across_processes_compute_once(
    redis_client: redis_async.Redis, redis_prefix: str
) -> None:
    # A process per request, so none can wait on another in memory: only the Redis lock
    # keeps them from computing, over two connection pools to the one server.
    prefix = f"{redis_prefix}stampede-{uuid.uuid4().hex[:8]}:"
    other_client = redis_async.Redis.from_url(REDIS_URL)
    processes = [
        _reads(RedisCache(client, prefix), poll_seconds=0.01)
        for client in (redis_client, other_client) * (CONCURRENT // 2)
    ]
    computations = Computations(seconds=0.2)
    try:
        answers = await settled(*(computations.answer(reads) for reads in processes))
    finally:
        await other_client.aclose()

    assert computations.count == 1
    assert set(answers) == {b'{"data":{"computed":1}}'}


async def test_a_lock_whose_holder_died_expires_and_the_waiter_computes(cache: Cache) -> None:
    reads = _reads(cache, lock_milliseconds=2_000, poll_seconds=0.01)
    key = READ.key_at(await cache.version(CATALOG_NAMESPACE))
    # A process took the lock for 300 ms and died before storing or releasing it.
    assert await cache.try_lock(key, 300) is not None
    computations = Computations(seconds=0)

    async with asyncio.timeout(2):  # well before the waiter's own deadline
        answers = await settled(*(computations.answer(reads) for _ in range(4)))

    assert computations.count == 1
    assert set(answers) == {b'{"data":{"computed":1}}'}


async def test_a_holder_that_never_finishes_delays_others_only_as_long_as_a_lock_lives(
    cache: Cache,
) -> None:
    reads = _reads(cache, lock_milliseconds=300, poll_seconds=0.01)
    key = READ.key_at(await cache.version(CATALOG_NAMESPACE))
    assert await cache.try_lock(key, 60_000) is not None  # a stuck holder elsewhere
    computations = Computations(seconds=0)

    async with asyncio.timeout(3):
        answers = await settled(*(computations.answer(reads) for _ in range(4)))

    assert computations.count == 1  # one leader computes; its followers take its answer
    assert set(answers) == {b'{"data":{"computed":1}}'}


async def test_a_leader_without_an_answer_to_store_leaves_its_followers_to_compute(
    cache: Cache,
) -> None:
    reads = _reads(cache, poll_seconds=0.01)
    computations = Computations(stores=False)  # an answer with errors is never stored

    answers = await settled(*(computations.answer(reads) for _ in range(4)))

    assert computations.count == 4
    assert all(answers)


async def test_a_leader_that_fails_leaves_no_one_waiting(cache: Cache) -> None:
    reads = _reads(cache)

    async def failing() -> None:
        async with reads.entry(READ):
            await asyncio.sleep(0.05)
            raise RuntimeError("the query failed")

    computations = Computations(seconds=0)
    async with asyncio.timeout(2):
        outcomes = await asyncio.gather(
            failing(), *(computations.answer(reads) for _ in range(3)), return_exceptions=True
        )

    assert isinstance(outcomes[0], RuntimeError)
    assert computations.count >= 1
    assert all(isinstance(answer, bytes) for answer in outcomes[1:])
    key = READ.key_at(await cache.version(CATALOG_NAMESPACE))
    assert await cache.try_lock(key, 1_000) is not None  # its lock was released


async def test_a_hit_is_one_round_trip_for_version_and_body() -> None:
    async with own_redis_server() as server:
        client = connect_redis(server.url, 1.0)
        try:
            cache = RedisCache(client, "hit:")
            for _ in range(3):
                await cache.bump_version(CATALOG_NAMESPACE)
            reads, computations = _reads(cache), Computations(seconds=0)
            await computations.answer(reads)  # the miss that stores it
            await client.config_resetstat()

            answer = await computations.answer(reads)

            stats = await client.info("commandstats")
        finally:
            await client.aclose()

    assert answer == b'{"data":{"computed":1}}'
    assert computations.count == 1
    calls = {
        name: figures["calls"]
        for name, figures in stats.items()
        if not name.startswith("cmdstat_config")  # the reset itself
    }
    assert calls == {"cmdstat_mget": 1}


async def test_concurrent_hits_share_their_one_round_trip() -> None:
    async with own_redis_server() as server:
        client = connect_redis(server.url, 1.0)
        try:
            cache = RedisCache(client, "hits:")
            reads, computations = _reads(cache), Computations(seconds=0)
            await computations.answer(reads)  # the miss that stores it
            await client.config_resetstat()

            answers = await settled(*(computations.answer(reads) for _ in range(CONCURRENT)))

            stats = await client.info("commandstats")
        finally:
            await client.aclose()

    assert set(answers) == {b'{"data":{"computed":1}}'}
    assert computations.count == 1
    assert stats["cmdstat_mget"]["calls"] == 1  # one for all 32, not one each


async def test_without_redis_concurrent_misses_still_compute_once_and_answer() -> None:
    async with own_redis_server() as server:
        client = connect_redis(server.url, 0.5)
        try:
            reads = _reads(RedisCache(client, "down:"), poll_seconds=0.01)
            await server.stop()
            computations = Computations()

            async with asyncio.timeout(5):
                answers = await settled(*(computations.answer(reads) for _ in range(CONCURRENT)))
        finally:
            await client.aclose()

    assert computations.count == 1  # the in-process flight needs no Redis
    assert set(answers) == {b'{"data":{"computed":1}}'}


async def test_32_concurrent_requests_for_one_missing_entry_run_the_query_once(
    settings: Settings, committed_db: Database, redis_prefix: str
) -> None:
    cache_settings = settings.model_copy(
        update={
            "debug_extensions": False,
            "catalog_cache_seconds": 300,
            "redis_prefix": f"{redis_prefix}stampede-{uuid.uuid4().hex[:8]}:",
        }
    )
    async with committed_db.transaction() as session:
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
            name="Navy twill",
        )
        await make_variant(session, product=product, sku=unique("TW"))
    engine = committed_db.bind
    assert isinstance(engine, AsyncEngine)
    variables = {"slug": product.slug}
    async with serving(cache_settings, committed_db) as app, calling(app) as client:
        cache: Cache = app.state.stores.cache
        with statements_sent(engine) as one:
            alone = await client.data(PRODUCT, variables)
        await cache.bump_version(CATALOG_NAMESPACE)  # the entry is missing again

        with statements_sent(engine) as many:
            answers = await settled(*(client.data(PRODUCT, variables) for _ in range(CONCURRENT)))

    assert alone["product"]["name"] == "Navy twill"
    assert all(answer == alone for answer in answers)
    assert len(one) > 0
    assert len(many) == len(one)
