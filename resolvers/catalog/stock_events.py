"""stock.changed, coalesced per variant: at most one event per variant per window.

Time is cut into windows of `STOCK_EVENT_WINDOW_SECONDS`. A change emits the variant's event
for the current window, keyed `stock.changed:<variant>:<window>` and due when the window ends;
later changes in the window overwrite its payload with their newer figures (`INSERT ... ON
CONFLICT DO UPDATE`), so a burst of orders sends one event with the figures after the last.

The overwrite applies only while no worker has leased the event: the upsert locks the event's
row until the change commits, and a worker claiming it (`FOR UPDATE SKIP LOCKED`) skips a row
so locked; once a worker holds it (its lease is committed before the handler reads anything),
the change goes to the next window's event instead. So a change is either in the payload a
worker sends or in a later event: the last change is never lost. All variants of one change
take one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from core import event_types
from core.db import OUTBOX_EMITTED
from core.global_id import encode_global_id
from core.outbox import utcnow
from models.outbox import EventState, OutboxEvent

if TYPE_CHECKING:
    from resolvers.catalog.stock import Moved

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A worker holding one window's event for this many windows is stuck: say so loudly.
MAX_WINDOWS_AHEAD = 100


def payload(moved: Moved) -> dict[str, Any]:
    """The public payload (core/event_types.py), figures as they are after `moved`."""
    return {
        "variant_id": encode_global_id("Variant", moved.change.variant_id),
        "product_id": encode_global_id("Product", moved.product_id),
        "sku": moved.sku,
        "stock_on_hand": moved.on_hand,
        "stock_reserved": moved.reserved,
        "available": moved.on_hand - moved.reserved,
    }


def window_of(moment: datetime, window: timedelta) -> int:
    """The number of the window `moment` falls in."""
    return int((moment - EPOCH) // window)


def event_key(variant_id: int, window_number: int) -> str:
    return f"{event_types.STOCK_CHANGED}:{variant_id}:{window_number}"


async def announce(db: AsyncSession, moved: Sequence[Moved], window: timedelta) -> None:
    """Put each variant's figures into its event for the current window (or a later one)."""
    waiting = {one.change.variant_id: one for one in moved}
    first = window_of(utcnow(), window)
    for number in range(first, first + MAX_WINDOWS_AHEAD):
        taken = await _upsert(db, list(waiting.values()), number, window)
        waiting = {pk: one for pk, one in waiting.items() if event_key(pk, number) not in taken}
        if not waiting:
            db.info[OUTBOX_EMITTED] = True
            return
    raise RuntimeError(f"stock.changed events of {sorted(waiting)} leased for too long")


async def _upsert(
    db: AsyncSession, moved: Sequence[Moved], number: int, window: timedelta
) -> set[str]:
    """Keys whose event now holds these figures; the others were leased by a worker."""
    due = EPOCH + window * (number + 1)
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OutboxEvent).values(
        [
            {
                "event_type": event_types.STOCK_CHANGED,
                "payload": payload(one),
                "idempotency_key": event_key(one.change.variant_id, number),
                "available_at": due,
                "state": EventState.PENDING.value,
                "attempts": 0,
            }
            for one in moved
        ]
    )
    statement = statement.on_conflict_do_update(
        index_elements=[col(OutboxEvent.idempotency_key)],
        set_={"payload": statement.excluded.payload},
        where=(col(OutboxEvent.state) == EventState.PENDING.value)
        & col(OutboxEvent.lease_owner).is_(None),
    ).returning(col(OutboxEvent.idempotency_key))
    return {str(key) for key in await db.scalars(statement)}
