"""`Shipment` and its legs and tracking events, as whoever may see the order reads them."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from auth.policy import Permission
from core.global_id import encode_global_id
from models import shipments as rows
from resolvers.shipments import legs as leg_updates
from resolvers.shipments import writes as shipments
from schema.info import Info
from schema.node import Node
from schema.permissions import permission_field

if TYPE_CHECKING:
    from schema.ledger.types import Receivable
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


@strawberry.enum(description="Whether a shipment's goods have left.")
class ShipmentStatus(Enum):
    BOOKED = strawberry.enum_value(
        rows.ShipmentStatus.BOOKED.value,
        description="Planned: its goods are still in stock, reserved for the order.",
    )
    DEPARTED = strawberry.enum_value(
        rows.ShipmentStatus.DEPARTED.value,
        description="Its goods left (departShipment, or shipOrder) and were taken off stock.",
    )


@strawberry.type(description="How many units of one line of the order a shipment carries.")
class ShipmentLine:
    order_line_id: strawberry.ID = strawberry.field(
        description="Global id of the order line (Order.lines)."
    )
    quantity: int = strawberry.field(description="Units of that line this shipment carries.")

    @classmethod
    def from_row(cls, row: rows.ShipmentLine) -> Self:
        return cls(
            order_line_id=strawberry.ID(encode_global_id("OrderLine", row.order_line_id)),
            quantity=row.quantity,
        )


@strawberry.type(description="One field of a leg as it was before an update and after it.")
class LegFieldChange:
    field: str = strawberry.field(
        description=(
            "The field, as the leg names it: carrier, transportDocumentNumber, "
            "containerNumber, vesselOrFlight, voyage, etd or eta (in this order)."
        )
    )
    before: str | None = strawberry.field(
        description="Its value before (a moment in ISO 8601); null when it had none."
    )
    after: str | None = strawberry.field(description="Its value after the update.")


# Column names as the API spells them, for the history, in the order the leg shows them
# (the stored document keeps no order: JSONB sorts its keys).
API_NAMES = {
    "carrier": "carrier",
    "transport_document_number": "transportDocumentNumber",
    "container_number": "containerNumber",
    "vessel_or_flight": "vesselOrFlight",
    "voyage": "voyage",
    "etd": "etd",
    "eta": "eta",
}


@strawberry.type(description="One update of a shipment leg: when, by whom, what changed.")
class ShipmentLegChange:
    row: strawberry.Private[rows.ShipmentLegChange]
    changed_at: datetime = strawberry.field(description="When the leg was updated.")
    changes: list[LegFieldChange] = strawberry.field(
        description="Each field the update changed, before and after."
    )

    @classmethod
    def from_row(cls, row: rows.ShipmentLegChange) -> Self:
        assert row.changed_at is not None
        return cls(
            row=row,
            changed_at=row.changed_at,
            changes=[
                LegFieldChange(
                    field=api_name, before=row.changes[name][0], after=row.changes[name][1]
                )
                for name, api_name in API_NAMES.items()
                if name in row.changes
            ],
        )

    @permission_field(
        Permission.ORDERS_READ_ALL,
        description="Who updated the leg: a staff user's email or an API key's label.",
    )
    def changed_by(self) -> str | None:
        return self.row.changed_by


@strawberry.type(description="One leg of a shipment's journey, with one carrier and one mode.")
class ShipmentLeg:
    row: strawberry.Private[rows.ShipmentLeg]
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
        description="Vessel name (and voyage, if not given apart), or flight number; may be empty."
    )
    voyage: str = strawberry.field(description="The vessel's voyage number; may be empty.")
    origin: str = strawberry.field(description="Where the leg starts, e.g. Nhava Sheva, IN.")
    destination: str = strawberry.field(description="Where the leg ends, e.g. Hamburg, DE.")
    etd: datetime | None = strawberry.field(description="Estimated time of departure.")
    eta: datetime | None = strawberry.field(
        description="Estimated time of arrival; never before the ETD."
    )

    @classmethod
    def from_row(cls, row: rows.ShipmentLeg) -> Self:
        return cls(
            row=row,
            sequence=row.sequence,
            carrier=row.carrier,
            mode=TransportMode(row.mode),
            transport_document_number=row.transport_document_number,
            container_number=row.container_number,
            vessel_or_flight=row.vessel_or_flight,
            voyage=row.voyage,
            origin=row.origin,
            destination=row.destination,
            etd=row.etd,
            eta=row.eta,
        )

    @strawberry.field(
        description=(
            "Every update of this leg since it was booked (updateShipmentLeg), oldest first."
        )
    )
    async def history(self, info: Info) -> list[ShipmentLegChange]:
        assert self.row.id is not None
        found = await leg_updates.leg_changes(info.context, self.row.id)
        return [ShipmentLegChange.from_row(change) for change in found]


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
    status: ShipmentStatus = strawberry.field(description="Booked, or departed.")
    departed_at: datetime | None = strawberry.field(
        description="When its goods left; null while booked."
    )
    bill_of_lading_date: date | None = strawberry.field(
        description=(
            "The date of its bill of lading (or main transport document), from which terms "
            "counted from the bill of lading run for its goods; null while booked."
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
            status=ShipmentStatus(row.status),
            departed_at=row.departed_at,
            bill_of_lading_date=row.bill_of_lading_date,
            created_at=row.created_at,
        )

    @strawberry.field(description="The order being shipped.")
    async def order(
        self, info: Info
    ) -> Annotated[Order, strawberry.lazy("schema.orders.types")] | None:
        from schema.orders.types import Order

        found = await shipments.shipment_order(info.context, self.row)
        return None if found is None else Order.from_row(found)

    @strawberry.field(
        description=(
            "What is owed for its goods, under terms counted from the bill of lading: due "
            "on its billOfLadingDate plus the net days. Null before it departed, under other "
            "terms (the order's receivable holds it all), when nothing was left to owe, or "
            "for a caller who may not see receivables (finance:read, or the client's own)."
        )
    )
    async def receivable(
        self, info: Info
    ) -> Annotated[Receivable, strawberry.lazy("schema.ledger.types")] | None:
        from schema.ledger.types import receivable_of_shipment

        assert self.row.id is not None
        return await receivable_of_shipment(info, self.row.id)

    @strawberry.field(description="What it carries: units of the order's lines.")
    async def lines(self, info: Info) -> list[ShipmentLine]:
        assert self.row.id is not None
        found = await shipments.shipment_lines(info.context, self.row.id)
        return [ShipmentLine.from_row(line) for line in found]

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
