"""Enums of inquiries and quotes as partners see them, each value described."""

from __future__ import annotations

from enum import Enum

import strawberry

from models.inquiries import InquiryStatus as InquiryStatusModel
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
