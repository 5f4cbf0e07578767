"""The one idempotency store: a create retried with its key answers what the first call made.

Every create mutation that takes an `idempotencyKey` claims it first, in the transaction that
creates the record (`claim`), and names what it made once it has (`settle`). The key is scoped
to its caller (the client company for client users, the user for staff, the key for API keys,
the email for a guest's inquiry: `guest_scope`) and to the operation, so two callers never meet
and one key may serve two different mutations.

- A retry with the same input finds the settled record: `Replayed` names what to answer with.
- The same key with another input is refused with IDEMPOTENCY_KEY_REUSED and changes nothing.
- Two concurrent calls with one key: PostgreSQL makes the second `INSERT ... ON CONFLICT DO
  NOTHING` wait for the first transaction, then see its row (replay) or, if it rolled back, take
  the key itself. SQLite writers are serialised by `BEGIN IMMEDIATE`. Either way one record.
- A refused create rolls back its claim too: the key stays free for the corrected input.

`created_once` is the whole pattern for a create that makes one row; a create that answers
something else (a stock receipt answers its ledger row) calls `claim` and `settle` itself.

`placeOrder` keeps its key on the order row (it predates this store; same rules, same scope).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

from auth.principal import Principal, PrincipalKind
from core.outcomes import Issue, Refused, UserErrorCode, refuse
from models.idempotency import MAX_IDEMPOTENCY_KEY_LENGTH, IdempotencyRecord
from resolvers.context import Context

KEY_PATH = ("idempotencyKey",)
GUEST_DIGEST_LENGTH = 32  # 128 bits of the email's SHA-256, within the scope column
Row = TypeVar("Row", bound=SQLModel)


@dataclass(frozen=True)
class IdempotentCall:
    """One call of a create mutation, as the store sees it."""

    operation: str  # the mutation's name, e.g. "createProduct"
    key: str
    fingerprint: str  # `fingerprint(...)` of the call's normalised input


@dataclass(frozen=True)
class Claimed:
    """The key is this call's: do the work, then `settle` it with what was made."""

    record_id: int


@dataclass(frozen=True)
class Replayed:
    """The key was used before with the same input: answer with this record instead."""

    result_type: str
    result_id: int


def fingerprint(normalised: Mapping[str, Any]) -> str:
    """SHA-256 of the input in a canonical JSON form: equal inputs hash equal."""
    canonical = json.dumps(normalised, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_issues(key: str | None, path: tuple[str, ...] = KEY_PATH) -> list[Issue]:
    """What is wrong with a key as sent: blank, or longer than the store keeps."""
    if key is None:
        return []
    if not key.strip():
        return [Issue(path, UserErrorCode.REQUIRED, "must not be empty or blank")]
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        return [
            Issue(
                path,
                UserErrorCode.TOO_LONG,
                f"must be at most {MAX_IDEMPOTENCY_KEY_LENGTH} characters",
            )
        ]
    return []


def guest_scope(email: str) -> str:
    """A guest's keys: scoped by the normalised email they give, since a guest has no account.
    Hashed, so the store holds no address; two guests with one key never meet."""
    return "guest:" + hashlib.sha256(email.encode()).hexdigest()[:GUEST_DIGEST_LENGTH]


def scope_of(principal: Principal) -> str:
    """Whose keys these are: a client user's company, a staff user, an API key."""
    if principal.is_client and principal.client_company_id is not None:
        return f"company:{principal.client_company_id}"
    if principal.kind is PrincipalKind.USER and principal.user_id is not None:
        return f"user:{principal.user_id}"
    if principal.kind is PrincipalKind.API_KEY and principal.api_key_id is not None:
        return f"api_key:{principal.api_key_id}"
    raise ValueError("only a signed-in caller or an API key can hold idempotency keys")


async def claim(
    db: AsyncSession, principal: Principal, call: IdempotentCall, *, scope: str | None = None
) -> Claimed | Replayed:
    """Take the key for this call, or find the call that took it (Refused if its input
    differed). Run it first in the create's transaction. `scope`: the principal's if None."""
    scope = scope_of(principal) if scope is None else scope
    values = {
        "scope": scope,
        "operation": call.operation,
        "key": call.key,
        "request_hash": call.fingerprint,
    }
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(IdempotencyRecord)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["scope", "operation", "key"])
        .returning(col(IdempotencyRecord.id))
    )
    record_id = (await db.execute(statement)).scalar()
    if record_id is not None:
        return Claimed(record_id=record_id)
    earlier = (
        await db.scalars(
            select(IdempotencyRecord).where(
                col(IdempotencyRecord.scope) == scope,
                col(IdempotencyRecord.operation) == call.operation,
                col(IdempotencyRecord.key) == call.key,
            )
        )
    ).one()
    if earlier.request_hash != call.fingerprint:
        raise Refused(
            Issue(
                KEY_PATH,
                UserErrorCode.IDEMPOTENCY_KEY_REUSED,
                "this key was used for a different input; use a new key for a new request",
            )
        )
    if earlier.result_type is None or earlier.result_id is None:
        # Claims are settled in their own transaction, so a visible claim is settled.
        raise RuntimeError(f"idempotency record {earlier.id} was committed unsettled")
    return Replayed(result_type=earlier.result_type, result_id=earlier.result_id)


async def settle(db: AsyncSession, claimed: Claimed, result_type: str, result_id: int) -> None:
    """Record what the claiming call made, in the same transaction as the claim."""
    await db.execute(
        update(IdempotencyRecord)
        .where(col(IdempotencyRecord.id) == claimed.record_id)
        .values(result_type=result_type, result_id=result_id)
    )


async def created_once(
    ctx: Context,
    db: AsyncSession,
    *,
    operation: str,
    key: str | None,
    normalised_input: Mapping[str, Any],
    model: type[Row],
    create: Callable[[], Awaitable[Row]],
    scope: str | None = None,
) -> Row:
    """`create()`, unless this caller's `key` already made a row for the same input: that row
    then (`resolvers.idempotency`). Runs in the create's transaction; `create` refuses by
    raising `Refused`, which rolls the claim back with everything else. `scope`: the
    caller's (`scope_of`) if None."""
    if key is None:
        return await create()
    call = IdempotentCall(operation=operation, key=key, fingerprint=fingerprint(normalised_input))
    claimed = await claim(db, ctx.principal, call, scope=scope)
    if isinstance(claimed, Replayed):
        earlier = await db.get(model, claimed.result_id)
        if earlier is None:
            raise refuse(
                UserErrorCode.NOT_FOUND,
                "what this key created was deleted since; use a new key",
                "idempotencyKey",
            )
        return earlier
    row = await create()
    row_id = getattr(row, "id", None)
    assert row_id is not None
    await settle(db, claimed, model.__name__, row_id)
    return row
