"""The rate limiter contract, run against the in-process and the Redis implementation alike on a
clock the test moves, and the Redis limiter's fallback when its server dies."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
import redis.asyncio as redis_async

from core.kv import build_key_value_stores, close
from core.rate_limit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter
from core.settings import Settings
from tests.concurrently import settled
from tests.redis_server import own_redis_server

# A whole number of hours, so every window length used below starts exactly here.
START = 1_800_000_000.0


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["in_memory", "redis"])
def limiter(
    request: pytest.FixtureRequest,
    clock: FakeClock,
    redis_client: redis_async.Redis,
    redis_prefix: str,
) -> RateLimiter:
    if request.param == "in_memory":
        return InMemoryRateLimiter(clock=clock)
    return _redis_limiter(redis_client, f"{redis_prefix}{uuid.uuid4().hex}:", clock)


def _redis_limiter(client: redis_async.Redis, prefix: str, clock: FakeClock) -> RedisRateLimiter:
    return RedisRateLimiter(client, prefix, fallback=InMemoryRateLimiter(clock=clock), clock=clock)


async def test_allows_up_to_the_limit_then_refuses_until_retry_after(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    decisions = [await limiter.hit("login:ada", limit=3, window_seconds=60) for _ in range(4)]

    assert [(d.allowed, d.remaining) for d in decisions] == [
        (True, 2),
        (True, 1),
        (True, 0),
        (False, 0),
    ]
    assert [d.retry_after_seconds for d in decisions[:3]] == [0.0, 0.0, 0.0]
    # The three hits must pass into the previous window and a third of them slide out.
    assert decisions[3].retry_after_seconds == pytest.approx(80.0)

    clock.advance(79.0)
    assert not (await limiter.hit("login:ada", limit=3, window_seconds=60)).allowed
    clock.advance(1.01)
    assert (await limiter.hit("login:ada", limit=3, window_seconds=60)).allowed


async def test_previous_window_still_counts_after_the_boundary(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    for _ in range(4):
        assert (await limiter.hit("search", limit=4, window_seconds=10)).allowed

    clock.advance(10.5)
    refused = await limiter.hit("search", limit=4, window_seconds=10)

    # A fixed window would start afresh here; 95% of the previous window still counts.
    assert not refused.allowed
    assert refused.retry_after_seconds == pytest.approx(2.0)
    clock.advance(2.01)
    assert (await limiter.hit("search", limit=4, window_seconds=10)).allowed

    clock.advance(20.0)
    decisions = [await limiter.hit("search", limit=4, window_seconds=10) for _ in range(4)]
    assert all(d.allowed for d in decisions)


async def test_cost_counts_as_that_many_hits(limiter: RateLimiter) -> None:
    first = await limiter.hit("budget:acme", limit=10, window_seconds=60, cost=4)
    second = await limiter.hit("budget:acme", limit=10, window_seconds=60, cost=4)
    too_big = await limiter.hit("budget:acme", limit=10, window_seconds=60, cost=4)
    fits = await limiter.hit("budget:acme", limit=10, window_seconds=60, cost=2)

    assert (first.allowed, first.remaining) == (True, 6)
    assert (second.allowed, second.remaining) == (True, 2)
    assert (too_big.allowed, too_big.remaining) == (False, 2)
    assert too_big.retry_after_seconds > 0
    assert (fits.allowed, fits.remaining) == (True, 0)


async def test_cost_above_the_limit_is_refused_without_using_the_budget(
    limiter: RateLimiter,
) -> None:
    refused = await limiter.hit("budget:acme", limit=10, window_seconds=60, cost=11)
    allowed = await limiter.hit("budget:acme", limit=10, window_seconds=60, cost=10)

    assert not refused.allowed
    assert refused.retry_after_seconds > 0
    assert allowed.allowed


async def test_reset_forgets_one_key_and_no_other(limiter: RateLimiter) -> None:
    for key in ("login:ada", "login:bob"):
        await limiter.hit(key, limit=2, window_seconds=60, cost=2)

    await limiter.reset("login:ada")

    assert (await limiter.hit("login:ada", limit=2, window_seconds=60)).allowed
    assert not (await limiter.hit("login:bob", limit=2, window_seconds=60)).allowed


async def test_concurrent_hits_never_exceed_the_limit(limiter: RateLimiter) -> None:
    decisions = await settled(
        *(limiter.hit("burst", limit=10, window_seconds=60) for _ in range(50))
    )

    assert sum(d.allowed for d in decisions) == 10


async def test_nonsensical_limits_are_refused_loudly(limiter: RateLimiter) -> None:
    for limit, window_seconds, cost in ((0, 60, 1), (5, 0, 1), (5, 60, 0)):
        with pytest.raises(ValueError, match="at least 1"):
            await limiter.hit("k", limit=limit, window_seconds=window_seconds, cost=cost)


async def test_redis_limiters_in_different_processes_share_one_count(
    redis_client: redis_async.Redis, redis_prefix: str, clock: FakeClock
) -> None:
    prefix = f"{redis_prefix}{uuid.uuid4().hex}:"
    first_process = _redis_limiter(redis_client, prefix, clock)
    second_process = _redis_limiter(redis_client, prefix, clock)

    await first_process.hit("login:ada", limit=3, window_seconds=60, cost=2)
    allowed = await second_process.hit("login:ada", limit=3, window_seconds=60)
    refused = await first_process.hit("login:ada", limit=3, window_seconds=60)

    assert allowed.allowed
    assert not refused.allowed
    assert [key async for key in redis_client.scan_iter(match=f"{prefix}*")] != []


@pytest.mark.slow
async def test_redis_limiter_keeps_throttling_in_process_when_redis_dies(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with own_redis_server() as server:
        settings = Settings(env="test", redis_url=server.url, redis_prefix="tq:down:")
        stores = await build_key_value_stores(settings)
        try:
            limiter = stores.rate_limiter
            assert (await limiter.hit("login:ada", limit=3, window_seconds=60)).allowed

            await server.stop()
            caplog.set_level(logging.WARNING, logger="tradeql.rate_limit")

            async with asyncio.timeout(10):
                decisions = [
                    await limiter.hit("login:ada", limit=3, window_seconds=60) for _ in range(5)
                ]
                await limiter.reset("login:bob")
        finally:
            await close(stores)

    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert all(d.retry_after_seconds > 0 for d in decisions[3:])
    warnings = [r for r in caplog.records if r.name == "tradeql.rate_limit"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
