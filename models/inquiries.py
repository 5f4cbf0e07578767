"""Requests for quotation (inquiries) from clients or guests, and the quotes sent for them.

A guest's inquiry belongs to a lead (a prospect known by email), not to an account; a
client's to its company. Quotes are revisions: each new quote for an inquiry is a new row
with the next revision number and a record of what changed, and earlier ones stay as sent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from models.base import (
    BigId,
    Moment,
    created_at_column,
    foreign_key,
    json_column,
    one_of,
    updated_at_column,
)
from models.clients import BalanceDueOn
from models.orders import ChargeKind, charge_rules


def inquiry_reference(pk: int) -> str:
    """The reference people quote in mails: INQ-000042."""
    return f"INQ-{pk:06d}"


class InquiryStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    QUOTED = "quoted"
    WON = "won"
    LOST = "lost"


class InquirySource(StrEnum):
    """Who put the inquiry in: the funnel report compares how each channel converts."""

    STOREFRONT_GUEST = "storefront_guest"
    CLIENT_USER = "client_user"
    STAFF = "staff"


class LostReasonCode(StrEnum):
    """Why a lost inquiry was lost, as a code reports can count; `lost_reason` explains."""

    PRICE = "price"
    LEAD_TIME = "lead_time"
    MOQ = "moq"
    SPECIFICATION = "specification"
    COMPETITOR = "competitor"
    NO_RESPONSE = "no_response"
    CANCELLED_BY_BUYER = "cancelled_by_buyer"
    OTHER = "other"


class QuoteStatus(StrEnum):
    # The latest revision, open for acceptance until `valid_until`.
    OPEN = "open"
    # A later revision replaced it.
    SUPERSEDED = "superseded"
    # Turned into an order (exactly once: a conditional update from OPEN).
    CONVERTED = "converted"
    # The inquiry was closed as lost.
    WITHDRAWN = "withdrawn"


class Lead(SQLModel, table=True):
    """A prospect who asked as a guest: known by email, not an account, cannot sign in.

    Sales converts a lead into a client company (`convertLeadToClient`); the lead then
    remembers which, so a later guest inquiry from the same address converts into that
    company rather than a second one.
    """

    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint("length(country) = 2", name="country_length"),
        CheckConstraint(
            "(converted_company_id IS NULL) = (converted_at IS NULL)",
            name="converted_with_moment",
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    # Normalised like users' emails; one lead per address, updated on each inquiry.
    email: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    company_name: str = Field(sa_column=Column(String(200), nullable=False))
    contact_name: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    country: str = Field(sa_column=Column(String(2), nullable=False))
    # The client company the lead became, and when it first did; null while only a lead.
    converted_company_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("client_companies.id"), nullable=True, index=True),
    )
    converted_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_at_column())


class Inquiry(SQLModel, table=True):
    __tablename__ = "inquiries"
    __table_args__ = (
        CheckConstraint(
            "(client_company_id IS NULL) <> (lead_id IS NULL)", name="from_client_or_lead"
        ),
        CheckConstraint(one_of("status", InquiryStatus), name="status_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(one_of("source", InquirySource), name="source_known"),
        CheckConstraint(one_of("lost_reason_code", LostReasonCode), name="lost_reason_code_known"),
        # A lost inquiry says why as a code; any other has none.
        CheckConstraint(
            "(status = 'lost') = (lost_reason_code IS NOT NULL)", name="lost_has_reason_code"
        ),
        # A client's inquiries and the staff queue, newest first.
        Index(None, "client_company_id", "created_at", "id"),
        Index(None, "status", "created_at", "id"),
        # The staff list by age, whatever the status.
        Index(None, "created_at", "id"),
        # The inquiry funnel: a range of submission moments, read from the index alone.
        Index(
            "ix_inquiries_created_at_funnel",
            "created_at",
            postgresql_include=["status", "source", "assigned_to_user_id", "first_quoted_at"],
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    client_company_id: int | None = Field(
        default=None, sa_column=Column(BigId, foreign_key("client_companies.id"), nullable=True)
    )
    lead_id: int | None = Field(
        default=None, sa_column=Column(BigId, foreign_key("leads.id"), nullable=True, index=True)
    )
    submitted_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("users.id", ondelete="SET NULL"), nullable=True),
    )
    incoterm: str = Field(sa_column=Column(String(3), nullable=False))
    # The Incoterms 2020 named place, or the destination port for C- and D-terms.
    named_place: str = Field(sa_column=Column(String(200), nullable=False))
    required_by: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: InquiryStatus = Field(
        default=InquiryStatus.NEW,
        sa_column=Column(String(16), nullable=False, default=InquiryStatus.NEW),
    )
    assigned_to_user_id: int | None = Field(
        default=None,
        sa_column=Column(
            BigId, foreign_key("users.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    lost_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    lost_reason_code: LostReasonCode | None = Field(
        default=None, sa_column=Column(String(24), nullable=True)
    )
    source: InquirySource = Field(sa_column=Column(String(16), nullable=False))
    # When the first quote revision was sent; later revisions leave it as it is.
    first_quoted_at: datetime | None = Field(
        default=None, sa_column=Column(Moment(), nullable=True)
    )
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_at_column())


class InquiryItem(SQLModel, table=True):
    __tablename__ = "inquiry_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("target_price IS NULL OR target_price > 0", name="target_price_positive"),
        CheckConstraint(
            "(target_price IS NULL) = (target_currency IS NULL)", name="target_price_has_currency"
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    inquiry_id: int = Field(
        sa_column=Column(
            BigId, foreign_key("inquiries.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    product_id: int = Field(sa_column=Column(Integer, foreign_key("products.id"), nullable=False))
    variant_id: int | None = Field(
        default=None, sa_column=Column(Integer, foreign_key("variants.id"), nullable=True)
    )
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    target_price: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(14, 4), nullable=True)
    )
    target_currency: str | None = Field(default=None, sa_column=Column(String(3), nullable=True))
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))


class Quote(SQLModel, table=True):
    """One revision of the quote for an inquiry."""

    __tablename__ = "quotes"
    __table_args__ = (
        UniqueConstraint("inquiry_id", "revision"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        CheckConstraint("length(currency) = 3", name="currency_length"),
        CheckConstraint(one_of("status", QuoteStatus), name="status_known"),
        CheckConstraint("charges_total >= 0", name="charges_total_not_negative"),
        CheckConstraint("charges_total <= total", name="charges_within_total"),
        CheckConstraint(
            "advance_percent >= 0 AND advance_percent <= 100", name="advance_percent_range"
        ),
        CheckConstraint("net_days >= 0 AND net_days <= 365", name="net_days_range"),
        CheckConstraint(one_of("balance_due_on", BalanceDueOn), name="balance_due_on_known"),
        # The staff list's "open quote expiring before" filter.
        Index(None, "status", "valid_until", "inquiry_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    inquiry_id: int = Field(
        sa_column=Column(BigId, foreign_key("inquiries.id", ondelete="CASCADE"), nullable=False)
    )
    revision: int = Field(sa_column=Column(Integer, nullable=False))
    status: QuoteStatus = Field(
        default=QuoteStatus.OPEN,
        sa_column=Column(String(16), nullable=False, default=QuoteStatus.OPEN),
    )
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    valid_until: date = Field(sa_column=Column(Date, nullable=False))
    lead_time_days: int = Field(sa_column=Column(Integer, nullable=False))
    # The terms of trade this revision was priced under; by default the inquiry's, but sales
    # may quote CIF Mersin against an inquiry for FOB Mumbai.
    incoterm: str = Field(sa_column=Column(String(3), nullable=False))
    named_place: str = Field(sa_column=Column(String(200), nullable=False))
    # The payment terms offered; by default the company's (a lead's: DEFAULT_TERMS).
    advance_percent: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    balance_due_on: BalanceDueOn = Field(
        default=BalanceDueOn.INVOICE,
        sa_column=Column(String(32), nullable=False, default=BalanceDueOn.INVOICE),
    )
    net_days: int = Field(default=30, sa_column=Column(Integer, nullable=False, default=30))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # What this revision changed against the previous one: {"field": [before, after]} and
    # per-variant line changes; empty for the first revision.
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(default=dict))
    # The line totals plus `charges_total`.
    total: Decimal = Field(sa_column=Column(Numeric(18, 4), nullable=False))
    charges_total: Decimal = Field(
        default=Decimal(0), sa_column=Column(Numeric(18, 4), nullable=False, default=0)
    )
    created_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("users.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())


class QuoteLine(SQLModel, table=True):
    __tablename__ = "quote_lines"
    __table_args__ = (
        UniqueConstraint("quote_id", "variant_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    quote_id: int = Field(
        sa_column=Column(
            BigId, foreign_key("quotes.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    variant_id: int = Field(sa_column=Column(Integer, foreign_key("variants.id"), nullable=False))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    unit_price: Decimal = Field(sa_column=Column(Numeric(14, 4), nullable=False))
    line_total: Decimal = Field(sa_column=Column(Numeric(18, 4), nullable=False))
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))


class QuoteCharge(SQLModel, table=True):
    """A charge quoted beside the goods, in the quote's currency: at most one freight and one
    insurance, any number of described others. Copied onto the order the quote becomes."""

    __tablename__ = "quote_charges"
    __table_args__ = charge_rules("quote_charges", "quote_id")

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    quote_id: int = Field(
        sa_column=Column(
            BigId, foreign_key("quotes.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: ChargeKind = Field(sa_column=Column(String(16), nullable=False))
    amount: Decimal = Field(sa_column=Column(Numeric(18, 4), nullable=False))
    description: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
