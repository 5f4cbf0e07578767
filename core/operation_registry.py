"""The registered operations in the database: stored by the CLI, found by the endpoint.

A document is known by two hashes: the SHA-256 of its exact text (what an Apollo client sends
in `extensions.persistedQuery.sha256Hash`) and of its canonical print (graphql-core's
`print_ast` of its parse), so a full document laid out differently still matches. Finding a
hash needs only the database, never Redis.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from graphql import GraphQLError, parse, print_ast
from sqlalchemy import ColumnElement, delete, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from models.persisted_operations import RegisteredOperation

# Canonical hashes of documents seen by the endpoint; as many as the schema's parse cache.
CANONICAL_CACHE_SIZE = 1_000


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=CANONICAL_CACHE_SIZE)
def canonical_hash(document: str, max_tokens: int | None = None) -> str | None:
    """The hash of the document's canonical print; None when it does not parse (the schema
    reports why once it runs). `max_tokens` bounds the parse as the schema's own does."""
    try:
        parsed = parse(document, max_tokens=max_tokens)
    except GraphQLError:
        return None
    return sha256_hex(print_ast(parsed))


@dataclass(frozen=True)
class OperationToRegister:
    document: str
    operation_names: tuple[str, ...]


async def registered_document(session: AsyncSession, sha256_hash: str) -> str | None:
    """The document registered under exactly this hash, or None."""
    found: str | None = await session.scalar(
        select(RegisteredOperation.document).where(
            col(RegisteredOperation.sha256_hash) == sha256_hash
        )
    )
    return found


async def is_registered(session: AsyncSession, document: str, *, max_tokens: int) -> bool:
    """Whether this full document, or one printing the same, is registered."""
    canonical = canonical_hash(document, max_tokens)
    condition: ColumnElement[bool] = col(RegisteredOperation.sha256_hash) == sha256_hex(document)
    if canonical is not None:
        condition = or_(condition, col(RegisteredOperation.canonical_hash) == canonical)
    found = await session.scalar(select(col(RegisteredOperation.id)).where(condition).limit(1))
    return found is not None


async def register_operations(
    session: AsyncSession,
    operations: Sequence[OperationToRegister],
    *,
    client_name: str | None,
    registered_by: str,
) -> list[tuple[RegisteredOperation, bool]]:
    """Each operation's row and whether it is new; one registered before is left as it was,
    so registering a manifest again changes nothing."""
    results: list[tuple[RegisteredOperation, bool]] = []
    for operation in operations:
        sha256_hash = sha256_hex(operation.document)
        existing = await session.scalar(
            select(RegisteredOperation).where(col(RegisteredOperation.sha256_hash) == sha256_hash)
        )
        if existing is not None:
            results.append((existing, False))
            continue
        canonical = canonical_hash(operation.document)
        if canonical is None:
            raise ValueError("only parsed documents are registered")
        row = RegisteredOperation(
            sha256_hash=sha256_hash,
            canonical_hash=canonical,
            document=operation.document,
            operation_names=",".join(operation.operation_names),
            client_name=client_name,
            registered_by=registered_by,
        )
        session.add(row)
        await session.flush()
        results.append((row, True))
    return results


async def list_registered_operations(
    session: AsyncSession, *, client_name: str | None = None
) -> list[RegisteredOperation]:
    query = select(RegisteredOperation).order_by(col(RegisteredOperation.id))
    if client_name is not None:
        query = query.where(col(RegisteredOperation.client_name) == client_name)
    return list(await session.scalars(query))


async def remove_registered_operation(session: AsyncSession, sha256_hash: str) -> bool:
    result = await session.execute(
        delete(RegisteredOperation)
        .where(col(RegisteredOperation.sha256_hash) == sha256_hash)
        .returning(col(RegisteredOperation.id))
    )
    return result.first() is not None
