"""Booking shipments and recording their tracking: sales and operations (`orders:write`)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from auth.policy import Permission
from core.outcomes import UserErrorCode
from resolvers.shipments import writes as shipments
from schema.info import Info
from schema.permissions import permission_field
from schema.shipments.inputs import ShipmentInput, TrackingEventInput
from schema.shipments.types import Shipment, TrackingEvent
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


@strawberry.type
class ShipmentMutation:
    @permission_field(
        Permission.ORDERS_WRITE,
        description=(
            "Book a shipment of an order that is confirmed, paid or shipped, with the legs of "
            "its journey. Partners receive shipment.created."
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
