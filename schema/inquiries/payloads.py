"""What the inquiry and quote mutations return: the record as it is now, or why not."""

from __future__ import annotations

from typing import Self

import strawberry

from core.outcomes import UserErrorCode, WriteResult
from models import inquiries as rows
from models.inquiries import inquiry_reference
from resolvers.inquiries.quote_conversion import Conversion
from resolvers.inquiries.submission import Submitted
from schema.inquiries.inquiry import Inquiry
from schema.inquiries.quote import Quote
from schema.orders.payloads import ORDER_CODES
from schema.orders.types import Order
from schema.user_errors import UserError, one_of, user_errors

INQUIRY_CODES = (
    UserErrorCode.REQUIRED,
    UserErrorCode.TOO_LONG,
    UserErrorCode.INVALID_EMAIL,
    UserErrorCode.INVALID_COUNTRY,
    UserErrorCode.INVALID_CURRENCY,
    UserErrorCode.INVALID_INCOTERM,
    UserErrorCode.INVALID_AMOUNT,
    UserErrorCode.OUT_OF_RANGE,
    UserErrorCode.DATE_IN_PAST,
    UserErrorCode.NO_ITEMS,
    UserErrorCode.TOO_MANY_ITEMS,
    UserErrorCode.DUPLICATE_ITEM,
    UserErrorCode.NOT_FOUND,
    UserErrorCode.VARIANT_NOT_OF_PRODUCT,
    UserErrorCode.BELOW_MOQ,
    UserErrorCode.GUEST_DETAILS_REQUIRED,
    UserErrorCode.GUEST_DETAILS_NOT_ALLOWED,
    UserErrorCode.SUBMITTER_NOT_ALLOWED,
    UserErrorCode.TOO_MANY_REQUESTS,
    UserErrorCode.INVALID_ASSIGNEE,
    UserErrorCode.INQUIRY_CLOSED,
    UserErrorCode.CONFLICT,
    UserErrorCode.QUOTE_EXPIRED,
    UserErrorCode.QUOTE_SUPERSEDED,
    UserErrorCode.QUOTE_WITHDRAWN,
    UserErrorCode.QUOTE_ALREADY_CONVERTED,
    UserErrorCode.LEAD_NOT_A_CLIENT,
    UserErrorCode.IDEMPOTENCY_KEY_REUSED,
    UserErrorCode.INVALID,
    UserErrorCode.CHARGE_REQUIRED,
    UserErrorCode.NOT_ALLOWED,
)
USER_ERRORS = (
    "Why nothing was changed; empty on success. `code` is one of "
    + one_of(INQUIRY_CODES)
    + "; CONFLICT means `expectedVersion` is stale: reload and apply the change again."
)
CONVERSION_ERRORS = (
    "Why no order was placed; empty on success. `code` is one of "
    + one_of(INQUIRY_CODES)
    + ", or a refusal of the order itself: "
    + one_of(ORDER_CODES)
    + " (stock, credit, prices and MOQ are checked as for placeOrder)."
)


@strawberry.type(description="The result of submitting an inquiry.")
class SubmitInquiryPayload:
    reference: str | None = strawberry.field(
        description="The inquiry's reference, e.g. INQ-000042; null when refused."
    )
    inquiry: Inquiry | None = strawberry.field(
        description=(
            "The inquiry, for a client user; null for a guest, who gets the reference and a "
            "mail but cannot read inquiries back, and when refused."
        )
    )
    retry_after_seconds: int | None = strawberry.field(
        description="With TOO_MANY_REQUESTS: seconds until this network may submit again."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def from_outcome(cls, outcome: Submitted, *, readable: bool) -> Self:
        row = outcome.result.row
        return cls(
            reference=None if row is None or row.id is None else inquiry_reference(row.id),
            inquiry=None if row is None or not readable else Inquiry.from_row(row),
            retry_after_seconds=outcome.retry_after_seconds,
            user_errors=user_errors(outcome.result.issues),
        )


@strawberry.type(description="The result of recording, or of a change to, an inquiry.")
class InquiryPayload:
    inquiry: Inquiry | None = strawberry.field(
        description="The inquiry as it is now; null when the change was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def from_result(cls, result: WriteResult[rows.Inquiry]) -> Self:
        inquiry = None if result.row is None else Inquiry.from_row(result.row)
        return cls(inquiry=inquiry, user_errors=user_errors(result.issues))


@strawberry.type(description="The result of sending a quote revision.")
class QuotePayload:
    quote: Quote | None = strawberry.field(
        description="The new revision; null when it was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def from_result(cls, result: WriteResult[rows.Quote]) -> Self:
        quote = None if result.row is None else Quote.from_row(result.row)
        return cls(quote=quote, user_errors=user_errors(result.issues))


@strawberry.type(description="The result of turning a quote into an order.")
class ConvertQuotePayload:
    order: Order | None = strawberry.field(
        description=(
            "The order placed from the quote, or placed earlier with the same idempotency "
            "key; null when refused."
        )
    )
    quote: Quote | None = strawberry.field(
        description="The quote, now CONVERTED; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description=CONVERSION_ERRORS)

    @classmethod
    def from_result(cls, result: WriteResult[Conversion]) -> Self:
        if result.row is None:
            return cls(order=None, quote=None, user_errors=user_errors(result.issues))
        return cls(
            order=Order.from_row(result.row.order),
            quote=Quote.from_row(result.row.quote),
            user_errors=[],
        )
