"""`StockMovement`: one row of a variant's stock ledger, as staff see it."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Self

import strawberry

from core.global_id import encode_global_id
from models.base import as_utc
from models.catalog import stock as rows


@strawberry.enum(description="What moved a variant's stock.")
class StockMovementKind(Enum):
    RECEIVED = strawberry.enum_value(
        rows.StockMovementKind.RECEIVED.value, description="Goods came in (receiveStock)."
    )
    ADJUSTED = strawberry.enum_value(
        rows.StockMovementKind.ADJUSTED.value,
        description="A count found more or fewer than the books (adjustStock, with a reason).",
    )
    RESERVED = strawberry.enum_value(
        rows.StockMovementKind.RESERVED.value,
        description="An order was placed: its quantity is reserved.",
    )
    RELEASED = strawberry.enum_value(
        rows.StockMovementKind.RELEASED.value,
        description="An order was cancelled before shipping: its reservation is given back.",
    )
    SHIPPED = strawberry.enum_value(
        rows.StockMovementKind.SHIPPED.value,
        description="An order shipped: its quantity left stock on hand and its reservation.",
    )


def _global(type_name: str, pk: int | None) -> strawberry.ID | None:
    return None if pk is None else strawberry.ID(encode_global_id(type_name, pk))


@strawberry.type(
    description=(
        "One change of a variant's stock, from the append-only ledger: who, when, why, by how "
        "much, and the figures after it (before is after minus the change)."
    )
)
class StockMovement:
    id: strawberry.ID = strawberry.field(description="Global id of the ledger row.")
    variant_id: strawberry.ID = strawberry.field(description="Global id of the variant.")
    kind: StockMovementKind = strawberry.field(description="What moved the stock.")
    on_hand_change: int = strawberry.field(
        description="Units added to stock on hand (negative: taken away)."
    )
    reserved_change: int = strawberry.field(
        description="Units added to reserved stock (negative: released or shipped)."
    )
    on_hand_after: int = strawberry.field(description="Stock on hand right after the change.")
    reserved_after: int = strawberry.field(description="Reserved stock right after the change.")
    available_after: int = strawberry.field(
        description="Units orderable right after the change: on hand minus reserved."
    )
    reason: str = strawberry.field(
        description="Why: the count's reason, the receipt's note, the cancellation's reason; "
        "empty for orders placed and shipped."
    )
    order_id: strawberry.ID | None = strawberry.field(
        description="Global id of the order that reserved, released or shipped the stock."
    )
    shipment_id: strawberry.ID | None = strawberry.field(
        description="Global id of the shipment behind the change, when one is recorded."
    )
    actor_user_id: strawberry.ID | None = strawberry.field(
        description="Global id of the user who made the change; null for API keys and the "
        "system's own work."
    )
    actor_api_key_id: strawberry.ID | None = strawberry.field(
        description="Global id of the API key that made the change, if one did."
    )
    request_id: str | None = strawberry.field(
        description="The request that made the change, as in the logs and the audit log."
    )
    created_at: datetime = strawberry.field(description="When the change was made.")

    @classmethod
    def from_row(cls, row: rows.StockMovement) -> Self:
        assert row.id is not None
        assert row.created_at is not None
        return cls(
            id=strawberry.ID(encode_global_id("StockMovement", row.id)),
            variant_id=strawberry.ID(encode_global_id("Variant", row.variant_id)),
            kind=StockMovementKind(row.kind),
            on_hand_change=row.on_hand_change,
            reserved_change=row.reserved_change,
            on_hand_after=row.on_hand_after,
            reserved_after=row.reserved_after,
            available_after=row.on_hand_after - row.reserved_after,
            reason=row.reason,
            order_id=_global("Order", row.order_id),
            shipment_id=_global("Shipment", row.shipment_id),
            actor_user_id=_global("User", row.actor_user_id),
            actor_api_key_id=_global("ApiKey", row.actor_api_key_id),
            request_id=row.request_id,
            created_at=as_utc(row.created_at),
        )
