"""Accounts receivable: what each client owes for each confirmed order, and why.

An order's receivable holds what is not yet shipped; under terms counted from the bill of
lading each departed shipment gets a receivable of its own (`shipment_id`), its value moved
out of the order's by a TRANSFER pair, due from its own B/L date (docs/design/ledger.md).

Written only by the ledger's outbox handler, once per event: every entry names the event it
came from, and (event, kind) is unique, so a redelivered event cannot post twice. The
receivable's `balance` is the sum of its entries; `entries` is the audit trail.

A balance only falls after its invoice (payments and reversals are negative), so a
receivable is owed from its `created_at` (its invoice's moment) until its `settled_at`; the
aging of a past day finds what was owed then as the intervals around the day's end.
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
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    column,
    func,
    literal_column,
    text,
)
from sqlmodel import Field, SQLModel

from models.base import BigId, Moment, created_at_column, one_of, updated_at_column

# The due date of a receivable that has none yet, in the finance listing's sort key: last.
# Not date.max, which asyncpg sends as 'infinity' (after every date, itself included).
NO_DUE_DATE = date(9999, 1, 1)
# The moments a receivable is owed, after its creation until its settlement (null: still
# owed), so a range that holds a day's end holds the receivables owed when it ended.
OWED_BETWEEN = "tstzrange(created_at, settled_at, '(]'::text)"


def due_key_of(due_date: Any) -> Any:
    """The finance listing's sort key on a receivable's due date (NOT NULL, in its index)."""
    return func.coalesce(due_date, literal_column(f"'{NO_DUE_DATE.isoformat()}'"))


class ReceivableStatus(StrEnum):
    OPEN = "open"
    PARTLY_SETTLED = "partly_settled"
    SETTLED = "settled"
    REVERSED = "reversed"


class LedgerEntryKind(StrEnum):
    # The order's total falls due (posted on confirmation).
    INVOICE = "invoice"
    # Money received (negative amount).
    PAYMENT = "payment"
    # Cancellation: whatever is still owed is written off (negative amount).
    REVERSAL = "reversal"
    # A departed shipment's value moved between the order's receivable (negative) and the
    # shipment's (positive): the pair sums to zero, the client owes no more or less.
    TRANSFER = "transfer"


class Receivable(SQLModel, table=True):
    __tablename__ = "receivables"
    __table_args__ = (
        CheckConstraint(one_of("status", ReceivableStatus), name="status_known"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        # One receivable per order for what is not shipped separately, one per shipment.
        Index(
            "ix_receivables_order_id_unshipped",
            "order_id",
            unique=True,
            postgresql_where=text("shipment_id IS NULL"),
            sqlite_where=text("shipment_id IS NULL"),
        ),
        # The finance listing: by due date (none yet last), keyset-paginated.
        Index("ix_receivables_due_key_id", due_key_of(column("due_date")), "id"),
        # Receivables aging today: only what is still owed, with what it groups and sums.
        Index(
            "ix_receivables_owed",
            "client_company_id",
            "currency",
            "due_date",
            "balance",
            postgresql_where=text("balance > 0"),
            sqlite_where=text("balance > 0"),
        ),
        # Receivables aging on a past day: those owed when it ended, the intervals holding
        # that moment (a GiST index on ranges answers containment in a few pages).
        Index(
            "ix_receivables_owed_between",
            # As PostgreSQL spells the expression back, so migrations compare equal.
            text(OWED_BETWEEN),
            postgresql_using="gist",
            info={"only_on": "postgresql"},
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_id: int = Field(sa_column=Column(BigId, ForeignKey("orders.id"), nullable=False))
    # The departed shipment whose goods this receivable is for; null: the order's own.
    shipment_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, ForeignKey("shipments.id"), nullable=True, unique=True),
    )
    client_company_id: int = Field(
        sa_column=Column(BigId, ForeignKey("client_companies.id"), nullable=False, index=True)
    )
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    amount: Decimal = Field(sa_column=Column(Numeric(18, 4), nullable=False))
    balance: Decimal = Field(sa_column=Column(Numeric(18, 4), nullable=False))
    # The advance share of the payment terms, due at confirmation; the rest by `due_date`.
    advance_amount: Decimal = Field(
        default=Decimal(0), sa_column=Column(Numeric(18, 4), nullable=False, default=0)
    )
    # Null while it depends on an event still to come (bill of lading, delivery).
    due_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    status: ReceivableStatus = Field(
        default=ReceivableStatus.OPEN,
        sa_column=Column(String(16), nullable=False, default=ReceivableStatus.OPEN),
    )
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_at_column())
    # The moment of the entry that brought the balance to zero or below; null while owed.
    settled_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        # A payment is spread over an order's receivables and a transfer touches two: one
        # entry per event, kind and receivable, so a redelivered event posts nothing twice.
        UniqueConstraint("event_id", "kind", "receivable_id"),
        CheckConstraint(one_of("kind", LedgerEntryKind), name="kind_known"),
        # A receivable's entries in order; on PostgreSQL with their amounts, so the balance
        # on a past day (receivables aging) is summed from the index alone.
        Index(None, "receivable_id", "created_at", postgresql_include=["amount"]),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    receivable_id: int = Field(
        sa_column=Column(BigId, ForeignKey("receivables.id"), nullable=False)
    )
    kind: LedgerEntryKind = Field(sa_column=Column(String(16), nullable=False))
    # Positive increases what the client owes; payments and reversals are negative.
    amount: Decimal = Field(sa_column=Column(Numeric(18, 4), nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    event_id: int = Field(sa_column=Column(BigId, ForeignKey("outbox_events.id"), nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
