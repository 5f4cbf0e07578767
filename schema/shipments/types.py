"""`Shipment` and its legs and tracking events, as whoever may see the order reads them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from core.global_id import encode_global_id
from models import shipments as rows
from resolvers.shipments import writes as shipments
from schema.info import Info
from schema.node import Node

if TYPE_CHECKING:
    from schema.orders.types import Order


@strawberry.enum(description="How a leg of a journey travels.")
class TransportMode(Enum):
    SEA = strawberry.enum_value(
        rows.TransportMode.SEA.value, description="By ship, under a bill of lading."
    )
    AIR = strawberry.enum_value(
        rows.TransportMode.AIR.value, description="By air, under an air waybill."
    )
    ROAD = strawberry.enum_value(
        rows.TransportMode.ROAD.value, description="By truck, under a CMR consignment note."
    )
    RAIL = strawberry.enum_value(
        rows.TransportMode.RAIL.value, description="By rail, under a rail consignment note."
    )
    COURIER = strawberry.enum_value(
        rows.TransportMode.COURIER.value, description="By express courier, under its waybill."
    )


@strawberry.type(description="One leg of a shipment's journey, with one carrier and one mode.")
class ShipmentLeg:
    sequence: int = strawberry.field(description="Position in the journey, from 1.")
    carrier: str = strawberry.field(description="The carrier, e.g. Maersk or Lufthansa Cargo.")
    mode: TransportMode = strawberry.field(description="How this leg travels.")
    transport_document_number: str = strawberry.field(
        description=(
            "Number of the transport document: bill of lading (sea), air waybill (air), CMR or "
            "consignment note (road, rail); may be empty."
        )
    )
    container_number: str = strawberry.field(
        description="ISO 6346 container number, e.g. MSKU1234565; may be empty."
    )
    vessel_or_flight: str = strawberry.field(
        description="Vessel name and voyage, or flight number; may be empty."
    )
    origin: str = strawberry.field(description="Where the leg starts, e.g. Nhava Sheva, IN.")
    destination: str = strawberry.field(description="Where the leg ends, e.g. Hamburg, DE.")
    etd: datetime | None = strawberry.field(description="Estimated time of departure.")
    eta: datetime | None = strawberry.field(
        description="Estimated time of arrival; never before the ETD."
    )

    @classmethod
    def from_row(cls, row: rows.ShipmentLeg) -> Self:
        return cls(
            sequence=row.sequence,
            carrier=row.carrier,
            mode=TransportMode(row.mode),
            transport_document_number=row.transport_document_number,
            container_number=row.container_number,
            vessel_or_flight=row.vessel_or_flight,
            origin=row.origin,
            destination=row.destination,
            etd=row.etd,
            eta=row.eta,
        )


@strawberry.type(description="What tracking reported about a shipment, at a place and time.")
class TrackingEvent:
    occurred_at: datetime = strawberry.field(description="When it happened.")
    location: str = strawberry.field(description="Where it happened, e.g. Port Said, EG.")
    status: str = strawberry.field(
        description="What happened, in the carrier's words, e.g. departed, transhipped."
    )
    description: str = strawberry.field(description="More detail; may be empty.")
    recorded_at: datetime = strawberry.field(description="When it was added to TradeQL.")

    @classmethod
    def from_row(cls, row: rows.TrackingEvent) -> Self:
        assert row.created_at is not None
        return cls(
            occurred_at=row.occurred_at,
            location=row.location,
            status=row.status,
            description=row.description,
            recorded_at=row.created_at,
        )


@strawberry.type(description="Goods of an order on their way: the legs of the journey.")
class Shipment(Node):
    row: strawberry.Private[rows.Shipment]
    reference: str = strawberry.field(
        description="The forwarder's or carrier's booking reference; may be empty."
    )
    note: str = strawberry.field(description="A note for the client; may be empty.")
    etd: datetime | None = strawberry.field(
        description=(
            "When the goods are due to leave: the earliest ETD of its legs; null if none has one."
        )
    )
    eta: datetime | None = strawberry.field(
        description=(
            "When the goods are due to arrive: the latest ETA of its legs; null if none has one."
        )
    )
    created_at: datetime = strawberry.field(description="When the shipment was booked.")

    @classmethod
    def from_row(cls, row: rows.Shipment) -> Self:
        assert row.id is not None
        assert row.created_at is not None
        return cls(
            id=strawberry.ID(encode_global_id("Shipment", row.id)),
            row=row,
            reference=row.reference,
            note=row.note,
            etd=row.etd,
            eta=row.eta,
            created_at=row.created_at,
        )

    @strawberry.field(description="The order being shipped.")
    async def order(
        self, info: Info
    ) -> Annotated[Order, strawberry.lazy("schema.orders.types")] | None:
        from schema.orders.types import Order

        found = await shipments.shipment_order(info.context, self.row)
        return None if found is None else Order.from_row(found)

    @strawberry.field(description="The legs of the journey, in order.")
    async def legs(self, info: Info) -> list[ShipmentLeg]:
        assert self.row.id is not None
        found = await shipments.shipment_legs(info.context, self.row.id)
        return [ShipmentLeg.from_row(leg) for leg in found]

    @strawberry.field(description="Tracking events, oldest first.")
    async def tracking_events(self, info: Info) -> list[TrackingEvent]:
        assert self.row.id is not None
        found = await shipments.tracking_events(info.context, self.row.id)
        return [TrackingEvent.from_row(event) for event in found]
