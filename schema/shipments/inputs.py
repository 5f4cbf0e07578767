"""What staff send to book a shipment and to add a tracking event."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from resolvers.shipments.booking import ShipmentLineRequest
from resolvers.shipments.legs import LegUpdate
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
        default="", description="Vessel (and voyage), or flight number, up to 120 characters."
    )
    voyage: str = strawberry.field(
        default="", description="The vessel's voyage number, up to 40 characters."
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
            voyage=self.voyage,
            origin=self.origin,
            destination=self.destination,
            etd=self.etd,
            eta=self.eta,
        )


@strawberry.input(description="Units of one order line a shipment carries.")
class ShipmentLineInput:
    order_line_id: strawberry.ID = strawberry.field(description="Global id of the order line.")
    quantity: int = strawberry.field(
        description="Units, at least 1 and at most what the line has left to book."
    )

    def to_request(self) -> ShipmentLineRequest:
        return ShipmentLineRequest(order_line_id=self.order_line_id, quantity=self.quantity)


@strawberry.input(description="A shipment of an order.")
class ShipmentInput:
    legs: list[ShipmentLegInput] = strawberry.field(
        description="The journey, leg by leg in order: 1 to 20 legs."
    )
    reference: str = strawberry.field(
        default="", description="The forwarder's or carrier's booking reference, up to 120."
    )
    note: str = strawberry.field(default="", description="A note for the client.")
    lines: list[ShipmentLineInput] | None = strawberry.field(
        default=None,
        description=(
            "What it carries, each order line at most once; left out, everything of the order "
            "no other shipment carries yet. Over all its shipments an order line never "
            "carries more than its quantity (EXCEEDS_UNBOOKED)."
        ),
    )

    def to_request(self) -> ShipmentRequest:
        lines = None if self.lines is None else [line.to_request() for line in self.lines]
        return ShipmentRequest(
            legs=[leg.to_request() for leg in self.legs],
            reference=self.reference,
            note=self.note,
            lines=lines,
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


@strawberry.input(
    description=(
        "What changes on a leg: a field left out (or null) keeps its value; a text given empty "
        "is cleared (the carrier cannot be); `clearEtd` and `clearEta` clear the dates."
    )
)
class ShipmentLegUpdateInput:
    etd: datetime | None = strawberry.field(
        default=None, description="New estimated departure (a time without offset is UTC)."
    )
    eta: datetime | None = strawberry.field(
        default=None, description="New estimated arrival; not before the leg's ETD."
    )
    carrier: str | None = strawberry.field(
        default=None, description="Another carrier, up to 120 characters."
    )
    transport_document_number: str | None = strawberry.field(
        default=None, description="Bill of lading, air waybill or consignment note, up to 64."
    )
    container_number: str | None = strawberry.field(
        default=None, description="Container number, up to 32 characters."
    )
    vessel_or_flight: str | None = strawberry.field(
        default=None, description="Vessel or flight number, up to 120 characters."
    )
    voyage: str | None = strawberry.field(
        default=None, description="The vessel's voyage number, up to 40 characters."
    )
    clear_etd: bool = strawberry.field(
        default=False,
        description=(
            "True to clear the estimated departure, when the one announced no longer holds "
            "and no new one is known (not with `etd`)."
        ),
    )
    clear_eta: bool = strawberry.field(
        default=False,
        description=(
            "True to clear the estimated arrival, when the one announced no longer holds and "
            "no new one is known (not with `eta`); announced as `shipment.eta_changed` with "
            "`eta` null."
        ),
    )

    def to_update(self) -> LegUpdate:
        return LegUpdate(
            etd=self.etd,
            eta=self.eta,
            carrier=self.carrier,
            transport_document_number=self.transport_document_number,
            container_number=self.container_number,
            vessel_or_flight=self.vessel_or_flight,
            voyage=self.voyage,
            clear_etd=self.clear_etd,
            clear_eta=self.clear_eta,
        )
