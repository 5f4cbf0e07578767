"""Whole responses of public catalog reads, served from the cache by catalog version.

A query whose every root field is a catalog read is answered from the cache when an identical
request was answered before under the same catalog version, for a caller who may see the same
things. The key, the invalidation on commit and its limits are in docs/design/caching.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
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


class CatalogReadCache:
    """The endpoint's view of the cache: which requests to look up, and their entries."""

    def __init__(self, cache: Cache, *, ttl_seconds: int, max_tokens: int) -> None:
        self._cache = cache
        self._ttl_seconds = ttl_seconds
        self._max_tokens = max_tokens

    @property
    def enabled(self) -> bool:
        return self._ttl_seconds > 0

    async def key_for(
        self,
        document: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        principal: Principal,
    ) -> str | None:
        """The request's entry, or None when it must run: not a catalog read, or a caller whose
        operations are refused whatever they ask (staff who must set MFA up first)."""
        if not self.enabled or principal.limited_to_mfa_setup:
            return None
        if not cacheable(document, operation_name, self._max_tokens):
            return None
        return cache_key(
            version=await self._cache.version(CATALOG_NAMESPACE),
            document=document,
            operation_name=operation_name,
            variables=variables,
            principal=principal,
        )

    async def get(self, key: str) -> bytes | None:
        return await self._cache.get(key)

    async def store(self, key: str, body: bytes) -> None:
        await self._cache.set(key, body, self._ttl_seconds)


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
