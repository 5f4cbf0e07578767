"""Rate limits and throttles: one interface, a Redis implementation and an in-process one.

Both count with the sliding-window approximation: the estimate is the current fixed window's
count plus the previous window's count weighted by the part of it still inside the sliding
window. It needs two counters per key, yet does not let a client double its rate across a
window boundary as fixed windows do. Refused hits are not counted, so `retry_after_seconds` is
the moment the same hit would be allowed if nothing else arrives.

The Redis limiter is shared by all app processes; when Redis errors or times out it decides with
an in-process limiter instead, so throttles such as login attempts still hold per process.
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

logger = logging.getLogger("tradeql.rate_limit")

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    """Whether a hit was allowed (and counted), what is left, and when a refused one may retry."""

    allowed: bool
    remaining: int
    retry_after_seconds: float


class RateLimiter(Protocol):
    """Counts hits of a cost per key within a window; `reset` forgets a key's counts."""

    async def hit(
        self, key: str, *, limit: int, window_seconds: int, cost: int = 1
    ) -> RateLimitDecision: ...

    async def reset(self, key: str) -> None: ...


@dataclass(frozen=True, slots=True)
class _Window:
    """Where `now` falls: the fixed window's index and how much of the previous one still counts."""

    index: int
    elapsed_fraction: float

    @classmethod
    def at(cls, now: float, window_seconds: int) -> _Window:
        index = math.floor(now / window_seconds)
        return cls(index, now / window_seconds - index)

    @property
    def previous_weight(self) -> float:
        return 1.0 - self.elapsed_fraction


def _check(limit: int, window_seconds: int, cost: int) -> None:
    if limit < 1 or window_seconds < 1 or cost < 1:
        raise ValueError("limit, window_seconds and cost must all be at least 1")


def _rotate(stored_index: int, current: int, previous: int, index: int) -> tuple[int, int]:
    """The (current, previous) counts as seen from window `index`."""
    if stored_index == index - 1:
        return 0, current
    if stored_index < index - 1:
        return 0, 0
    # Same window, or another host whose clock runs slightly ahead already moved on.
    return current, previous


def _fits(window: _Window, *, current: int, previous: int, limit: int, cost: int) -> bool:
    """The rule; `_HIT_SCRIPT` repeats it in Lua with the same operations on the same doubles."""
    return previous * window.previous_weight + current + cost <= limit


def _decide(
    window: _Window,
    *,
    allowed: bool,
    current: int,
    previous: int,
    limit: int,
    window_seconds: int,
    cost: int,
) -> RateLimitDecision:
    """The decision on a hit of `cost`, given whether it fits and the counts before it."""
    estimate = previous * window.previous_weight + current
    if allowed:
        return RateLimitDecision(True, max(0, math.floor(limit - estimate - cost)), 0.0)
    rest_of_window = window.previous_weight
    if cost > limit:
        # Never allowed; the best answer is when every counted hit has slid out.
        wait = rest_of_window + 1.0
    elif current + cost <= limit:
        # Allowed once enough of the previous window has slid out.
        wait = (1.0 - (limit - current - cost) / previous) - window.elapsed_fraction
    else:
        # This window's own count must first become the previous one and partly slide out.
        wait = rest_of_window + max(0.0, 1.0 - (limit - cost) / current)
    remaining = max(0, math.floor(limit - estimate))
    return RateLimitDecision(False, remaining, max(wait * window_seconds, 0.001))


class InMemoryRateLimiter:
    """Counters for one process, the `max_keys` most recently hit kept; safe in one event loop."""

    def __init__(self, *, max_keys: int = 100_000, clock: Clock = time.time) -> None:
        self._clock = clock
        self._counters: LruMapping[str, tuple[int, int, int]] = LruMapping(max_keys)

    async def hit(
        self, key: str, *, limit: int, window_seconds: int, cost: int = 1
    ) -> RateLimitDecision:
        _check(limit, window_seconds, cost)
        window = _Window.at(self._clock(), window_seconds)
        stored_index, current, previous = self._counters.get(key) or (window.index, 0, 0)
        current, previous = _rotate(stored_index, current, previous, window.index)
        allowed = _fits(window, current=current, previous=previous, limit=limit, cost=cost)
        decision = _decide(
            window,
            allowed=allowed,
            current=current,
            previous=previous,
            limit=limit,
            window_seconds=window_seconds,
            cost=cost,
        )
        if allowed:
            current += cost
        self._counters[key] = (max(stored_index, window.index), current, previous)
        return decision

    async def reset(self, key: str) -> None:
        self._counters.pop(key)


# Check and count in one step, so concurrent hits from many processes cannot overshoot the
# limit. Returns the counts before the hit and whether it was counted.
_HIT_SCRIPT = """
local index = tonumber(ARGV[1])
local stored = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local stored_index = tonumber(stored[1]) or index
local current = tonumber(stored[2]) or 0
local previous = tonumber(stored[3]) or 0
if stored_index == index - 1 then
  previous = current
  current = 0
  stored_index = index
elseif stored_index < index - 1 then
  previous = 0
  current = 0
  stored_index = index
end
local cost = tonumber(ARGV[4])
if previous * tonumber(ARGV[2]) + current + cost > tonumber(ARGV[3]) then
  return {0, current, previous}
end
redis.call('HSET', KEYS[1], 'w', stored_index, 'c', current + cost, 'p', previous)
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1, current, previous}
"""


class RedisRateLimiter:
    """Counters shared by all processes, one hash per key under `prefix`, expiring when idle."""

    def __init__(
        self,
        client: redis_async.Redis,
        prefix: str,
        fallback: InMemoryRateLimiter,
        *,
        clock: Clock = time.time,
    ) -> None:
        self._prefix = prefix
        self._fallback = fallback
        self._clock = clock
        self._client = client
        self._script = client.register_script(_HIT_SCRIPT)
        self._outages = RedisOutageLog(logger)

    def _key(self, key: str) -> str:
        return f"{self._prefix}rl:{key}"

    async def hit(
        self, key: str, *, limit: int, window_seconds: int, cost: int = 1
    ) -> RateLimitDecision:
        _check(limit, window_seconds, cost)
        window = _Window.at(self._clock(), window_seconds)
        try:
            allowed, current, previous = await self._script(
                keys=[self._key(key)],
                args=[
                    window.index,
                    # repr round-trips the float exactly, so Lua weighs as _fits does.
                    repr(window.previous_weight),
                    limit,
                    cost,
                    # Counts are needed until the end of the next window.
                    2 * window_seconds + 1,
                ],
            )
        except REDIS_FAILURES as error:
            self._outages.failed("rate limit hit", error)
            return await self._fallback.hit(
                key, limit=limit, window_seconds=window_seconds, cost=cost
            )
        return _decide(
            window,
            allowed=bool(allowed),
            current=int(current),
            previous=int(previous),
            limit=limit,
            window_seconds=window_seconds,
            cost=cost,
        )

    async def reset(self, key: str) -> None:
        # The fallback may hold counts from an outage; a reset (after a good login, say) must
        # clear those too.
        await self._fallback.reset(key)
        try:
            await self._client.delete(self._key(key))
        except REDIS_FAILURES as error:
            self._outages.failed("rate limit reset", error)
