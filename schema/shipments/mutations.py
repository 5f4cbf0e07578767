"""Booking shipments and recording their tracking: sales and operations (`orders:write`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from auth.policy import Permission
from core.outcomes import UserErrorCode
from resolvers.shipments import departure
from resolvers.shipments import legs as leg_updates
from resolvers.shipments import writes as shipments
from schema.info import Info
from schema.permissions import permission_field
from schema.shipments.inputs import ShipmentInput, ShipmentLegUpdateInput, TrackingEventInput
from schema.shipments.types import Shipment, ShipmentLeg, TrackingEvent
from schema.user_errors import UserError, one_of, user_errors

SHIPMENT_CODES = (
    UserErrorCode.NOT_FOUND,
    UserErrorCode.ORDER_NOT_SHIPPABLE,
    UserErrorCode.REQUIRED,
    UserErrorCode.TOO_LONG,
    UserErrorCode.NO_ITEMS,
    UserErrorCode.TOO_MANY_ITEMS,
    UserErrorCode.ETA_BEFORE_ETD,
    UserErrorCode.IN_THE_FUTURE,
    UserErrorCode.IDEMPOTENCY_KEY_REUSED,
    UserErrorCode.NOTHING_TO_SHIP,
    UserErrorCode.EXCEEDS_UNBOOKED,
    UserErrorCode.DUPLICATE_ITEM,
    UserErrorCode.OUT_OF_RANGE,
    UserErrorCode.ILLEGAL_TRANSITION,
)
USER_ERRORS = (
    "Why nothing was changed; empty on success. `code` is one of " + one_of(SHIPMENT_CODES) + "."
)


IDEMPOTENCY_KEY = strawberry.argument(
    description=(
        "Optional, 1 to 100 characters, unique per intended shipment (a UUID is ideal), scoped "
        "to the caller: a retry with the same key and input answers the shipment first booked "
        "and writes, emits and audits nothing again; the same key with another input is "
        "IDEMPOTENCY_KEY_REUSED."
    )
)


@strawberry.type(description="The result of booking a shipment.")
class CreateShipmentPayload:
    shipment: Shipment | None = strawberry.field(
        description="The shipment booked; null when it was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(description="The result of adding a tracking event.")
class AddTrackingEventPayload:
    tracking_event: TrackingEvent | None = strawberry.field(
        description="The event added; null when it was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(description="The result of a shipment's departure.")
class DepartShipmentPayload:
    shipment: Shipment | None = strawberry.field(
        description="The shipment, departed; null when it was refused (see its order for "
        "the order's new status)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(description="The result of updating a shipment leg.")
class UpdateShipmentLegPayload:
    leg: ShipmentLeg | None = strawberry.field(
        description="The leg as it is now; null when the update was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type
class ShipmentMutation:
    @permission_field(
        Permission.ORDERS_WRITE,
        description=(
            "Book a shipment of an order that is confirmed, paid or partly shipped: what it "
            "carries (given lines, or all the order has left to book) and the legs of its "
            "journey. Its goods stay in stock, reserved, until it departs (departShipment). "
            "Partners receive shipment.created."
        ),
    )
    async def create_shipment(
        self,
        info: Info,
        order_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global id of the order.")
        ],
        input: Annotated[ShipmentInput, strawberry.argument(description="The shipment.")],
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> CreateShipmentPayload | None:
        result = await shipments.create_shipment(
            info.context,
            order_id=order_id,
            request=input.to_request(),
            idempotency_key=idempotency_key,
        )
        shipment = None if result.row is None else Shipment.from_row(result.row)
        return CreateShipmentPayload(shipment=shipment, user_errors=user_errors(result.issues))

    @permission_field(
        Permission.ORDERS_WRITE,
        description=(
            "Add what tracking reported about a shipment. Partners receive "
            "shipment.tracking_updated."
        ),
    )
    async def add_tracking_event(
        self,
        info: Info,
        shipment_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global id of the shipment.")
        ],
        input: Annotated[TrackingEventInput, strawberry.argument(description="The event.")],
    ) -> AddTrackingEventPayload | None:
        result = await shipments.add_tracking_event(
            info.context, shipment_id=shipment_id, request=input.to_request()
        )
        event = None if result.row is None else TrackingEvent.from_row(result.row)
        return AddTrackingEventPayload(tracking_event=event, user_errors=user_errors(result.issues))

    @permission_field(
        Permission.ORDERS_WRITE,
        description=(
            "Update a leg as the journey unfolds (a new ETD or ETA, another vessel, voyage, "
            "container, transport document or carrier). Each update that changes something is "
            "kept in the leg's history and the audit log; the shipment's ETD and ETA follow "
            "its legs. A changed ETA sends shipment.eta_changed (partners, and the buyer's "
            "mail). Given unchanged values, nothing is written."
        ),
    )
    async def update_shipment_leg(
        self,
        info: Info,
        shipment_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global id of the shipment.")
        ],
        sequence: Annotated[
            int, strawberry.argument(description="Which leg, by its position in the journey.")
        ],
        input: Annotated[ShipmentLegUpdateInput, strawberry.argument(description="What changes.")],
    ) -> UpdateShipmentLegPayload | None:
        result = await leg_updates.update_shipment_leg(
            info.context, shipment_id=shipment_id, sequence=sequence, update=input.to_update()
        )
        leg = None if result.row is None else ShipmentLeg.from_row(result.row)
        return UpdateShipmentLegPayload(leg=leg, user_errors=user_errors(result.issues))

    @permission_field(
        Permission.ORDERS_WRITE,
        description=(
            "A booked shipment's goods left: they are taken off stock (reserved and on hand), "
            "added to each order line's shippedQuantity, and the order becomes PARTLY_SHIPPED, "
            "or SHIPPED when every unit has left (then order.shipped). Partners and the buyer "
            "receive shipment.departed. Under terms counted from the bill of lading its value "
            "falls due from billOfLadingDate plus the net days."
        ),
    )
    async def depart_shipment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the shipment.")],
        departed_at: Annotated[
            datetime | None,
            strawberry.argument(description="When the goods left; now if left out; not ahead."),
        ] = None,
        bill_of_lading_date: Annotated[
            date | None,
            strawberry.argument(
                description="The date on the bill of lading; the departure's UTC day if left out."
            ),
        ] = None,
    ) -> DepartShipmentPayload | None:
        result = await departure.depart_shipment(
            info.context,
            shipment_id=id,
            departed_at=departed_at,
            bill_of_lading_date=bill_of_lading_date,
        )
        shipment = None if result.row is None else Shipment.from_row(result.row)
        return DepartShipmentPayload(shipment=shipment, user_errors=user_errors(result.issues))
