"""The cache behind cacheable reads: one interface, a Redis implementation and an in-process one.

Cached reads are invalidated by version bumps rather than by deleting keys: a reader puts
`await cache.version(namespace)` into its key, and a write calls `bump_version(namespace)`, so
every entry built before the write stops being found and ages out by its TTL.

A hit reads the version and the entry in one round trip (`version_and_get`), and short locks
(`try_lock`) let one process compute a missing entry while the others wait for it. In Redis, the
lookups a process asks for in one turn of its event loop share that round trip: one MGET for
the version and every entry they ask for.

The Redis implementation never fails a request: when Redis errors or times out, reads miss,
writes are skipped and a warning is logged at most once per interval (`RedisOutageLog`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as redis_async
from redis.exceptions import RedisError

from core.bounded import LruMapping

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

    async def version_and_get(self, namespace: str, key: str) -> tuple[int, bytes | None]:
        """The namespace's current version and the entry at `key`, in one round trip."""
        ...

    async def try_lock(self, name: str, ttl_ms: int) -> str | None:
        """A token when the caller may compute `name` (it holds the lock, or no lock can be
        taken because the store is down: then ""), None while another holder has it."""
        ...

    async def unlock(self, name: str, token: str) -> None:
        """Releases the lock if `token` still holds it (it may have expired and been retaken)."""
        ...

    async def get_unless_locked(self, key: str, lock_name: str) -> tuple[bytes | None, bool]:
        """The entry at `key` and whether the lock `lock_name` is still held, in one round trip."""
        ...


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


# Deletes the lock only if this holder's token is still in it: after an expiry another holder
# may have taken it, and its lock is not ours to release.
UNLOCK_IF_HELD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _as_bytes(value: bytes | str | None) -> bytes | None:
    # A client built with decode_responses=True would hand back str; store bytes regardless.
    return value.encode() if isinstance(value, str) else value


def _check_ttl(ttl_seconds: int) -> None:
    # Redis refuses EX 0 with an error that would be swallowed as an outage; fail loudly instead.
    if ttl_seconds < 1:
        raise ValueError(f"ttl_seconds must be at least 1, got {ttl_seconds}")


class InMemoryCache:
    """A bounded LRU cache for one process; safe within one event loop since it never awaits."""

    def __init__(
        self, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._entries: LruMapping[str, tuple[float, bytes]] = LruMapping(max_entries)
        self._versions: dict[str, int] = {}
        self._locks: dict[str, tuple[float, str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            self._entries.pop(key)
            return None
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        _check_ttl(ttl_seconds)
        self._entries[key] = (self._clock() + ttl_seconds, value)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key)

    async def version(self, namespace: str) -> int:
        return self._versions.get(namespace, 0)

    async def bump_version(self, namespace: str) -> int:
        bumped = self._versions.get(namespace, 0) + 1
        self._versions[namespace] = bumped
        return bumped

    async def version_and_get(self, namespace: str, key: str) -> tuple[int, bytes | None]:
        return await self.version(namespace), await self.get(key)

    async def try_lock(self, name: str, ttl_ms: int) -> str | None:
        if self._lock_held(name):
            return None
        token = secrets.token_hex(8)
        self._locks[name] = (self._clock() + ttl_ms / 1000, token)
        return token

    async def unlock(self, name: str, token: str) -> None:
        held = self._locks.get(name)
        if held is not None and held[1] == token:
            del self._locks[name]

    async def get_unless_locked(self, key: str, lock_name: str) -> tuple[bytes | None, bool]:
        return await self.get(key), self._lock_held(lock_name)

    def _lock_held(self, name: str) -> bool:
        held = self._locks.get(name)
        return held is not None and held[0] > self._clock()


class _LookupBatch:
    """The lookups of one namespace waiting for one MGET: the requests of each key."""

    def __init__(self) -> None:
        self.waiting: dict[str, list[asyncio.Future[tuple[int, bytes | None]]]] = {}

    def answer(self, key: str, answer: tuple[int, bytes | None]) -> None:
        for waiter in self.waiting[key]:
            if not waiter.done():  # its request may have been cancelled meanwhile
                waiter.set_result(answer)

    def fail(self, error: BaseException) -> None:
        for waiters in self.waiting.values():
            for waiter in waiters:
                if waiter.done():
                    continue
                if isinstance(error, asyncio.CancelledError):
                    waiter.cancel()
                else:
                    waiter.set_exception(error)


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
        # Lookups not yet sent, by namespace: each waits in its batch for the batch's one MGET.
        self._lookups: dict[str, _LookupBatch] = {}
        # The tasks sending them, held until done: the loop keeps only weak references.
        self._senders: set[asyncio.Task[None]] = set()

    def _entry_key(self, key: str) -> str:
        return f"{self._prefix}cache:{key}"

    def _version_key(self, namespace: str) -> str:
        return f"{self._prefix}cache-version:{namespace}"

    def _lock_key(self, name: str) -> str:
        # Not under `cache:`, so a lock is never mistaken for an entry.
        return f"{self._prefix}cache-lock:{name}"

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._client.get(self._entry_key(key))
        except REDIS_FAILURES as error:
            self._outages.failed("get", error)
            return None
        return _as_bytes(value)

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

    async def version_and_get(self, namespace: str, key: str) -> tuple[int, bytes | None]:
        # Lookups asked for in this turn of the loop go out together in the next: under load a
        # hit shares its one command with the hits beside it, and alone it waits for nothing.
        batch = self._lookups.get(namespace)
        if batch is None:
            batch = self._lookups[namespace] = _LookupBatch()
            sender = asyncio.get_running_loop().create_task(self._send_lookups(namespace, batch))
            self._senders.add(sender)
            sender.add_done_callback(self._senders.discard)
        answer: asyncio.Future[tuple[int, bytes | None]] = (
            asyncio.get_running_loop().create_future()
        )
        batch.waiting.setdefault(key, []).append(answer)
        return await answer

    async def _send_lookups(self, namespace: str, batch: _LookupBatch) -> None:
        del self._lookups[namespace]  # later lookups make the next batch
        keys = list(batch.waiting)
        try:
            answers = await self._version_and_get_many(namespace, keys)
        except asyncio.CancelledError as cancelled:  # the loop is closing: so are its requests
            batch.fail(cancelled)
            raise
        except Exception as error:  # a bug, not Redis failing (a miss): its requests raise it
            batch.fail(error)
            return
        for key, answer in zip(keys, answers, strict=True):
            batch.answer(key, answer)

    async def _version_and_get_many(
        self, namespace: str, keys: list[str]
    ) -> list[tuple[int, bytes | None]]:
        # One MGET: the version and every entry, hence a single round trip.
        try:
            await self._replay_pending_bumps()
            raw, *values = await self._client.mget(
                self._version_key(namespace), *map(self._entry_key, keys)
            )
        except REDIS_FAILURES as error:
            self._outages.failed("version_and_get", error)
            return [(self._known_versions.get(namespace, 0), None)] * len(keys)
        current = int(raw) if raw is not None else 0
        self._known_versions[namespace] = current
        return [(current, _as_bytes(value)) for value in values]

    async def try_lock(self, name: str, ttl_ms: int) -> str | None:
        token = secrets.token_hex(8)
        try:
            acquired = await self._client.set(self._lock_key(name), token, nx=True, px=ttl_ms)
        except REDIS_FAILURES as error:
            self._outages.failed("try_lock", error)
            return ""  # nobody can coordinate without Redis: compute, as before locks existed
        return token if acquired else None

    async def unlock(self, name: str, token: str) -> None:
        if not token:
            return
        try:
            await self._client.eval(UNLOCK_IF_HELD, 1, self._lock_key(name), token)
        except REDIS_FAILURES as error:
            self._outages.failed("unlock", error)  # the lock expires by itself

    async def get_unless_locked(self, key: str, lock_name: str) -> tuple[bytes | None, bool]:
        try:
            value, lock = await self._client.mget(self._entry_key(key), self._lock_key(lock_name))
        except REDIS_FAILURES as error:
            self._outages.failed("get_unless_locked", error)
            return None, False
        return _as_bytes(value), lock is not None

    async def _replay_pending_bumps(self) -> None:
        # One INCR per namespace is enough: any change of version invalidates older entries.
        while self._pending_bumps:
            namespace = next(iter(self._pending_bumps))
            self._known_versions[namespace] = int(
                await self._client.incr(self._version_key(namespace))
            )
            self._pending_bumps.discard(namespace)
