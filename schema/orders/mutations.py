"""Order mutations: placing, moving through the states, recording payments.

`placeOrder` and `cancelOrder` are open to a client's users for their own company's orders as
well as to staff holding `orders:write`; the other moves need `orders:write`, payments
`finance:write`. Refusals come back as `userErrors` and change nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from auth.policy import Permission
from models.orders import Payment
from resolvers.orders import charges as order_charges
from resolvers.orders import payments
from resolvers.orders import placement as order_placement
from resolvers.orders import transitions as order_transitions
from resolvers.orders.transitions import CONFIRM, DELIVER, SHIP
from schema.decimal_input import DecimalBounds, lands_in
from schema.info import Info
from schema.orders.charges import ChargeInput
from schema.orders.inputs import PlaceOrderInput
from schema.orders.payloads import OrderPayload, PlaceOrderPayload, RecordPaymentPayload
from schema.permissions import ClientOrPermissionGate, permission_field


def _order_id() -> Any:
    return strawberry.argument(description="Global id of the order.")


@strawberry.type
class OrderMutation:
    @strawberry.field(
        description=(
            "Place an order. A client user orders for its own company; staff holding "
            "`orders:write` for the client named in `input.clientCompanyId`; anyone else gets "
            "FORBIDDEN. Every price comes from the variants' quantity tiers; MOQ, stock and "
            "the client's credit limit are checked and stock is reserved, all or nothing. "
            "Sending the same `idempotencyKey` again returns the same order."
        ),
        extensions=[ClientOrPermissionGate(Permission.ORDERS_WRITE, "orders are placed")],
    )
    async def place_order(
        self,
        info: Info,
        input: Annotated[PlaceOrderInput, strawberry.argument(description="The order.")],
        idempotency_key: Annotated[
            str,
            strawberry.argument(
                description=(
                    "1 to 100 characters chosen by the caller, unique per intended order "
                    "(a UUID is ideal). A retry with the same key and the same input returns "
                    "the order placed first; with another input it is refused "
                    "(IDEMPOTENCY_KEY_REUSED)."
                )
            ),
        ],
    ) -> PlaceOrderPayload | None:
        result = await order_placement.place_order_as_caller(
            info.context, input.to_request(idempotency_key)
        )
        return PlaceOrderPayload.from_result(result)

    @permission_field(
        Permission.ORDERS_WRITE, description="Confirm a placed order (placed -> confirmed)."
    )
    async def confirm_order(
        self, info: Info, id: Annotated[strawberry.ID, _order_id()]
    ) -> OrderPayload | None:
        result = await order_transitions.move_order(info.context, str(id), CONFIRM)
        return OrderPayload.from_result(result)

    @permission_field(
        Permission.ORDERS_WRITE,
        description=(
            "Ship a whole order with nothing shipped yet, from paid, or from confirmed when the "
            "client's terms let goods leave before payment: its reserved stock leaves stock on "
            "hand, every line is shipped, and the shipments booked for it depart with it. An "
            "order shipping in parts ships by departShipment (a PARTLY_SHIPPED order is "
            "ILLEGAL_TRANSITION here)."
        ),
    )
    async def ship_order(
        self, info: Info, id: Annotated[strawberry.ID, _order_id()]
    ) -> OrderPayload | None:
        result = await order_transitions.move_order(info.context, str(id), SHIP)
        return OrderPayload.from_result(result)

    @permission_field(
        Permission.ORDERS_WRITE,
        description=(
            "Set the charges of a placed order (freight, insurance, other), replacing any it "
            "has: storefront orders carry none, so staff state them before confirming. The "
            "total becomes the lines plus the charges and the client's credit used follows; a "
            "total grown past the credit limit is refused (CREDIT_LIMIT_EXCEEDED). The "
            "incoterm's rule applies as for quotes (CHARGE_REQUIRED). Once confirmed, the "
            "charges are fixed (ILLEGAL_TRANSITION)."
        ),
        extensions=[DecimalBounds()],
    )
    async def set_order_charges(
        self,
        info: Info,
        order_id: Annotated[strawberry.ID, _order_id()],
        expected_version: Annotated[
            int,
            strawberry.argument(
                description="The order `version` this is based on; a stale one is CONFLICT."
            ),
        ],
        charges: Annotated[
            list[ChargeInput],
            strawberry.argument(
                description="Every charge of the order, at most 10; empty removes them all."
            ),
        ],
    ) -> OrderPayload | None:
        result = await order_charges.set_order_charges(
            info.context,
            order_id=str(order_id),
            expected_version=expected_version,
            charges=[charge.to_request() for charge in charges],
        )
        return OrderPayload.from_result(result)

    @permission_field(Permission.ORDERS_WRITE, description="Mark a shipped order delivered.")
    async def deliver_order(
        self, info: Info, id: Annotated[strawberry.ID, _order_id()]
    ) -> OrderPayload | None:
        result = await order_transitions.move_order(info.context, str(id), DELIVER)
        return OrderPayload.from_result(result)

    @strawberry.field(
        description=(
            "Cancel an order before anything of it ships, releasing its stock reservation. Staff "
            "holding `orders:write` may cancel a placed, confirmed or paid order (not a partly "
            "shipped one); a client user its "
            "own order while it is still placed; anyone else gets FORBIDDEN."
        ),
        extensions=[ClientOrPermissionGate(Permission.ORDERS_WRITE, "orders are cancelled")],
    )
    async def cancel_order(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _order_id()],
        reason: Annotated[
            str, strawberry.argument(description="Why, for the client and the audit log.")
        ],
    ) -> OrderPayload | None:
        result = await order_transitions.cancel_order(info.context, str(id), reason)
        return OrderPayload.from_result(result)

    @permission_field(
        Permission.FINANCE_WRITE,
        description=(
            "Record money received against a confirmed order, in the order's currency, up to "
            "its balance due. Covering the balance of a confirmed order makes it paid."
        ),
        extensions=[DecimalBounds()],
    )
    async def record_payment(
        self,
        info: Info,
        order_id: Annotated[strawberry.ID, _order_id()],
        amount: Annotated[
            Decimal,
            strawberry.argument(
                description="More than 0, in the currency's minor unit (2 decimals for USD).",
                metadata=lands_in(Payment.amount),
            ),
        ],
        reference: Annotated[
            str,
            strawberry.argument(description="The bank's reference; once per order, up to 120."),
        ],
        received_at: Annotated[
            datetime, strawberry.argument(description="When the money arrived, with an offset.")
        ],
    ) -> RecordPaymentPayload | None:
        result = await payments.record_payment(
            info.context,
            order_id=str(order_id),
            amount=amount,
            reference=reference,
            received_at=received_at,
        )
        return RecordPaymentPayload.from_result(result)
