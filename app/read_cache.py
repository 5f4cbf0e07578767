"""Whole responses of public catalog reads, served from the cache by catalog version.

A query whose every root field is a catalog read is answered from the cache when an identical
request was answered before under the same catalog version, for a caller who may see the same
things. The key, the invalidation on commit and its limits are in docs/design/caching.md.

Concurrent misses of one entry compute it once: within a process the first request leads and
the others await its answer; across processes the leader holds a short lock in the cache and
the other processes' leaders poll for the entry, computing it themselves only if the lock
expires without one (its holder died) or they waited as long as a lock lives.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationType, get_operation_ast, parse

from auth.principal import Principal
from core.cache import Cache
from core.db import Database
from core.kv import KeyValueStores
from schema.accounts.guards import fragments_by_name, root_field_names

CATALOG_NAMESPACE = "catalog"
KEY_PREFIX = "graphql-read:"
# Public catalog reads only. Not `node`: it reaches every type, private ones included. Not
# introspection or `__typename`: cheap, and never worth an entry.
CACHEABLE_ROOT_FIELDS = frozenset(
    {"products", "facets", "product", "category", "categories", "productType"}
)
# As many documents as the schema's parse cache keeps; storefronts send few distinct ones.
DOCUMENT_CACHE_SIZE = 1_000
# How long one process may compute an entry before others stop waiting and compute it too: above
# what a listing costs under load (seconds), short enough that a dead holder stalls little.
LOCK_MILLISECONDS = 5_000
# How often a process waiting on another's lock looks for the entry (one round trip each).
POLL_SECONDS = 0.02


@lru_cache(maxsize=DOCUMENT_CACHE_SIZE)
def cacheable(document: str, operation_name: str | None, max_tokens: int) -> bool:
    """Whether the operation is a query whose root fields are all public catalog reads.

    `max_tokens` is the schema's token limit: the document is parsed here before the schema's
    own limiter sees it, so an abusive document must not cost more here than there.
    """
    try:
        parsed = parse(document, max_tokens=max_tokens)
    except GraphQLError:
        return False  # the schema reports it; an error is never cached anyway
    operation = get_operation_ast(parsed, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    fragments = fragments_by_name(parsed.definitions)
    names = set(root_field_names(operation.selection_set, fragments))
    return bool(names) and names <= CACHEABLE_ROOT_FIELDS


def cache_key(
    *,
    version: int,
    document: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    principal: Principal,
) -> str:
    """The entry of one request: sha256 over everything its answer depends on."""
    material = json.dumps(
        {
            "version": version,
            "document": document,
            "operationName": operation_name,
            # `{}` and no variables mean the same (Apollo clients send `{}`): one entry.
            "variables": variables or None,
            "permissions": sorted(str(permission) for permission in principal.permissions),
            "clientCompanyId": principal.client_company_id,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    # Variables may hold a lone surrogate, which the schema refuses once the request runs;
    # the key must still be computable before that.
    return KEY_PREFIX + hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class ReadRequest:
    """What a cacheable request's answer depends on, but the catalog version."""

    document: str
    operation_name: str | None
    variables: dict[str, Any] | None
    principal: Principal

    def key_at(self, version: int) -> str:
        return cache_key(
            version=version,
            document=self.document,
            operation_name=self.operation_name,
            variables=self.variables,
            principal=self.principal,
        )


@dataclass
class CacheEntry:
    """One request's view of its entry: the cached body, or the duty to `store` an answer."""

    body: bytes | None = None
    _store: Callable[[bytes], Awaitable[None]] | None = field(default=None, repr=False)

    async def store(self, body: bytes) -> None:
        """Caches an answer without errors, and hands it to the requests waiting for it."""
        if self._store is not None:
            await self._store(body)


class CatalogReadCache:
    """The endpoint's view of the cache: which requests to look up, and their entries."""

    def __init__(
        self,
        cache: Cache,
        *,
        ttl_seconds: int,
        max_tokens: int,
        lock_milliseconds: int = LOCK_MILLISECONDS,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._cache = cache
        self._ttl_seconds = ttl_seconds
        self._max_tokens = max_tokens
        self._lock_milliseconds = lock_milliseconds
        self._poll_seconds = poll_seconds
        # The version last read: a hit's key is built from it, so version and entry come back
        # in one round trip; a changed version costs a second one for the entry's new key.
        self._last_version = 0
        # Entries this process is computing, by key: the leader's answer, or None without one.
        self._flights: dict[str, asyncio.Future[bytes | None]] = {}

    @property
    def enabled(self) -> bool:
        return self._ttl_seconds > 0

    def request_for(
        self,
        document: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        principal: Principal,
    ) -> ReadRequest | None:
        """What the request's entry depends on, or None when it must run: not a catalog read,
        or a caller whose operations are refused whatever they ask (staff who must set MFA up
        first)."""
        if not self.enabled or principal.limited_to_mfa_setup:
            return None
        if not cacheable(document, operation_name, self._max_tokens):
            return None
        return ReadRequest(document, operation_name, variables, principal)

    @asynccontextmanager
    async def entry(self, read: ReadRequest | None) -> AsyncIterator[CacheEntry]:
        """The cached answer to `read`, or the duty to compute it, which one request of many
        concurrent misses gets: the others wait for its answer."""
        if read is None:
            yield CacheEntry()
            return
        key, body = await self._lookup(read)
        if body is not None:
            yield CacheEntry(body)
            return
        flight = self._flights.get(key)
        if flight is not None:
            # Bounded: the leader may wait a lock's life for another process, then compute for
            # as long again; stuck past that, it must not hold its followers too.
            try:
                async with asyncio.timeout(2 * self._lock_milliseconds / 1000):
                    body = await asyncio.shield(flight)
            except TimeoutError:
                body = None
            # Without the leader's answer (it failed, or had errors), compute as before.
            yield CacheEntry(body, None if body is not None else self._storer(key))
            return
        flight = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        token: str | None = None
        try:
            token, body = await self._lock_or_wait(key)
            if body is not None:
                flight.set_result(body)
                yield CacheEntry(body)
                return

            store = self._storer(key)

            async def store_and_share(answer: bytes) -> None:
                if not flight.done():
                    flight.set_result(answer)
                await store(answer)

            yield CacheEntry(None, store_and_share)
        finally:
            if not flight.done():
                flight.set_result(None)
            del self._flights[key]
            if token:
                await self._cache.unlock(key, token)

    async def _lookup(self, read: ReadRequest) -> tuple[str, bytes | None]:
        guessed = self._last_version
        key = read.key_at(guessed)
        version, body = await self._cache.version_and_get(CATALOG_NAMESPACE, key)
        self._last_version = version
        if version != guessed:
            key = read.key_at(version)
            body = await self._cache.get(key)
        return key, body

    async def _lock_or_wait(self, key: str) -> tuple[str | None, bytes | None]:
        """The lock's token to compute `key` under, or the entry another process computed."""
        deadline = asyncio.get_running_loop().time() + self._lock_milliseconds / 1000
        while True:
            token = await self._cache.try_lock(key, self._lock_milliseconds)
            if token is not None:
                # A leader that finished between this request's lookup and its lock stored
                # the entry already: look once more rather than compute it again.
                body = await self._cache.get(key)
                if body is None:
                    return token, None
                if token:
                    await self._cache.unlock(key, token)
                return None, body
            # Another process computes it: look for its entry until its lock is gone.
            while True:
                if asyncio.get_running_loop().time() >= deadline:
                    return None, None
                await asyncio.sleep(self._poll_seconds)
                body, locked = await self._cache.get_unless_locked(key, key)
                if body is not None:
                    return None, body
                if not locked:
                    break  # released without an entry, or expired: try to take it

    def _storer(self, key: str) -> Callable[[bytes], Awaitable[None]]:
        async def store(answer: bytes) -> None:
            await self._cache.set(key, answer, self._ttl_seconds)

        return store


def invalidate_cached_reads_on_commit(
    database: Database, stores: KeyValueStores
) -> Callable[[], Awaitable[int]]:
    """Every committed catalog write through `database` invalidates the cached catalog reads
    of every app process (the version lives in the shared cache). Servers, workers (a catalog
    import) and commands that write the catalog all set it."""

    def bump() -> Awaitable[int]:
        return stores.cache.bump_version(CATALOG_NAMESPACE)

    database.on_catalog_committed = bump
    return bump
