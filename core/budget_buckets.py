"""Buckets of query-cost points that refill at a steady rate: one interface, two stores.

A bucket holds at most `size` points and regains `restore_rate` points a second (Shopify's
model of a leaky bucket). `take` removes points only when all of them are there, else leaves
the bucket as it is and says how many it holds, so the caller can tell when enough will be;
`give_back` returns points taken but not used, never beyond `size`. A bucket never seen, or
idle long enough to be full again, is full: its key expires then.

The Redis store is shared by every app process and reads the time from Redis, so processes
with drifting clocks still restore the same bucket alike. When Redis errors or times out the
store answers None (nothing is known, nothing was taken) and warns at most once per interval:
budgets fail open, as cached reads do, rather than refusing every request while Redis is down.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as redis_async

from core.bounded import LruMapping
from core.cache import REDIS_FAILURES, RedisOutageLog

logger = logging.getLogger("tradeql.budget")


@dataclass(frozen=True, slots=True)
class BucketLevel:
    """What a bucket holds after a take (or a refused one) or a give-back."""

    taken: bool
    available: float


class CostBuckets(Protocol):
    async def take(
        self, key: str, points: int, *, size: int, restore_rate: int
    ) -> BucketLevel | None: ...

    async def give_back(
        self, key: str, points: int, *, size: int, restore_rate: int
    ) -> BucketLevel | None: ...


def seconds_until_full(size: int, restore_rate: int) -> int:
    """How long an untouched bucket takes to refill from empty: its key's lifetime."""
    return math.ceil(size / restore_rate) + 1


def _check(points: int, size: int, restore_rate: int) -> None:
    if points < 0 or size < 1 or restore_rate < 1:
        raise ValueError("points must be at least 0, size and restore_rate at least 1")


class InMemoryCostBuckets:
    """Buckets of one process (the embedded default); bounded, least recently used dropped."""

    def __init__(
        self, *, max_buckets: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        # key -> (available, when it was computed)
        self._buckets: LruMapping[str, tuple[float, float]] = LruMapping(max_buckets)

    def _level(self, key: str, size: int, restore_rate: int) -> tuple[float, float]:
        now = self._clock()
        stored = self._buckets.get(key)
        if stored is None:
            return float(size), now
        available, at = stored
        return min(float(size), available + max(0.0, now - at) * restore_rate), now

    def _keep(self, key: str, available: float, now: float) -> None:
        self._buckets[key] = (available, now)

    async def take(
        self, key: str, points: int, *, size: int, restore_rate: int
    ) -> BucketLevel | None:
        _check(points, size, restore_rate)
        available, now = self._level(key, size, restore_rate)
        if points > available:
            return BucketLevel(False, available)
        self._keep(key, available - points, now)
        return BucketLevel(True, available - points)

    async def give_back(
        self, key: str, points: int, *, size: int, restore_rate: int
    ) -> BucketLevel | None:
        _check(points, size, restore_rate)
        available, now = self._level(key, size, restore_rate)
        available = min(float(size), available + points)
        self._keep(key, available, now)
        return BucketLevel(True, available)


# One script for both directions, so restoring, checking and taking are one atomic step for
# every process: ARGV[1] > 0 takes that many points if they are all there, ARGV[1] < 0 gives
# -ARGV[1] back. The level travels as a string: Redis would truncate a Lua number to an integer.
_BUCKET_SCRIPT = """
local points = tonumber(ARGV[1])
local size = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local stored = redis.call('HMGET', KEYS[1], 'available', 'at')
local available = size
if stored[1] then
  local idle = math.max(0, now - tonumber(stored[2]))
  available = math.min(size, tonumber(stored[1]) + idle * rate)
end
if points > available then
  return {0, string.format('%.6f', available)}
end
available = math.min(size, available - points)
redis.call('HSET', KEYS[1], 'available', string.format('%.6f', available),
  'at', string.format('%.6f', now))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {1, string.format('%.6f', available)}
"""


class RedisCostBuckets:
    """Buckets shared by all processes, one hash per caller under `prefix`."""

    def __init__(self, client: redis_async.Redis, prefix: str) -> None:
        self._prefix = prefix
        self._script = client.register_script(_BUCKET_SCRIPT)
        self._outages = RedisOutageLog(logger)

    async def take(
        self, key: str, points: int, *, size: int, restore_rate: int
    ) -> BucketLevel | None:
        _check(points, size, restore_rate)
        return await self._run("take", key, points, size, restore_rate)

    async def give_back(
        self, key: str, points: int, *, size: int, restore_rate: int
    ) -> BucketLevel | None:
        _check(points, size, restore_rate)
        return await self._run("give back", key, -points, size, restore_rate)

    async def _run(
        self, operation: str, key: str, points: int, size: int, restore_rate: int
    ) -> BucketLevel | None:
        try:
            taken, available = await self._script(
                keys=[f"{self._prefix}budget:{key}"],
                args=[points, size, restore_rate, seconds_until_full(size, restore_rate)],
            )
        except REDIS_FAILURES as error:
            self._outages.failed(f"budget {operation}", error)
            return None
        return BucketLevel(bool(taken), float(available))
