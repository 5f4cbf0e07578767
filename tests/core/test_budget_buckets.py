"""Buckets of cost points: take all or nothing, restore at the rate, give back up to the size.

The in-process store runs on a clock the test moves; the Redis store on real Redis (a key
prefix of its own per test), whose clock is real, so its restore is measured with a rate
large enough to show within a short sleep.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as redis_async

from core.budget_buckets import BucketLevel, InMemoryCostBuckets, RedisCostBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_bucket_starts_full_and_gives_all_or_nothing() -> None:
    buckets = InMemoryCostBuckets(clock=Clock())

    first = await buckets.take("key:1", 70, size=100, restore_rate=10)
    refused = await buckets.take("key:1", 40, size=100, restore_rate=10)
    smaller = await buckets.take("key:1", 30, size=100, restore_rate=10)

    assert first == BucketLevel(True, 30.0)
    # a refused take leaves the bucket as it was
    assert refused == BucketLevel(False, 30.0)
    assert smaller == BucketLevel(True, 0.0)


async def test_a_bucket_restores_at_its_rate_up_to_its_size() -> None:
    clock = Clock()
    buckets = InMemoryCostBuckets(clock=clock)
    await buckets.take("user:7", 100, size=100, restore_rate=10)

    clock.now += 2.5
    assert await buckets.take("user:7", 30, size=100, restore_rate=10) == BucketLevel(False, 25.0)
    clock.now += 3600
    assert await buckets.take("user:7", 0, size=100, restore_rate=10) == BucketLevel(True, 100.0)


async def test_given_back_points_never_fill_a_bucket_beyond_its_size() -> None:
    buckets = InMemoryCostBuckets(clock=Clock())
    await buckets.take("ip:203.0.113.5", 60, size=100, restore_rate=10)

    back = await buckets.give_back("ip:203.0.113.5", 50, size=100, restore_rate=10)
    again = await buckets.give_back("ip:203.0.113.5", 50, size=100, restore_rate=10)

    assert back == BucketLevel(True, 90.0)
    assert again == BucketLevel(True, 100.0)


async def test_callers_have_buckets_of_their_own() -> None:
    buckets = InMemoryCostBuckets(clock=Clock())
    await buckets.take("key:1", 100, size=100, restore_rate=1)

    other = await buckets.take("key:2", 100, size=100, restore_rate=1)

    assert other == BucketLevel(True, 0.0)


@pytest.mark.parametrize(("points", "size", "rate"), [(-1, 10, 1), (1, 0, 1), (1, 10, 0)])
async def test_nonsense_is_refused_loudly(points: int, size: int, rate: int) -> None:
    with pytest.raises(ValueError, match="at least"):
        await InMemoryCostBuckets().take("key:1", points, size=size, restore_rate=rate)


async def test_redis_buckets_take_restore_give_back_and_expire_when_full_again(
    redis_client: redis_async.Redis, redis_prefix: str
) -> None:
    prefix = f"{redis_prefix}buckets-{uuid.uuid4().hex[:8]}:"
    buckets = RedisCostBuckets(redis_client, prefix)

    taken = await buckets.take("key:1", 900, size=1_000, restore_rate=1_000)
    refused = await buckets.take("key:1", 800, size=1_000, restore_rate=1_000)
    assert taken is not None
    assert refused is not None
    assert taken.taken
    assert 100 <= taken.available < 101
    assert not refused.taken
    assert refused.available < 200
    # the key lives only until the bucket would be full again: size / rate, plus a second
    assert 0 < await redis_client.ttl(f"{prefix}budget:key:1") <= 2

    await asyncio.sleep(0.3)  # 300 points restored
    later = await buckets.take("key:1", 350, size=1_000, restore_rate=1_000)
    back = await buckets.give_back("key:1", 5_000, size=1_000, restore_rate=1_000)

    assert later is not None
    assert later.taken
    assert back == BucketLevel(True, 1_000.0)
    # another caller's bucket is untouched by all this
    assert await buckets.take("key:2", 1_000, size=1_000, restore_rate=1) == BucketLevel(True, 0.0)
