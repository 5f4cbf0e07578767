"""Inquiry and quote mutations: asking, working the inquiry, quoting, accepting.

`submitInquiry` is open to guests and client users; recording an inquiry for a buyer,
assigning, quoting and closing need `inquiries:manage`; `convertQuoteToOrder` is for the
client user whose company asked, or staff holding `inquiries:manage` (a gate at the field).
Refusals come back as `userErrors` and change nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from auth.policy import Permission
from models.inquiries import LostReasonCode as LostReasonCodeModel
from resolvers.inquiries import quote_conversion, quotes, recording
from resolvers.inquiries import submission as inquiry_submission
from resolvers.inquiries import workflow as inquiry_workflow
from resolvers.inquiries.workflow import CloseOutcome
from schema.decimal_input import DecimalBounds
from schema.info import Info
from schema.inquiries.enums import InquiryOutcome, LostReasonCode
from schema.inquiries.inputs import QuoteInput, RecordInquiryInput, SubmitInquiryInput
from schema.inquiries.payloads import (
    ConvertQuotePayload,
    InquiryPayload,
    QuotePayload,
    SubmitInquiryPayload,
)
from schema.orders.inputs import ShippingAddressInput
from schema.permissions import ClientOrPermissionGate, permission_field


def _id(what: str) -> Any:
    return strawberry.argument(description=f"Global id of the {what}.")


VERSION_ARGUMENT = strawberry.argument(
    description=(
        "The inquiry `version` the change is based on; a stale one changes nothing "
        "(CONFLICT). Null: apply to whatever is stored."
    )
)


IDEMPOTENCY_KEY = strawberry.argument(
    description=(
        "Optional, 1 to 100 characters, unique per intended record (a UUID is ideal): a retry "
        "with the same key and input answers what the first call made, and changes, emits and "
        "mails nothing again; the same key with another input is IDEMPOTENCY_KEY_REUSED."
    )
)


@strawberry.type
class InquiryMutation:
    @strawberry.field(
        description=(
            "Ask for a quotation. A client user asks for its own company; a guest (no "
            "account, or a storefront key) gives `guest` details and is filed as a lead by "
            "email, never given an account. Guests are limited per network and hour "
            "(TOO_MANY_REQUESTS). Sales are mailed, and the sender gets an acknowledgement. "
            "A client user's `idempotencyKey` is its company's; a guest's is scoped to the "
            "key and the email given, so two guests' keys never meet."
        ),
        extensions=[DecimalBounds()],
    )
    async def submit_inquiry(
        self,
        info: Info,
        input: Annotated[SubmitInquiryInput, strawberry.argument(description="The inquiry.")],
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> SubmitInquiryPayload:
        outcome = await inquiry_submission.submit_inquiry(
            info.context, input.to_submission(), idempotency_key
        )
        readable = not inquiry_submission.is_guest(info.context.principal)
        return SubmitInquiryPayload.from_outcome(outcome, readable=readable)

    @permission_field(
        Permission.INQUIRIES_MANAGE,
        description=(
            "Record an inquiry a buyer made by phone, by mail or at a fair: for a client "
            "company (and the user who asked, if known) or for a prospect as a lead, checked "
            "as submitInquiry checks it. Its source is STAFF; a member of staff who records "
            "it is its salesperson from the start (ASSIGNED), an API key's starts NEW. Sales "
            "are mailed and the buyer acknowledged, as for any inquiry (inquiry.created)."
        ),
        extensions=[DecimalBounds()],
    )
    async def record_inquiry(
        self,
        info: Info,
        input: Annotated[RecordInquiryInput, strawberry.argument(description="The inquiry.")],
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> InquiryPayload | None:
        result = await recording.record_inquiry(
            info.context,
            input.to_submission(),
            client_company_id=input.client_company_id,
            contact_user_id=input.contact_user_id,
            idempotency_key=idempotency_key,
        )
        return InquiryPayload.from_result(result)

    @permission_field(
        Permission.INQUIRIES_MANAGE,
        description=(
            "Give an open inquiry to a salesperson: an active member of staff who may manage "
            "inquiries. A NEW inquiry becomes ASSIGNED."
        ),
    )
    async def assign_inquiry(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("inquiry")],
        user_id: Annotated[strawberry.ID, _id("user to assign it to")],
        expected_version: Annotated[int | None, VERSION_ARGUMENT] = None,
    ) -> InquiryPayload | None:
        result = await inquiry_workflow.assign_inquiry(
            info.context, inquiry_id=id, user_id=user_id, expected_version=expected_version
        )
        return InquiryPayload.from_result(result)

    @permission_field(
        Permission.INQUIRIES_MANAGE,
        description=(
            "Send a quote for an open inquiry: a new revision with every line and term. The "
            "previous OPEN revision becomes SUPERSEDED, the inquiry QUOTED, and the revision "
            "records what it changed. Incoterm and named place default to the inquiry's, "
            "payment terms to the company's; the charges must include those the incoterm "
            "makes the seller's (CHARGE_REQUIRED)."
        ),
        extensions=[DecimalBounds()],
    )
    async def quote_inquiry(
        self,
        info: Info,
        inquiry_id: Annotated[strawberry.ID, _id("inquiry")],
        input: Annotated[QuoteInput, strawberry.argument(description="The quote.")],
        expected_version: Annotated[int | None, VERSION_ARGUMENT] = None,
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> QuotePayload | None:
        result = await quotes.quote_inquiry(
            info.context,
            inquiry_id=inquiry_id,
            request=input.to_request(),
            expected_version=expected_version,
            idempotency_key=idempotency_key,
        )
        return QuotePayload.from_result(result)

    @permission_field(
        Permission.INQUIRIES_MANAGE,
        description="Close an open inquiry as WON or LOST; LOST withdraws its open quote.",
    )
    async def close_inquiry(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("inquiry")],
        outcome: Annotated[InquiryOutcome, strawberry.argument(description="How it ended.")],
        reason: Annotated[
            str,
            strawberry.argument(
                description="Why; required for LOST, up to 2000 characters, kept internal."
            ),
        ] = "",
        expected_version: Annotated[int | None, VERSION_ARGUMENT] = None,
        reason_code: Annotated[
            LostReasonCode | None,
            strawberry.argument(
                description=(
                    "Why it was lost, as reports count it; OTHER when not given. Only for LOST."
                )
            ),
        ] = None,
    ) -> InquiryPayload | None:
        result = await inquiry_workflow.close_inquiry(
            info.context,
            inquiry_id=id,
            outcome=CloseOutcome(str(outcome.value)),
            reason=reason,
            expected_version=expected_version,
            reason_code=None
            if reason_code is None
            else LostReasonCodeModel(str(reason_code.value)),
        )
        return InquiryPayload.from_result(result)

    @strawberry.field(
        description=(
            "Accept a quote: place an order at its prices. Only the latest OPEN revision, "
            "until `validUntil`, of a client company's inquiry; by that company's users or "
            "staff holding `inquiries:manage` (anyone else: FORBIDDEN). Stock, credit and MOQ "
            "are checked as for `placeOrder`; when refused the quote stays OPEN. The inquiry "
            "becomes WON. The order keeps the quote's incoterm, named place, payment terms and "
            "charges; its total is the quote's total."
        ),
        extensions=[ClientOrPermissionGate(Permission.INQUIRIES_MANAGE, "quotes are accepted")],
    )
    async def convert_quote_to_order(
        self,
        info: Info,
        quote_id: Annotated[strawberry.ID, _id("quote revision")],
        idempotency_key: Annotated[
            str,
            strawberry.argument(
                description=(
                    "1 to 100 characters, unique per intended order (a UUID is ideal); a "
                    "retry with the same key returns the order placed first."
                )
            ),
        ],
        shipping_address: Annotated[
            ShippingAddressInput, strawberry.argument(description="Where the goods go.")
        ],
        named_place: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "The incoterm's named place; null: the quote's. Under terms where the "
                    "seller pays the carriage the freight was priced to the quote's place, so "
                    "another one is NOT_ALLOWED."
                )
            ),
        ] = None,
        note: Annotated[
            str, strawberry.argument(description="A note for the order; up to 2000 characters.")
        ] = "",
    ) -> ConvertQuotePayload | None:
        result = await quote_conversion.convert_quote_to_order(
            info.context,
            quote_conversion.ConversionRequest(
                quote_id=quote_id,
                idempotency_key=idempotency_key,
                shipping_address=shipping_address.to_stored(),
                named_place=named_place,
                note=note,
            ),
        )
        return ConvertQuotePayload.from_result(result)
