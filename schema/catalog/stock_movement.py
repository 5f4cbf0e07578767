"""`StockMovement`: one row of a variant's stock ledger, with who made it, as staff read it.

Both the staff ledger listing (`catalogStockMovements`) and the stock mutations' payloads
answer with this type; the row comes with its actor from `admin_queries.catalog`.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Self

import strawberry

from admin_queries import catalog as staff_catalog
from core.global_id import encode_global_id
from models.catalog import stock as rows
from resolvers.pagination import Page
from schema.node import PageInfo, connection_parts


def _global_id(type_name: str, pk: int | None) -> strawberry.ID | None:
    return None if pk is None else strawberry.ID(encode_global_id(type_name, pk))


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


@strawberry.type(description="Who made a stock movement; all null for the system's own work.")
class StockMovementActor:
    user_id: strawberry.ID | None = strawberry.field(
        description="Global id of the user who acted (staff or a client's buyer)."
    )
    api_key_id: strawberry.ID | None = strawberry.field(
        description="Global id of the API key that acted."
    )
    is_client_user: bool = strawberry.field(
        description="True when a client company's user acted, e.g. by placing an order."
    )
    name: str | None = strawberry.field(
        description=(
            "A staff user's email or an API key's name; null for a client's user (their "
            "address is the client's personal data) and for the system."
        )
    )


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
        description="Global id of the order behind it, if any."
    )
    shipment_id: strawberry.ID | None = strawberry.field(
        description="Global id of the shipment behind it, if any."
    )
    actor: StockMovementActor = strawberry.field(description="Who made it.")
    request_id: str | None = strawberry.field(
        description="Id of the request that made it, as in `X-Request-Id`; null for jobs."
    )
    created_at: datetime = strawberry.field(description="When it was written.")

    @classmethod
    def from_row(cls, found: staff_catalog.StockMovementRow) -> Self:
        row, actor = found.movement, found.actor
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
            order_id=_global_id("Order", row.order_id),
            shipment_id=_global_id("Shipment", row.shipment_id),
            actor=StockMovementActor(
                user_id=_global_id("User", actor.user_id),
                api_key_id=_global_id("ApiKey", actor.api_key_id),
                is_client_user=actor.is_client_user,
                name=actor.name,
            ),
            request_id=row.request_id,
            created_at=row.created_at,
        )


@strawberry.type(description="A stock movement in a list, with the cursor to continue after it.")
class StockMovementEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list older movements.")
    node: StockMovement = strawberry.field(description="The movement.")


@strawberry.type(description="A page of a variant's stock movements, newest first.")
class StockMovementConnection:
    page: strawberry.Private[Page[staff_catalog.StockMovementRow]]
    edges: list[StockMovementEdge] = strawberry.field(description="Movements with cursors.")
    nodes: list[StockMovement] = strawberry.field(description="Movements without cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[staff_catalog.StockMovementRow]) -> Self:
        edges, nodes, info = connection_parts(page, StockMovement.from_row, StockMovementEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many movements the variant has, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()
