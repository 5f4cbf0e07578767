"""What staff send to book a shipment and to add a tracking event."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from resolvers.shipments.writes import LegRequest, ShipmentRequest, TrackingEventRequest
from schema.shipments.types import TransportMode


@strawberry.input(description="One leg of the journey.")
class ShipmentLegInput:
    carrier: str = strawberry.field(description="The carrier, up to 120 characters; required.")
    mode: TransportMode = strawberry.field(description="How this leg travels.")
    transport_document_number: str = strawberry.field(
        default="",
        description="Bill of lading, air waybill or consignment note number, up to 64 characters.",
    )
    container_number: str = strawberry.field(
        default="", description="Container number, up to 32 characters."
    )
    vessel_or_flight: str = strawberry.field(
        default="", description="Vessel and voyage, or flight number, up to 120 characters."
    )
    origin: str = strawberry.field(default="", description="Where it starts, up to 200 characters.")
    destination: str = strawberry.field(
        default="", description="Where it ends, up to 200 characters."
    )
    etd: datetime | None = strawberry.field(
        default=None, description="Estimated departure (a time without offset is UTC)."
    )
    eta: datetime | None = strawberry.field(
        default=None, description="Estimated arrival; not before `etd`."
    )

    def to_request(self) -> LegRequest:
        return LegRequest(
            carrier=self.carrier,
            mode=cast(str, self.mode.value),
            transport_document_number=self.transport_document_number,
            container_number=self.container_number,
            vessel_or_flight=self.vessel_or_flight,
            origin=self.origin,
            destination=self.destination,
            etd=self.etd,
            eta=self.eta,
        )


@strawberry.input(description="A shipment of an order.")
class ShipmentInput:
    legs: list[ShipmentLegInput] = strawberry.field(
        description="The journey, leg by leg in order: 1 to 20 legs."
    )
    reference: str = strawberry.field(
        default="", description="The forwarder's or carrier's booking reference, up to 120."
    )
    note: str = strawberry.field(default="", description="A note for the client.")

    def to_request(self) -> ShipmentRequest:
        return ShipmentRequest(
            legs=[leg.to_request() for leg in self.legs], reference=self.reference, note=self.note
        )


@strawberry.input(description="Something tracking reported about a shipment.")
class TrackingEventInput:
    occurred_at: datetime = strawberry.field(
        description="When it happened (a time without offset is UTC); not in the future."
    )
    location: str = strawberry.field(description="Where it happened, up to 200 characters.")
    status: str = strawberry.field(
        description="What happened, e.g. departed, arrived, customs cleared; up to 64 characters."
    )
    description: str = strawberry.field(default="", description="More detail.")

    def to_request(self) -> TrackingEventRequest:
        return TrackingEventRequest(
            occurred_at=self.occurred_at,
            location=self.location,
            status=self.status,
            description=self.description,
        )
