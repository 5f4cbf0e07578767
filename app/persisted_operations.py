"""Persisted operations: Apollo's automatic persisted queries, and registered operations.

Automatic persisted queries (APQ), as Apollo clients speak them: a client sends
`extensions.persistedQuery.sha256Hash` without `query`; a known hash runs its document, an
unknown one is answered `PersistedQueryNotFound` (HTTP 200, as Apollo Server answers, so the
client resends the hash with the document, which is checked against the hash by
`app.request_body`, kept in the cache for `PERSISTED_QUERY_SECONDS` and run). With Redis down
every lookup misses, the client sends the document, and the request still runs.

Registered operations (`tradeql operations register`) are found in the database, without
Redis. With `ANONYMOUS_OPERATIONS=registered`, anonymous callers and storefront keys run only
those: by hash or in full; the documents other callers persisted are not theirs to run.
Introspection-only documents are left to the introspection settings, as for everyone.

Either way the request leaves here with its document in `query`, so the parse and validation
caches and the read cache key it exactly as when it is sent in full.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import lru_cache

from graphql import GraphQLError, OperationDefinitionNode, parse
from starlette.responses import Response

from app.json_response import OrjsonResponse
from app.request_body import GraphQLRequest
from auth.principal import Principal, PrincipalKind
from core.bounded import LruMapping
from core.cache import Cache
from core.db import Database
from core.errors import ErrorCode
from core.logging import request_id_var
from core.operation_registry import (
    CANONICAL_CACHE_SIZE,
    canonical_hash,
    is_registered,
    registered_document,
    sha256_hex,
)
from core.settings import Settings
from models.accounts import Role
from schema.accounts.guards import fragments_by_name, root_field_names

APQ_KEY_PREFIX = "apq:"
# Registry answers, found and not found, are kept this long per process: a registration shows
# within this time, and a document or hash sent again and again costs one SELECT per period.
REGISTRY_CACHE_SECONDS = 30.0
REGISTRY_CACHE_SIZE = 5_000
# Apollo Server sends these with PersistedQueryNotFound: the answer must not be cached, as the
# same GET succeeds once the document is known.
NOT_FOUND_HEADERS = {"Cache-Control": "private, no-cache, must-revalidate"}


class PersistedOperationRefused(Exception):
    """A request-level answer: the document is unknown, or not one this caller may run."""

    def __init__(
        self,
        status_code: int,
        code: ErrorCode,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.headers = headers

    def response(self, media_type: str) -> Response:
        extensions = {"code": self.code.value, "requestId": request_id_var.get()}
        body = {"errors": [{"message": self.message, "extensions": extensions}]}
        return OrjsonResponse(
            body, status_code=self.status_code, headers=self.headers, media_type=media_type
        )


def not_found() -> PersistedOperationRefused:
    # Apollo clients recognise the message as well as the code.
    return PersistedOperationRefused(
        200, ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound", NOT_FOUND_HEADERS
    )


def not_registered() -> PersistedOperationRefused:
    return PersistedOperationRefused(
        403,
        ErrorCode.OPERATION_NOT_REGISTERED,
        "Only registered operations may be run without signing in or with a storefront key: "
        "register this one with `tradeql operations register`.",
    )


@lru_cache(maxsize=CANONICAL_CACHE_SIZE)
def introspection_only(document: str, max_tokens: int) -> bool:
    """Whether every operation of the document reads only `__schema`, `__type` and
    `__typename`: who may introspect is PUBLIC_INTROSPECTION's to decide, not this module's."""
    try:
        parsed = parse(document, max_tokens=max_tokens)
    except GraphQLError:
        return False
    fragments = fragments_by_name(parsed.definitions)
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    return bool(operations) and all(
        name.startswith("__")
        for operation in operations
        for name in root_field_names(operation.selection_set, fragments)
    )


def held_to_registered(principal: Principal, settings: Settings) -> bool:
    """Whether this caller may run registered operations only."""
    if settings.anonymous_operations != "registered":
        return False
    return principal.kind is PrincipalKind.ANONYMOUS or (
        principal.kind is PrincipalKind.API_KEY and principal.role is Role.STOREFRONT
    )


class RegistryLookups:
    """The registry's answers for one process, for a short while (`REGISTRY_CACHE_SECONDS`)."""

    def __init__(
        self, database: Database, *, max_tokens: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._database = database
        self._max_tokens = max_tokens
        self._clock = clock
        self._answers: LruMapping[tuple[str, str], tuple[float, str | bool | None]] = LruMapping(
            REGISTRY_CACHE_SIZE
        )

    async def document(self, sha256_hash: str) -> str | None:
        async def look_up() -> str | None:
            async with self._database.session() as session:
                return await registered_document(session, sha256_hash)

        found = await self._remembered(("hash", sha256_hash), look_up)
        return found if isinstance(found, str) else None

    async def registers(self, document: str) -> bool:
        async def look_up() -> bool:
            async with self._database.session() as session:
                return await is_registered(session, document, max_tokens=self._max_tokens)

        # By hash: a key must not hold a document of up to MAX_BODY_BYTES.
        return await self._remembered(("document", sha256_hex(document)), look_up) is True

    async def _remembered(
        self, key: tuple[str, str], look_up: Callable[[], Awaitable[str | bool | None]]
    ) -> str | bool | None:
        now = self._clock()
        entry = self._answers.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        answer = await look_up()
        self._answers[key] = (now + REGISTRY_CACHE_SECONDS, answer)
        return answer


class PersistedOperations:
    """Turns a request that names its document by hash into one that carries it."""

    def __init__(self, settings: Settings, database: Database, cache: Cache) -> None:
        self._settings = settings
        self._cache = cache
        self._registry = RegistryLookups(database, max_tokens=settings.max_tokens)

    async def resolve(self, request: GraphQLRequest, principal: Principal) -> GraphQLRequest:
        """The request with its document; raises PersistedOperationRefused when it has none
        or this caller may not run it."""
        restricted = held_to_registered(principal, self._settings)
        sha256_hash = request.persisted_hash
        if request.query:
            if (
                restricted
                and not introspection_only(request.query, self._settings.max_tokens)
                and not await self._registry.registers(request.query)
            ):
                raise not_registered()
            if sha256_hash is not None and not restricted:
                await self._remember(sha256_hash, request.query)
            return request
        assert sha256_hash is not None  # app.request_body lets no other request through
        document = await self._registry.document(sha256_hash)
        if document is None and not restricted:
            document = await self._persisted(sha256_hash)
        if document is None:
            raise not_found()
        return replace(request, query=document)

    async def _remember(self, sha256_hash: str, document: str) -> None:
        """Keeps a document sent with its hash, as Apollo Server does, if it parses within the
        token limit and is at most `PERSISTED_QUERY_MAX_BYTES` (a longer one still runs; its
        client keeps sending it in full). Entries expire after `PERSISTED_QUERY_SECONDS`."""
        encoded = document.encode("utf-8")
        if len(encoded) > self._settings.persisted_query_max_bytes:
            return
        if canonical_hash(document, self._settings.max_tokens) is None:
            return
        await self._cache.set(
            APQ_KEY_PREFIX + sha256_hash, encoded, self._settings.persisted_query_seconds
        )

    async def _persisted(self, sha256_hash: str) -> str | None:
        stored = await self._cache.get(APQ_KEY_PREFIX + sha256_hash)
        return stored.decode("utf-8") if stored is not None else None
