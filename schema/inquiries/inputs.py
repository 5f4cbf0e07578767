"""Inputs of the inquiry and quote mutations, and their translation into the rules' terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from models.inquiries import InquiryItem, QuoteLine
from resolvers.inquiries.quote_rules import QuoteLineRequest, QuoteRequest
from resolvers.inquiries.rules import GuestDetails, InquirySubmission, ItemRequest
from resolvers.orders.trade_terms import PaymentTermsRequest
from schema.catalog.enums import Incoterm
from schema.clients.inputs import PaymentTermsInput
from schema.decimal_input import lands_in
from schema.orders.charges import ChargeInput


@strawberry.input(description="Who a guest is; required without an account, refused with one.")
class InquiryGuestInput:
    company_name: str = strawberry.field(description="Company name, up to 200 characters.")
    contact_name: str = strawberry.field(description="Your name, up to 200 characters.")
    email: str = strawberry.field(description="Where sales will answer.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code of your country.")

    def to_details(self) -> GuestDetails:
        return GuestDetails(
            company_name=self.company_name,
            contact_name=self.contact_name,
            email=self.email,
            country=self.country,
        )


@strawberry.input(description="A unit price the buyer hopes for.")
class TargetPriceInput:
    amount: Decimal = strawberry.field(
        description="Price of one unit, above 0, 4 decimals at most.",
        metadata=lands_in(InquiryItem.target_price),
    )
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. USD.")


@strawberry.input(description="One product, or one variant of it, asked about.")
class InquiryItemInput:
    product_id: strawberry.ID = strawberry.field(description="Global id of an active product.")
    variant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of one of its variants; null when any will do."
    )
    quantity: int = strawberry.field(description="Units wanted: at least the product's MOQ.")
    target_price: TargetPriceInput | None = strawberry.field(
        default=None, description="The unit price hoped for, if any."
    )

    def to_request(self) -> ItemRequest:
        target = self.target_price
        return ItemRequest(
            product_id=str(self.product_id),
            variant_id=None if self.variant_id is None else str(self.variant_id),
            quantity=self.quantity,
            target_price=None if target is None else target.amount,
            target_currency=None if target is None else target.currency,
        )


@strawberry.input(description="A request for quotation.")
class SubmitInquiryInput:
    items: list[InquiryItemInput] = strawberry.field(description="1 to 50 items, each distinct.")
    incoterm: Incoterm = strawberry.field(description="The Incoterms 2020 rule wanted.")
    named_place: str = strawberry.field(
        description=(
            "The rule's named place, or the destination port for C- and D-terms, e.g. "
            "'Hamburg'; up to 200 characters."
        )
    )
    required_by: date | None = strawberry.field(
        default=None, description="When the goods are needed; today or later."
    )
    message: str = strawberry.field(
        default="", description="Anything sales should know; up to 5000 characters."
    )
    guest: InquiryGuestInput | None = strawberry.field(
        default=None, description="Who you are; required without an account, refused with one."
    )

    def to_submission(self) -> InquirySubmission:
        return _submission(self)


@strawberry.input(
    description=(
        "An inquiry a buyer made by phone, by mail or at a fair, as staff record it: for a "
        "client company (`clientCompanyId`, and the user who asked, if known) or for a "
        "prospect without an account (`guest`), one of the two."
    )
)
class RecordInquiryInput:
    client_company_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the client company asking; not with `guest`."
    )
    contact_user_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Global id of the company's user who asked, if known: acknowledged by mail, as "
            "if they had submitted it."
        ),
    )
    guest: InquiryGuestInput | None = strawberry.field(
        default=None,
        description=(
            "A prospect without an account: filed under a lead by email, as a guest's "
            "inquiry is, and acknowledged at that email. Not with `clientCompanyId`."
        ),
    )
    items: list[InquiryItemInput] = strawberry.field(description="1 to 50 items, each distinct.")
    incoterm: Incoterm = strawberry.field(description="The Incoterms 2020 rule wanted.")
    named_place: str = strawberry.field(
        description="The rule's named place, or the destination port; up to 200 characters."
    )
    required_by: date | None = strawberry.field(
        default=None, description="When the goods are needed; today or later."
    )
    message: str = strawberry.field(
        default="", description="What the buyer said, in a few words; up to 5000 characters."
    )

    def to_submission(self) -> InquirySubmission:
        return _submission(self)


def _submission(given: SubmitInquiryInput | RecordInquiryInput) -> InquirySubmission:
    """What both ways of putting an inquiry in ask about, in the rules' terms."""
    return InquirySubmission(
        guest=None if given.guest is None else given.guest.to_details(),
        items=[item.to_request() for item in given.items],
        incoterm=str(given.incoterm.value),
        named_place=given.named_place,
        required_by=given.required_by,
        message=given.message,
    )


@strawberry.input(description="One quoted variant.")
class QuoteLineInput:
    variant_id: strawberry.ID = strawberry.field(description="Global id of the variant.")
    quantity: int = strawberry.field(description="Units quoted: at least the product's MOQ.")
    unit_price: Decimal = strawberry.field(
        description="Price of one unit in the quote's currency; above 0, 4 decimals at most.",
        metadata=lands_in(QuoteLine.unit_price),
    )


@strawberry.input(description="A quote revision: every line and term, as the buyer will see it.")
class QuoteInput:
    lines: list[QuoteLineInput] = strawberry.field(description="1 to 100 lines, one per variant.")
    currency: str = strawberry.field(description="ISO 4217 currency of every price.")
    valid_until: date = strawberry.field(description="Last day to accept it; today or later.")
    lead_time_days: int = strawberry.field(
        description="Days from order to readiness to ship, 0 to 730."
    )
    notes: str = strawberry.field(
        default="", description="Notes to the buyer; up to 5000 characters."
    )
    incoterm: Incoterm | None = strawberry.field(
        default=None, description="The Incoterms 2020 rule quoted; null: the inquiry's."
    )
    named_place: str | None = strawberry.field(
        default=None,
        description="The rule's named place, up to 200 characters; null: the inquiry's.",
    )
    payment_terms: PaymentTermsInput | None = strawberry.field(
        default=None,
        description="The payment terms offered; null: the company's (a guest's: 0%, invoice, 30).",
    )
    charges: list[ChargeInput] = strawberry.field(
        default_factory=list,
        description=(
            "Charges beside the goods, in `currency`, at most 10: FREIGHT is required under "
            "CFR, CIF, CPT, CIP, DAP, DPU and DDP, INSURANCE too under CIF and CIP "
            "(CHARGE_REQUIRED)."
        ),
    )

    def to_request(self) -> QuoteRequest:
        terms = self.payment_terms
        return QuoteRequest(
            lines=[
                QuoteLineRequest(str(line.variant_id), line.quantity, line.unit_price)
                for line in self.lines
            ],
            currency=self.currency,
            valid_until=self.valid_until,
            lead_time_days=self.lead_time_days,
            notes=self.notes,
            incoterm=None if self.incoterm is None else str(self.incoterm.value),
            named_place=self.named_place,
            payment_terms=None
            if terms is None
            else PaymentTermsRequest(
                terms.advance_percent, str(terms.balance_due_on.value), terms.net_days
            ),
            charges=[charge.to_request() for charge in self.charges],
        )
