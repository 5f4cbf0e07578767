"""What the order mutations return: the order as it is now, or why nothing changed."""

from __future__ import annotations

from typing import Self

import strawberry

from core.outcomes import UserErrorCode, WriteResult
from models import orders as rows
from resolvers.orders.payments import RecordedPayment
from schema.orders.types import Order, Payment
from schema.user_errors import UserError, one_of, user_errors

ORDER_CODES = (
    UserErrorCode.NOT_FOUND,
    UserErrorCode.REQUIRED,
    UserErrorCode.INVALID,
    UserErrorCode.TOO_LONG,
    UserErrorCode.NOT_ALLOWED,
    UserErrorCode.NO_ITEMS,
    UserErrorCode.TOO_MANY_ITEMS,
    UserErrorCode.DUPLICATE_ITEM,
    UserErrorCode.INVALID_CURRENCY,
    UserErrorCode.INVALID_INCOTERM,
    UserErrorCode.INVALID_COUNTRY,
    UserErrorCode.OUT_OF_RANGE,
    UserErrorCode.PRODUCT_NOT_ACTIVE,
    UserErrorCode.NO_PRICE,
    UserErrorCode.BELOW_PRICE_TIER,
    UserErrorCode.BELOW_MOQ,
    UserErrorCode.NO_FX_RATE,
    UserErrorCode.CREDIT_LIMIT_EXCEEDED,
    UserErrorCode.OUT_OF_STOCK,
    UserErrorCode.IDEMPOTENCY_KEY_REUSED,
    UserErrorCode.ILLEGAL_TRANSITION,
    UserErrorCode.INVALID_AMOUNT,
    UserErrorCode.INVALID_DATE,
    UserErrorCode.IN_THE_FUTURE,
    UserErrorCode.AMOUNT_EXCEEDS_BALANCE,
    UserErrorCode.DUPLICATE_REFERENCE,
    UserErrorCode.CHARGE_REQUIRED,
    UserErrorCode.CONFLICT,
)
USER_ERRORS = (
    "Why nothing was changed; empty on success. `code` is one of " + one_of(ORDER_CODES) + "."
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
