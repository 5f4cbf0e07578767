"""Builds the cache, rate limiter and callers' budget buckets the settings ask for: Redis when
`REDIS_URL` is set, else in-process; the rest of the app sees only their interfaces."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import redis.asyncio as redis_async
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from core.budget_buckets import CostBuckets, InMemoryCostBuckets, RedisCostBuckets
from core.cache import REDIS_FAILURES, Cache, InMemoryCache, RedisCache
from core.rate_limit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter
from core.settings import Settings

logger = logging.getLogger("tradeql.cache")


@dataclass(frozen=True, slots=True)
class KeyValueStores:
    cache: Cache
    rate_limiter: RateLimiter
    redis: redis_async.Redis | None
    # One set per process, so that a server and its embedded worker draw on the same buckets
    # when they are in-process.
    cost_buckets: CostBuckets = field(default_factory=InMemoryCostBuckets)


def connect_redis(url: str, timeout_seconds: float) -> redis_async.Redis:
    """A client for which a dead Redis costs at most two timeouts per command.

    redis-py's default retries ten times with backoff, which would stall every request during
    an outage; one immediate retry still replaces a connection the server closed while idle.
    """
    return redis_async.Redis.from_url(
        url,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        health_check_interval=30,
        retry=Retry(NoBackoff(), retries=1),
    )


def create_key_value_stores(settings: Settings) -> KeyValueStores:
    """The stores, without touching the network (Redis connects on first use)."""
    if settings.redis_url is None:
        return KeyValueStores(InMemoryCache(), InMemoryRateLimiter(), None)
    client = connect_redis(settings.redis_url, settings.redis_timeout_seconds)
    prefix = settings.redis_prefix
    return KeyValueStores(
        cache=RedisCache(client, prefix),
        rate_limiter=RedisRateLimiter(client, prefix, fallback=InMemoryRateLimiter()),
        redis=client,
        cost_buckets=RedisCostBuckets(client, prefix),
    )


async def check_redis(stores: KeyValueStores) -> bool:
    """Ping Redis at startup; warn, but keep serving, when it does not answer."""
    if stores.redis is None:
        return True
    try:
        await stores.redis.ping()
    except REDIS_FAILURES as error:
        # Starting anyway: the stores already degrade per request, and refusing to start would
        # turn a Redis outage into an outage of the whole app.
        logger.warning(
            "redis not reachable at startup (%s); serving without it until it answers",
            type(error).__name__,
        )
        return False
    return True


async def build_key_value_stores(settings: Settings) -> KeyValueStores:
    stores = create_key_value_stores(settings)
    await check_redis(stores)
    return stores


async def close(stores: KeyValueStores) -> None:
    if stores.redis is not None:
        await stores.redis.aclose()
