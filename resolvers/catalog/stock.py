"""The one way stock changes: a conditional UPDATE, a ledger row, a coalesced stock.changed.

Receipts, counts, orders, cancellations and shipments all call `StockLedger.move` (or its two
halves, `take` then `write`, when the ledger row must point at an order inserted after the
stock was taken), so no path changes a variant's stock without its ledger row and its event,
all in the caller's transaction.

Each variant changes in one conditional UPDATE that adds signed amounts to stock on hand and
reserved only if the figures after it stay whole: reserved never negative, on hand never below
reserved. Racing writers therefore never lose an update (each adds to what the row holds when
it gets the row lock) and never oversell. Variants are taken in ascending id, one lock order
for everyone, so multi-variant changes never deadlock each other. The ledger records the
figures the UPDATE returned, never ones computed from an earlier read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.db import STOCK_CHANGED
from core.settings import Settings
from models.catalog import Variant
from models.catalog.stock import StockMovement, StockMovementKind
from resolvers.catalog.stock_events import announce
from resolvers.context import Context

# The most a variant may hold on hand: what a GraphQL Int (32-bit) can show. Only changes that
# add stock are held to it, so rows set beyond it by other means still reserve and ship.
MAX_ON_HAND = 2**31 - 1


@dataclass(frozen=True)
class StockChange:
    """Signed amounts to add to one variant's stock on hand and reserved."""

    variant_id: int
    on_hand: int = 0
    reserved: int = 0


@dataclass(frozen=True)
class Cause:
    """Why stock moved, and what it points at (the ledger row's kind, reason, reference)."""

    kind: StockMovementKind
    reason: str = ""
    order_id: int | None = None
    shipment_id: int | None = None


@dataclass(frozen=True)
class Moved:
    """A change as applied, with the variant's figures right after it."""

    change: StockChange
    product_id: int
    sku: str
    on_hand: int
    reserved: int


class StockShort(Exception):
    """A change would leave the figures broken (less on hand than reserved, reserved below
    zero, or more than MAX_ON_HAND after adding); nothing of it was applied. `on_hand` and
    `reserved` are the figures now, None when no variant has the id."""

    def __init__(self, change: StockChange, on_hand: int | None, reserved: int | None) -> None:
        super().__init__(f"variant {change.variant_id}: {change} does not fit")
        self.change = change
        self.on_hand = on_hand
        self.reserved = reserved


@dataclass(frozen=True)
class StockLedger:
    """Who moves stock (a user, an API key, or neither for the system's own work) and how
    their stock.changed events are coalesced."""

    event_window: timedelta
    actor_user_id: int | None = None
    actor_api_key_id: int | None = None
    request_id: str | None = None

    @classmethod
    def of_caller(cls, ctx: Context) -> StockLedger:
        return cls(
            event_window=_window(ctx.settings),
            actor_user_id=ctx.principal.user_id,
            actor_api_key_id=ctx.principal.api_key_id,
            request_id=ctx.request_id,
        )

    @classmethod
    def of_system(cls, settings: Settings) -> StockLedger:
        return cls(event_window=_window(settings))

    async def move(
        self, db: AsyncSession, changes: Sequence[StockChange], cause: Cause
    ) -> list[StockMovement]:
        """Apply the changes, write their ledger rows and announce them; StockShort if any
        does not fit (the caller's transaction must then roll back)."""
        return await self.write(db, await self.take(db, changes), cause)

    async def take(self, db: AsyncSession, changes: Sequence[StockChange]) -> list[Moved]:
        """The conditional UPDATEs alone. `write` must follow in the same transaction."""
        if len({change.variant_id for change in changes}) != len(changes):
            raise ValueError("one change per variant: merge them first")
        moved = [await _apply(db, change) for change in sorted(changes, key=_variant_order)]
        # Cached catalog reads show `available`; the commit invalidates them.
        db.info[STOCK_CHANGED] = True
        return moved

    async def write(
        self, db: AsyncSession, moved: Sequence[Moved], cause: Cause
    ) -> list[StockMovement]:
        """One multi-row INSERT into the ledger and one upsert of the coalesced events."""
        if not moved:
            return []
        rows = [self._movement(one, cause) for one in moved]
        written = list(
            await db.scalars(insert(StockMovement).values(rows).returning(StockMovement))
        )
        await announce(db, moved, self.event_window)
        return sorted(written, key=lambda row: row.id or 0)

    def _movement(self, moved: Moved, cause: Cause) -> dict[str, Any]:
        return {
            "variant_id": moved.change.variant_id,
            "kind": cause.kind.value,
            "on_hand_change": moved.change.on_hand,
            "reserved_change": moved.change.reserved,
            "on_hand_after": moved.on_hand,
            "reserved_after": moved.reserved,
            "reason": cause.reason,
            "order_id": cause.order_id,
            "shipment_id": cause.shipment_id,
            "actor_user_id": self.actor_user_id,
            "actor_api_key_id": self.actor_api_key_id,
            "request_id": self.request_id,
        }


def _window(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.stock_event_window_seconds)


def _variant_order(change: StockChange) -> int:
    return change.variant_id


async def _apply(db: AsyncSession, change: StockChange) -> Moved:
    on_hand = col(Variant.stock_on_hand) + change.on_hand
    reserved = col(Variant.stock_reserved) + change.reserved
    fits = [on_hand >= reserved, reserved >= 0]
    if change.on_hand > 0:
        fits.append(on_hand <= MAX_ON_HAND)
    found = (
        await db.execute(
            update(Variant)
            .where(col(Variant.id) == change.variant_id, *fits)
            .values(stock_on_hand=on_hand, stock_reserved=reserved)
            .returning(
                col(Variant.product_id),
                col(Variant.sku),
                col(Variant.stock_on_hand),
                col(Variant.stock_reserved),
            )
            .execution_options(synchronize_session=False)
        )
    ).first()
    if found is None:
        raise await _short(db, change)
    product_id, sku, on_hand_after, reserved_after = found
    return Moved(change, int(product_id), str(sku), int(on_hand_after), int(reserved_after))


async def _short(db: AsyncSession, change: StockChange) -> StockShort:
    """Why the change did not fit: the figures as they are now (refusals only)."""
    now = (
        await db.execute(
            select(col(Variant.stock_on_hand), col(Variant.stock_reserved)).where(
                col(Variant.id) == change.variant_id
            )
        )
    ).first()
    if now is None:
        return StockShort(change, None, None)
    return StockShort(change, int(now[0]), int(now[1]))
