"""The cache contract, run against the in-process and the Redis implementation alike, and how
the Redis one behaves when its server dies (a server of the test's own, never the shared one)."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
import redis.asyncio as redis_async

from core.cache import Cache, InMemoryCache, RedisCache
from core.kv import build_key_value_stores, close, connect_redis
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings
from tests.concurrently import settled
from tests.redis_server import own_redis_server


@pytest.fixture(params=["in_memory", "redis"])
def cache(
    request: pytest.FixtureRequest, redis_client: redis_async.Redis, redis_prefix: str
) -> Cache:
    if request.param == "in_memory":
        return InMemoryCache()
    return RedisCache(redis_client, f"{redis_prefix}{uuid.uuid4().hex}:")


async def test_get_returns_what_was_set_and_misses_unknown_keys(cache: Cache) -> None:
    await cache.set("product:1", b"\x00first", ttl_seconds=60)
    await cache.set("product:1", b"second", ttl_seconds=60)

    assert await cache.get("product:1") == b"second"
    assert await cache.get("product:2") is None


async def test_entry_is_gone_after_its_ttl(cache: Cache) -> None:
    await cache.set("short", b"v", ttl_seconds=1)
    await cache.set("long", b"v", ttl_seconds=60)

    await asyncio.sleep(1.2)

    assert await cache.get("short") is None
    assert await cache.get("long") == b"v"


async def test_ttl_under_one_second_is_refused_not_silently_dropped(cache: Cache) -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        await cache.set("k", b"v", ttl_seconds=0)

    assert await cache.get("k") is None


async def test_delete_removes_only_the_named_keys(cache: Cache) -> None:
    for key in ("a", "b", "c"):
        await cache.set(key, key.encode(), ttl_seconds=60)

    await cache.delete("a", "b", "never-set")
    await cache.delete()

    assert [await cache.get(key) for key in ("a", "b", "c")] == [None, None, b"c"]


async def test_bumping_a_version_hides_entries_cached_under_the_old_one(cache: Cache) -> None:
    assert await cache.version("catalog") == 0
    old_key = f"catalog:v{await cache.version('catalog')}:products"
    await cache.set(old_key, b"stale listing", ttl_seconds=60)

    assert await cache.bump_version("catalog") == 1
    assert await cache.bump_version("catalog") == 2

    new_key = f"catalog:v{await cache.version('catalog')}:products"
    assert new_key != old_key
    assert await cache.get(new_key) is None
    assert await cache.version("orders") == 0


async def test_version_and_entry_are_read_together(cache: Cache) -> None:
    await cache.bump_version("catalog")
    await cache.set("listing", b"body", ttl_seconds=60)

    assert await cache.version_and_get("catalog", "listing") == (1, b"body")
    assert await cache.version_and_get("catalog", "missing") == (1, None)
    assert await cache.version_and_get("orders", "listing") == (0, b"body")


async def test_a_lock_has_one_holder_until_released_or_expired(cache: Cache) -> None:
    token = await cache.try_lock("listing", 60_000)
    assert token
    assert await cache.try_lock("listing", 60_000) is None
    assert await cache.get_unless_locked("listing", "listing") == (None, True)

    await cache.unlock("listing", "not-the-holder")
    assert await cache.try_lock("listing", 60_000) is None
    await cache.unlock("listing", token)
    await cache.set("listing", b"body", ttl_seconds=60)
    assert await cache.get_unless_locked("listing", "listing") == (b"body", False)

    assert await cache.try_lock("short", 200)
    await asyncio.sleep(0.3)
    assert await cache.try_lock("short", 200)  # its holder died: the lock expired


async def test_in_memory_cache_evicts_the_least_recently_used_entry() -> None:
    cache = InMemoryCache(max_entries=2)
    await cache.set("a", b"a", ttl_seconds=60)
    await cache.set("b", b"b", ttl_seconds=60)
    assert await cache.get("a") == b"a"

    await cache.set("c", b"c", ttl_seconds=60)

    assert len(cache) == 2
    assert await cache.get("b") is None
    assert await cache.get("a") == b"a"
    assert await cache.get("c") == b"c"


async def test_redis_caches_with_different_prefixes_do_not_see_each_other(
    redis_client: redis_async.Redis, redis_prefix: str
) -> None:
    prefix = f"{redis_prefix}{uuid.uuid4().hex}:"
    mine = RedisCache(redis_client, prefix)
    theirs = RedisCache(redis_client, f"{redis_prefix}{uuid.uuid4().hex}:")

    await mine.set("k", b"mine", ttl_seconds=60)
    await mine.bump_version("catalog")

    assert await theirs.get("k") is None
    assert await theirs.version("catalog") == 0
    assert len([key async for key in redis_client.scan_iter(match=f"{prefix}*")]) == 2


@pytest.mark.slow
async def test_redis_cache_serves_misses_when_redis_dies(caplog: pytest.LogCaptureFixture) -> None:
    password = "pw-" + uuid.uuid4().hex
    async with own_redis_server(password=password) as server:
        settings = Settings(env="test", redis_url=server.url, redis_prefix="tq:down:")
        stores = await build_key_value_stores(settings)
        try:
            cache = stores.cache
            await cache.set("k", b"v", ttl_seconds=60)
            assert await cache.get("k") == b"v"
            assert await cache.bump_version("catalog") == 1

            await server.stop()
            caplog.set_level(logging.WARNING, logger="tradeql.cache")

            async with asyncio.timeout(10):
                assert await cache.get("k") is None
                await cache.set("k", b"v2", ttl_seconds=60)
                await cache.delete("k")
                assert await cache.version("catalog") == 1
                assert await cache.bump_version("catalog") == 2
                # Reads miss at the last known version; locks fail open, so requests compute.
                assert await cache.version_and_get("catalog", "k") == (2, None)
                assert await cache.try_lock("k", 1_000) == ""
                await cache.unlock("k", "")
                assert await cache.get_unless_locked("k", "k") == (None, False)
        finally:
            await close(stores)

    warnings = [r for r in caplog.records if r.name == "tradeql.cache"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert password not in caplog.text


@pytest.mark.slow
async def test_bump_lost_to_a_redis_error_is_replayed_once_redis_answers() -> None:
    async with own_redis_server() as server:
        clients = [connect_redis(server.url, 1.0) for _ in range(3)]
        admin = clients[0]
        this_process = RedisCache(clients[1], "tq:replay:")
        other_process = RedisCache(clients[2], "tq:replay:")
        try:
            # A real server-side refusal of the bump (redis-py sends INCR as INCRBY).
            await admin.acl_setuser("default", enabled=True, commands=["-incrby"])
            assert await this_process.bump_version("catalog") == 1
            assert await other_process.version("catalog") == 0

            await admin.acl_setuser("default", enabled=True, commands=["+incrby"])
            await this_process.version("orders")

            assert await other_process.version("catalog") == 1
        finally:
            for client in clients:
                await client.aclose()


async def _mget_calls(client: redis_async.Redis) -> int:
    stats = await client.info("commandstats")
    return int(stats.get("cmdstat_mget", {}).get("calls", 0))


async def test_lookups_of_one_turn_share_one_mget() -> None:
    # A server of the test's own: its command counts are this test's alone.
    async with own_redis_server() as server:
        client = connect_redis(server.url, 1.0)
        try:
            cache = RedisCache(client, "tq:batch:")
            await cache.set("a", b"A", ttl_seconds=60)
            await cache.set("b", b"B", ttl_seconds=60)
            await cache.bump_version("catalog")

            # when requests look up entries in the same turn of the loop, some the same one
            answers = await settled(
                *(cache.version_and_get("catalog", key) for key in ("a", "b", "a", "gone", "a"))
            )

            # then each gets its own entry at the current version, from one MGET
            assert answers == [(1, b"A"), (1, b"B"), (1, b"A"), (1, None), (1, b"A")]
            assert await _mget_calls(client) == 1
            # and a later lookup is a batch of its own, which sees a later version
            await cache.bump_version("catalog")
            assert await cache.version_and_get("catalog", "b") == (2, b"B")
            assert await _mget_calls(client) == 2
            # and namespaces are batched apart, each with its own version
            both = await settled(
                cache.version_and_get("catalog", "a"), cache.version_and_get("orders", "a")
            )
            assert list(both) == [(2, b"A"), (0, b"A")]
            assert await _mget_calls(client) == 4
        finally:
            await client.aclose()


async def test_a_cancelled_lookup_leaves_its_batch_answered(
    redis_client: redis_async.Redis, redis_prefix: str
) -> None:
    cache = RedisCache(redis_client, f"{redis_prefix}{uuid.uuid4().hex}:")
    await cache.set("a", b"A", ttl_seconds=60)
    # given two requests waiting for the same entry in one batch
    first = asyncio.create_task(cache.version_and_get("catalog", "a"))
    second = asyncio.create_task(cache.version_and_get("catalog", "a"))
    await asyncio.sleep(0)  # both have joined the batch; its MGET goes out in a later turn

    # when the first request is cancelled (its client went away) before the answer comes
    first.cancel()

    # then the second still gets the entry, and the first only its cancellation
    assert await second == (0, b"A")
    with pytest.raises(asyncio.CancelledError):
        await first
    # and the next lookup starts a batch of its own
    assert await cache.version_and_get("catalog", "a") == (0, b"A")


async def test_without_redis_url_the_stores_are_in_process() -> None:
    stores = await build_key_value_stores(Settings(env="test", redis_url=None))

    assert isinstance(stores.cache, InMemoryCache)
    assert isinstance(stores.rate_limiter, InMemoryRateLimiter)
    assert stores.redis is None
    await close(stores)


async def test_a_redis_that_stops_answering_costs_the_cache_one_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a server that accepts connections and reads commands but never answers: a Redis
    # that hangs, where no connection error ever comes
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up and closes
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = Settings(
        env="test",
        redis_url=f"redis://127.0.0.1:{port}",
        redis_prefix="tq:silent:",
        redis_timeout_seconds=0.3,
    )
    caplog.set_level(logging.WARNING, logger="tradeql.cache")
    stores = await build_key_value_stores(settings)  # its startup ping times out: a warning
    try:
        # when a cached answer is looked up, then it is a miss at the last known version,
        # within about one timeout rather than never
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with asyncio.timeout(10):
            # two lookups of one turn share their command, and so its one timeout
            both = await settled(
                stores.cache.version_and_get("catalog", "k"),
                stores.cache.version_and_get("catalog", "other"),
            )
            assert list(both) == [(0, None), (0, None)]
            assert await stores.cache.get("k") is None
        assert loop.time() - started < 3
    finally:
        await close(stores)
        server.close()
        await server.wait_closed()
    failures = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert failures == [
        "redis version_and_get failed (TimeoutError); serving without redis, "
        "0 similar failures not logged"
    ]
