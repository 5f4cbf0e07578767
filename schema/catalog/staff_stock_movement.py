"""A variant's stock ledger as staff read it: `StockMovement` rows, newest first."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Self

import strawberry

from admin_queries import catalog as staff_catalog
from core.global_id import encode_global_id
from models.catalog.stock import StockMovementKind as Kind
from resolvers.pagination import Page
from schema.node import PageInfo, connection_parts


def _global_id(type_name: str, pk: int | None) -> strawberry.ID | None:
    return None if pk is None else strawberry.ID(encode_global_id(type_name, pk))


@strawberry.enum(description="What changed a variant's stock.")
class StockMovementKind(Enum):
    RECEIVED = strawberry.enum_value(Kind.RECEIVED.value, description="Goods came in.")
    ADJUSTED = strawberry.enum_value(
        Kind.ADJUSTED.value, description="A count found more or less than the books."
    )
    RESERVED = strawberry.enum_value(Kind.RESERVED.value, description="An order was placed.")
    RELEASED = strawberry.enum_value(
        Kind.RELEASED.value, description="An order was cancelled before shipping."
    )
    SHIPPED = strawberry.enum_value(
        Kind.SHIPPED.value, description="Goods left: on hand and reserved both went down."
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


@strawberry.type(description="One change of a variant's stock, as the ledger recorded it.")
class StockMovement:
    id: strawberry.ID = strawberry.field(description="Global id of the movement.")
    kind: StockMovementKind = strawberry.field(description="What changed the stock.")
    on_hand_change: int = strawberry.field(description="Change of stock on hand (+ or -).")
    reserved_change: int = strawberry.field(description="Change of reserved stock (+ or -).")
    on_hand_after: int = strawberry.field(description="Stock on hand after the change.")
    reserved_after: int = strawberry.field(description="Reserved stock after the change.")
    reason: str = strawberry.field(description="Why, as given with an adjustment; may be empty.")
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
            kind=StockMovementKind(row.kind),
            on_hand_change=row.on_hand_change,
            reserved_change=row.reserved_change,
            on_hand_after=row.on_hand_after,
            reserved_after=row.reserved_after,
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
