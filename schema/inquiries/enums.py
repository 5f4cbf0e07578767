"""Enums of inquiries and quotes as partners see them, each value described."""

from __future__ import annotations

from enum import Enum

import strawberry

from models.inquiries import InquirySource as InquirySourceModel
from models.inquiries import InquiryStatus as InquiryStatusModel
from models.inquiries import LostReasonCode as LostReasonCodeModel
from models.inquiries import QuoteStatus as QuoteStatusModel
from resolvers.inquiries.workflow import CloseOutcome


@strawberry.enum(description="Where an inquiry is: new, assigned, quoted, or closed won or lost.")
class InquiryStatus(Enum):
    NEW = strawberry.enum_value(
        InquiryStatusModel.NEW.value, description="Submitted; nobody in sales has it yet."
    )
    ASSIGNED = strawberry.enum_value(
        InquiryStatusModel.ASSIGNED.value, description="A salesperson is working on it."
    )
    QUOTED = strawberry.enum_value(
        InquiryStatusModel.QUOTED.value, description="At least one quote was sent."
    )
    WON = strawberry.enum_value(
        InquiryStatusModel.WON.value, description="Closed: it became (or will become) an order."
    )
    LOST = strawberry.enum_value(
        InquiryStatusModel.LOST.value, description="Closed: the buyer did not go ahead."
    )


@strawberry.enum(description="Who put an inquiry in.")
class InquirySource(Enum):
    STOREFRONT_GUEST = strawberry.enum_value(
        InquirySourceModel.STOREFRONT_GUEST.value,
        description="A guest on the storefront, filed under a lead.",
    )
    CLIENT_USER = strawberry.enum_value(
        InquirySourceModel.CLIENT_USER.value,
        description="A user of a client company, for that company.",
    )
    STAFF = strawberry.enum_value(
        InquirySourceModel.STAFF.value,
        description="A member of staff, entering it for a client (inquiries before 2026-12).",
    )


@strawberry.enum(description="Why an inquiry was lost, as reports count it.")
class LostReasonCode(Enum):
    PRICE = strawberry.enum_value(
        LostReasonCodeModel.PRICE.value, description="Our price was too high."
    )
    LEAD_TIME = strawberry.enum_value(
        LostReasonCodeModel.LEAD_TIME.value, description="We could not deliver in time."
    )
    MOQ = strawberry.enum_value(
        LostReasonCodeModel.MOQ.value, description="The buyer wanted less than our minimum."
    )
    SPECIFICATION = strawberry.enum_value(
        LostReasonCodeModel.SPECIFICATION.value,
        description="We could not make or supply what was specified.",
    )
    COMPETITOR = strawberry.enum_value(
        LostReasonCodeModel.COMPETITOR.value, description="The buyer chose another supplier."
    )
    NO_RESPONSE = strawberry.enum_value(
        LostReasonCodeModel.NO_RESPONSE.value, description="The buyer stopped answering."
    )
    CANCELLED_BY_BUYER = strawberry.enum_value(
        LostReasonCodeModel.CANCELLED_BY_BUYER.value,
        description="The buyer dropped the requirement.",
    )
    OTHER = strawberry.enum_value(
        LostReasonCodeModel.OTHER.value,
        description="Anything else (and every inquiry lost before codes existed); see the text.",
    )


@strawberry.enum(description="Where one revision of a quote is.")
class QuoteStatus(Enum):
    OPEN = strawberry.enum_value(
        QuoteStatusModel.OPEN.value,
        description="The latest revision, open for acceptance until `validUntil`.",
    )
    SUPERSEDED = strawberry.enum_value(
        QuoteStatusModel.SUPERSEDED.value, description="A later revision replaced it."
    )
    CONVERTED = strawberry.enum_value(
        QuoteStatusModel.CONVERTED.value, description="It was accepted and became an order."
    )
    WITHDRAWN = strawberry.enum_value(
        QuoteStatusModel.WITHDRAWN.value, description="The inquiry was closed as lost."
    )


@strawberry.enum(description="How an inquiry ends when sales close it.")
class InquiryOutcome(Enum):
    WON = strawberry.enum_value(
        CloseOutcome.WON.value, description="The buyer goes ahead; an open quote stays open."
    )
    LOST = strawberry.enum_value(
        CloseOutcome.LOST.value, description="The buyer does not; the open quote is withdrawn."
    )


@strawberry.enum(description="How a revision changed one line against the previous revision.")
class QuoteLineChangeKind(Enum):
    ADDED = strawberry.enum_value("added", description="The variant was not quoted before.")
    REMOVED = strawberry.enum_value("removed", description="The variant is no longer quoted.")
    CHANGED = strawberry.enum_value(
        "changed", description="Its quantity, its unit price, or both changed."
    )
