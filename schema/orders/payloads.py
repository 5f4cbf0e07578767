"""What the order mutations return: the order as it is now, or why nothing changed."""

from __future__ import annotations

from typing import Self

import strawberry

from models import orders as rows
from resolvers.orders.payments import RecordedPayment
from resolvers.orders.rules import OrderErrorCode
from resolvers.outcomes import WriteResult
from schema.orders.types import Order, Payment
from schema.user_errors import UserError, user_errors

USER_ERRORS = (
    "Why nothing was changed; empty on success. `code` is one of "
    + ", ".join(code.value for code in OrderErrorCode)
    + "."
)


@strawberry.type(description="The result of placing an order.")
class PlaceOrderPayload:
    order: Order | None = strawberry.field(
        description=(
            "The order placed, or placed earlier with the same idempotency key and request; "
            "null when refused."
        )
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def from_result(cls, result: WriteResult[rows.Order]) -> Self:
        order = None if result.row is None else Order.from_row(result.row)
        return cls(order=order, user_errors=user_errors(result.issues))


@strawberry.type(description="The result of moving an order to another state.")
class OrderPayload:
    order: Order | None = strawberry.field(
        description="The order as it is now; null when the change was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def from_result(cls, result: WriteResult[rows.Order]) -> Self:
        order = None if result.row is None else Order.from_row(result.row)
        return cls(order=order, user_errors=user_errors(result.issues))


@strawberry.type(description="The result of recording a payment.")
class RecordPaymentPayload:
    order: Order | None = strawberry.field(
        description="The order with the payment added; null when refused."
    )
    payment: Payment | None = strawberry.field(
        description="The payment recorded; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def from_result(cls, result: WriteResult[RecordedPayment]) -> Self:
        if result.row is None:
            return cls(order=None, payment=None, user_errors=user_errors(result.issues))
        return cls(
            order=Order.from_row(result.row.order),
            payment=Payment.from_row(result.row.payment),
            user_errors=[],
        )
