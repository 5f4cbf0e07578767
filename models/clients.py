"""Buyer companies (clients), their contacts, and the terms finance grants them.

A company prefers a language for the mail its contacts get (`preferred_language`, ISO 639-1);
each contact says which kinds of mail it receives (`MailTopic`, one flag column per topic).

`version` makes edits optimistic: a save names the version it was based on, and a stale save
is refused instead of silently overwriting someone else's change.

A company also carries its credit standing, written in every transaction that changes it
(`resolvers/orders/standing.py`) so staff lists filter and sort on it by index: `credit_used`,
`overdue_amount` as of the last write, and in `ClientDue` the unpaid balances falling due
later, by due date, from which the overdue figure of any later day follows exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
)
from sqlmodel import Field, SQLModel

from models.base import BigId, created_at_column, one_of, updated_at_column


class BalanceDueOn(StrEnum):
    """The event from which the balance (after any advance) falls due, plus `net_days`."""

    INVOICE = "invoice"
    BILL_OF_LADING = "bill_of_lading"
    DELIVERY = "delivery"


class MailTopic(StrEnum):
    """A kind of mail a contact may receive about its company's business (jobs/mail)."""

    QUOTES = "quotes"
    ORDERS = "orders"
    SHIPMENTS = "shipments"
    INVOICES = "invoices"


# The column of `client_contacts` that says whether a contact receives a topic's mail.
MAIL_TOPIC_COLUMNS: dict[MailTopic, str] = {topic: f"mails_{topic.value}" for topic in MailTopic}
DEFAULT_LANGUAGE = "en"


class CarriesTerms(Protocol):
    """A row with payment terms: a company grants them, a quote offers them, an order keeps them."""

    advance_percent: int
    balance_due_on: BalanceDueOn
    net_days: int


@dataclass(frozen=True)
class PaymentTerms:
    """An advance share with the order, and the balance `net_days` after `balance_due_on`."""

    advance_percent: int
    balance_due_on: BalanceDueOn
    net_days: int

    @classmethod
    def of(cls, row: CarriesTerms) -> PaymentTerms:
        return cls(row.advance_percent, BalanceDueOn(row.balance_due_on), row.net_days)


# What a new company is granted (its columns' defaults), and what a guest's quote offers.
DEFAULT_TERMS = PaymentTerms(advance_percent=0, balance_due_on=BalanceDueOn.INVOICE, net_days=30)
# The range `net_days` allows on every row that carries terms.
MAX_NET_DAYS = 365


class ClientCompany(SQLModel, table=True):
    __tablename__ = "client_companies"
    __table_args__ = (
        # The staff listing: companies by name, keyset-paginated.
        Index(None, "name", "id"),
        # The staff listing's orders and filters on the credit standing, and by country.
        Index(None, "credit_used", "id"),
        Index(None, "overdue_amount", "id"),
        Index(None, "next_due_on"),
        Index(None, "country", "name", "id"),
        CheckConstraint("length(country) = 2", name="country_length"),
        CheckConstraint("length(preferred_language) = 2", name="preferred_language_length"),
        CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
        CheckConstraint(
            "advance_percent >= 0 AND advance_percent <= 100", name="advance_percent_range"
        ),
        CheckConstraint("net_days >= 0 AND net_days <= 365", name="net_days_range"),
        CheckConstraint(one_of("balance_due_on", BalanceDueOn), name="balance_due_on_known"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    country: str = Field(sa_column=Column(String(2), nullable=False))
    tax_id: str = Field(default="", sa_column=Column(String(64), nullable=False, default=""))
    credit_limit: Decimal = Field(
        default=Decimal(0), sa_column=Column(Numeric(16, 2), nullable=False, default=0)
    )
    credit_currency: str = Field(
        default="USD", sa_column=Column(String(3), nullable=False, default="USD")
    )
    # Payment terms, e.g. 30% advance and the balance against the bill of lading, or net 60.
    advance_percent: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    balance_due_on: BalanceDueOn = Field(
        default=BalanceDueOn.INVOICE,
        sa_column=Column(String(32), nullable=False, default=BalanceDueOn.INVOICE),
    )
    net_days: int = Field(default=30, sa_column=Column(Integer, nullable=False, default=30))
    preferred_currency: str = Field(
        default="USD", sa_column=Column(String(3), nullable=False, default="USD")
    )
    preferred_incoterm: str = Field(
        default="FOB", sa_column=Column(String(3), nullable=False, default="FOB")
    )
    # ISO 639-1 code of the language its contacts are mailed in (English where no template
    # of that language exists).
    preferred_language: str = Field(
        default=DEFAULT_LANGUAGE,
        sa_column=Column(String(2), nullable=False, default=DEFAULT_LANGUAGE),
    )
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    # What its orders that are not cancelled still owe, in `credit_currency`.
    credit_used: Decimal = Field(
        default=Decimal(0), sa_column=Column(Numeric(18, 4), nullable=False, default=0)
    )
    # Unpaid balances of receivables due before the day of the last write, in `credit_currency`.
    overdue_amount: Decimal = Field(
        default=Decimal(0), sa_column=Column(Numeric(18, 4), nullable=False, default=0)
    )
    # The earliest due date in `ClientDue`: until the day after it, `overdue_amount` is exact.
    next_due_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_at_column())


class ClientDue(SQLModel, table=True):
    """Unpaid receivable balances of a company falling due on a date not yet past at the last
    write, in its credit currency: each becomes overdue the day after `due_date`."""

    __tablename__ = "client_dues"
    __table_args__ = (PrimaryKeyConstraint("company_id", "due_date"),)

    company_id: int = Field(
        sa_column=Column(
            BigId, ForeignKey("client_companies.id", ondelete="CASCADE"), nullable=False
        )
    )
    due_date: date = Field(sa_column=Column(Date, nullable=False))
    amount: Decimal = Field(sa_column=Column(Numeric(18, 4), nullable=False))


class ClientContact(SQLModel, table=True):
    __tablename__ = "client_contacts"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    company_id: int = Field(
        sa_column=Column(
            BigId,
            ForeignKey("client_companies.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    name: str = Field(sa_column=Column(String(200), nullable=False))
    email: str = Field(default="", sa_column=Column(String(320), nullable=False, default=""))
    phone: str = Field(default="", sa_column=Column(String(64), nullable=False, default=""))
    position: str = Field(default="", sa_column=Column(String(120), nullable=False, default=""))
    # Which mails the contact receives (MAIL_TOPIC_COLUMNS); a contact without an email none.
    mails_quotes: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, default=True)
    )
    mails_orders: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, default=True)
    )
    mails_shipments: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, default=True)
    )
    mails_invoices: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, default=True)
    )

    @property
    def mail_topics(self) -> list[MailTopic]:
        return [topic for topic, name in MAIL_TOPIC_COLUMNS.items() if getattr(self, name)]
