"""The cache behind cacheable reads: one interface, a Redis implementation and an in-process one.

Cached reads are invalidated by version bumps rather than by deleting keys: a reader puts
`await cache.version(namespace)` into its key, and a write calls `bump_version(namespace)`, so
every entry built before the write stops being found and ages out by its TTL.

The Redis implementation never fails a request: when Redis errors or times out, reads miss,
writes are skipped and a warning is logged at most once per interval (`RedisOutageLog`).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as redis_async
from redis.exceptions import RedisError

logger = logging.getLogger("tradeql.cache")

# Socket timeouts surface as redis' own TimeoutError, but a connect can also fail with a bare
# OSError (TimeoutError included) before redis-py wraps it.
REDIS_FAILURES: tuple[type[Exception], ...] = (RedisError, OSError)


class Cache(Protocol):
    """Bytes by key with a TTL, plus per-namespace versions for invalidation by bumping."""

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...

    async def delete(self, *keys: str) -> None: ...

    async def version(self, namespace: str) -> int: ...

    async def bump_version(self, namespace: str) -> int: ...


class RedisOutageLog:
    """Warns about Redis failures at most once per interval, so an outage cannot flood the log.

    Only the operation and the exception's type are logged: redis-py messages may echo
    connection details, and URLs may carry a password.
    """

    def __init__(
        self,
        log: logging.Logger,
        *,
        interval_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self._interval = interval_seconds
        self._clock = clock
        self._next_warning_at = float("-inf")
        self._suppressed = 0

    def failed(self, operation: str, error: BaseException) -> None:
        now = self._clock()
        if now < self._next_warning_at:
            self._suppressed += 1
            return
        self._log.warning(
            "redis %s failed (%s); serving without redis, %d similar failures not logged",
            operation,
            type(error).__name__,
            self._suppressed,
        )
        self._next_warning_at = now + self._interval
        self._suppressed = 0


def _check_ttl(ttl_seconds: int) -> None:
    # Redis refuses EX 0 with an error that would be swallowed as an outage; fail loudly instead.
    if ttl_seconds < 1:
        raise ValueError(f"ttl_seconds must be at least 1, got {ttl_seconds}")


class InMemoryCache:
    """A bounded LRU cache for one process; safe within one event loop since it never awaits."""

    def __init__(
        self, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._versions: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        _check_ttl(ttl_seconds)
        self._entries[key] = (self._clock() + ttl_seconds, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def version(self, namespace: str) -> int:
        return self._versions.get(namespace, 0)

    async def bump_version(self, namespace: str) -> int:
        bumped = self._versions.get(namespace, 0) + 1
        self._versions[namespace] = bumped
        return bumped


class RedisCache:
    """The shared cache of all app processes; keys live under `prefix`.

    Version keys carry no TTL, so a `volatile-*` eviction policy never drops them: a version that
    restarted from 0 could find entries cached before it was lost.
    """

    def __init__(self, client: redis_async.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._outages = RedisOutageLog(logger)
        # Versions this process last saw, used while Redis cannot answer.
        self._known_versions: dict[str, int] = {}
        # Bumps that did not reach Redis; replayed as soon as it answers, so a write made during
        # an outage still invalidates what other processes cached before it.
        self._pending_bumps: set[str] = set()

    def _entry_key(self, key: str) -> str:
        return f"{self._prefix}cache:{key}"

    def _version_key(self, namespace: str) -> str:
        return f"{self._prefix}cache-version:{namespace}"

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._client.get(self._entry_key(key))
        except REDIS_FAILURES as error:
            self._outages.failed("get", error)
            return None
        # A client built with decode_responses=True would hand back str; store bytes regardless.
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        _check_ttl(ttl_seconds)
        try:
            await self._client.set(self._entry_key(key), value, ex=ttl_seconds)
        except REDIS_FAILURES as error:
            self._outages.failed("set", error)

    async def delete(self, *keys: str) -> None:
        if not keys:
            return
        try:
            await self._client.delete(*(self._entry_key(key) for key in keys))
        except REDIS_FAILURES as error:
            self._outages.failed("delete", error)

    async def version(self, namespace: str) -> int:
        try:
            await self._replay_pending_bumps()
            raw = await self._client.get(self._version_key(namespace))
        except REDIS_FAILURES as error:
            self._outages.failed("version", error)
            return self._known_versions.get(namespace, 0)
        current = int(raw) if raw is not None else 0
        self._known_versions[namespace] = current
        return current

    async def bump_version(self, namespace: str) -> int:
        try:
            await self._replay_pending_bumps()
            bumped = int(await self._client.incr(self._version_key(namespace)))
        except REDIS_FAILURES as error:
            self._outages.failed("bump_version", error)
            self._pending_bumps.add(namespace)
            bumped = self._known_versions.get(namespace, 0) + 1
        self._known_versions[namespace] = bumped
        return bumped

    async def _replay_pending_bumps(self) -> None:
        # One INCR per namespace is enough: any change of version invalidates older entries.
        while self._pending_bumps:
            namespace = next(iter(self._pending_bumps))
            self._known_versions[namespace] = int(
                await self._client.incr(self._version_key(namespace))
            )
            self._pending_bumps.discard(namespace)
