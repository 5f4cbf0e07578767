"""The outbox store: emit events inside the caller's transaction; claim, finish, retry them.

Workers claim due events under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number
of workers on any number of hosts share the work without blocking each other). A worker that
dies simply stops renewing; when its lease expires another worker claims the event again.
Handlers make that safe by recording their effect under a unique key (`claim_effect`).

Inserting events notifies WAKE_CHANNEL (a trigger, migration 0015; PostgreSQL delivers a
NOTIFY on commit only, and never for a rollback), so listening workers claim at once instead
of waiting for their poll (core/outbox_listener.py). On SQLite, `Database.on_outbox_committed`
does that within the one process.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.db import OUTBOX_EMITTED, Database, deferred_writes
from models.outbox import EventState, OutboxEffect, OutboxEvent

MAX_ERROR_LENGTH = 2_000
# The PostgreSQL channel workers LISTEN on, notified by a trigger on outbox_events (migration
# 0015, which spells it too); the payload is empty: a wake-up, not the event.
WAKE_CHANNEL = "tradeql_outbox"


def utcnow() -> datetime:
    return datetime.now(UTC)


async def emit(
    session: AsyncSession,
    event_type: str,
    payload: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
    delay: timedelta | None = None,
    due_at: datetime | None = None,
) -> OutboxEvent:
    """Add an event to the caller's transaction; it is delivered only if that commits.

    The event is written with the session's next flush or its commit (a write costs a flush
    less that way). With an `idempotency_key` it is written at once, in a savepoint: if the
    key was used, nothing is added and the earlier event returned.

    A scheduled event (`delay` from now, or `due_at`, an aware moment) is delivered at or
    soon after that moment, at least once, never before: an idle worker wakes for it (at
    worst WORKER_POLL_SECONDS late), with nothing else committed then. A moment already past
    means at once. What it announces may have changed by then, so its handler checks the state
    again before acting (docs/design/outbox.md#scheduled-events).
    """
    event = OutboxEvent(
        event_type=event_type,
        payload=dict(payload),
        idempotency_key=idempotency_key,
        available_at=_available_at(delay, due_at),
    )
    session.info[OUTBOX_EMITTED] = True
    if idempotency_key is None:
        deferred = deferred_writes(session)
        if deferred is None:
            session.add(event)
        else:
            deferred.keep(event)  # a bulk writer inserts its events together, in order
        return event
    try:
        async with session.begin_nested():
            session.add(event)
            await session.flush()
    except IntegrityError:
        existing = await session.scalar(
            select(OutboxEvent).where(col(OutboxEvent.idempotency_key) == idempotency_key)
        )
        if existing is None:
            raise
        return existing
    return event


def _available_at(delay: timedelta | None, due_at: datetime | None) -> datetime:
    if due_at is None:
        return utcnow() + (delay or timedelta())
    if delay is not None:
        raise ValueError("an event is scheduled by a delay or by a moment, not both")
    if due_at.tzinfo is None:
        raise ValueError("due_at must be an aware moment: a naive one names no instant")
    return due_at.astimezone(UTC)


def _is_due(now: datetime) -> ColumnElement[bool]:
    return (
        (col(OutboxEvent.state) == EventState.PENDING)
        & (col(OutboxEvent.available_at) <= now)
        & or_(
            col(OutboxEvent.lease_expires_at).is_(None),
            col(OutboxEvent.lease_expires_at) < now,
        )
    )


async def claim_due(
    database: Database, *, worker_id: str, limit: int, lease_seconds: float
) -> list[OutboxEvent]:
    """Lease up to `limit` due events to `worker_id`, counting an attempt for each."""
    now = utcnow()
    async with database.transaction() as session:
        due = (
            select(col(OutboxEvent.id))
            .where(_is_due(now))
            .order_by(col(OutboxEvent.available_at), col(OutboxEvent.id))
            .limit(limit)
        )
        ids = list(await session.scalars(due.with_for_update(skip_locked=True)))
        if not ids:
            return []
        claimed = await session.scalars(
            update(OutboxEvent)
            .where(col(OutboxEvent.id).in_(ids))
            .values(
                lease_owner=worker_id,
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                attempts=col(OutboxEvent.attempts) + 1,
            )
            .returning(OutboxEvent)
            .execution_options(synchronize_session=False)
        )
        return sorted(claimed, key=lambda event: event.id or 0)


async def next_available_at(database: Database, *, after: datetime) -> datetime | None:
    """When the earliest pending event not yet due at `after` falls due (a scheduled event, a
    retry, a deferral); None when there is none. One probe of the claim's index."""
    async with database.session() as session:
        moment: datetime | None = await session.scalar(
            select(func.min(col(OutboxEvent.available_at))).where(
                col(OutboxEvent.state) == EventState.PENDING,
                col(OutboxEvent.available_at) > after,
            )
        )
    return moment


def _leased_to(event_ids: Sequence[int], worker_id: str) -> ColumnElement[bool]:
    return (
        col(OutboxEvent.id).in_(event_ids)
        & (col(OutboxEvent.lease_owner) == worker_id)
        & (col(OutboxEvent.state) == EventState.PENDING)
    )


async def _update_leased(
    database: Database, event_ids: Sequence[int], worker_id: str, **values: Any
) -> int:
    if not event_ids:
        return 0
    async with database.transaction() as session:
        result = await session.execute(
            update(OutboxEvent)
            .where(_leased_to(event_ids, worker_id))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


async def complete(database: Database, event_id: int, *, worker_id: str) -> bool:
    """Mark an event done; False if the lease was lost to another worker meanwhile."""
    done = await _update_leased(
        database,
        [event_id],
        worker_id,
        state=EventState.DONE,
        processed_at=utcnow(),
        lease_owner=None,
        lease_expires_at=None,
        last_error=None,
    )
    return done == 1


def backoff_delay(attempt: int, *, base_seconds: float, max_seconds: float) -> float:
    """Exponential backoff with jitter: half fixed, half random, so retries spread out."""
    ceiling = min(max_seconds, base_seconds * 2 ** max(attempt - 1, 0))
    return float(ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311 - jitter, not secrecy


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    max_seconds: float


async def fail(
    database: Database,
    event: OutboxEvent,
    error: str,
    *,
    worker_id: str,
    policy: RetryPolicy,
) -> EventState:
    """Schedule a retry with backoff, or dead-letter the event after its last attempt."""
    assert event.id is not None
    values: dict[str, Any] = {
        "last_error": error[:MAX_ERROR_LENGTH],
        "lease_owner": None,
        "lease_expires_at": None,
    }
    if event.attempts >= policy.max_attempts:
        values |= {"state": EventState.DEAD, "processed_at": utcnow()}
        outcome = EventState.DEAD
    else:
        delay = backoff_delay(
            event.attempts, base_seconds=policy.base_seconds, max_seconds=policy.max_seconds
        )
        values["available_at"] = utcnow() + timedelta(seconds=delay)
        outcome = EventState.PENDING
    await _update_leased(database, [event.id], worker_id, **values)
    return outcome


async def defer(
    database: Database, event_id: int, *, worker_id: str, seconds: float, reason: str
) -> None:
    """Try again later without spending an attempt (the cause is elsewhere, not the event)."""
    await _update_leased(
        database,
        [event_id],
        worker_id,
        available_at=utcnow() + timedelta(seconds=seconds),
        attempts=col(OutboxEvent.attempts) - 1,
        lease_owner=None,
        lease_expires_at=None,
        last_error=reason[:MAX_ERROR_LENGTH],
    )


async def renew_leases(
    database: Database, event_ids: Sequence[int], *, worker_id: str, lease_seconds: float
) -> int:
    return await _update_leased(
        database,
        event_ids,
        worker_id,
        lease_expires_at=utcnow() + timedelta(seconds=lease_seconds),
    )


async def release(database: Database, event_ids: Sequence[int], *, worker_id: str) -> int:
    """Hand unfinished events back at once, without counting the interrupted attempt."""
    return await _update_leased(
        database,
        event_ids,
        worker_id,
        lease_owner=None,
        lease_expires_at=None,
        attempts=col(OutboxEvent.attempts) - 1,
    )


async def replay(database: Database, event_id: int) -> bool:
    """Give a dead event a fresh set of attempts; False unless it was dead."""
    async with database.transaction() as session:
        result = await session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.id) == event_id, col(OutboxEvent.state) == EventState.DEAD)
            .values(
                state=EventState.PENDING,
                attempts=0,
                available_at=utcnow(),
                processed_at=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_effect(session: AsyncSession, event_id: int, handler: str) -> bool:
    """Record that `handler` acts on `event_id` in this transaction; False if it already has.

    Call it first in the handler's transaction: when two workers race on one event, the
    second blocks on the unique key until the first commits, then gets False.
    """
    try:
        async with session.begin_nested():
            session.add(OutboxEffect(event_id=event_id, handler=handler))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def has_effect(session: AsyncSession, event_id: int, handler: str) -> bool:
    found = await session.get(OutboxEffect, (event_id, handler))
    return found is not None


@dataclass(frozen=True)
class OutboxStats:
    counts: dict[str, int]
    due: int
    oldest_due_seconds: float | None
    # Pending but not due yet: scheduled events and retries waiting out their backoff.
    scheduled: int = 0


async def stats(database: Database) -> OutboxStats:
    now = utcnow()
    async with database.session() as session:
        rows = await session.execute(
            select(col(OutboxEvent.state), func.count()).group_by(col(OutboxEvent.state))
        )
        counts = {state.value: 0 for state in EventState}
        counts.update({str(state): int(count) for state, count in rows.all()})
        due_row = (
            await session.execute(
                select(func.count(), func.min(col(OutboxEvent.available_at))).where(_is_due(now))
            )
        ).one()
        scheduled = await session.scalar(
            select(func.count()).where(
                col(OutboxEvent.state) == EventState.PENDING, col(OutboxEvent.available_at) > now
            )
        )
    oldest = due_row[1]
    age = (now - oldest).total_seconds() if oldest is not None else None
    return OutboxStats(
        counts=counts, due=int(due_row[0]), oldest_due_seconds=age, scheduled=int(scheduled or 0)
    )


async def list_events(
    database: Database, *, state: EventState | None = None, limit: int = 50
) -> list[OutboxEvent]:
    statement = select(OutboxEvent).order_by(col(OutboxEvent.id).desc()).limit(limit)
    if state is not None:
        statement = statement.where(col(OutboxEvent.state) == state)
    async with database.session() as session:
        return list(await session.scalars(statement))
