"""Orders and their lines, and the payments recorded against them.

The database backs every rule it can: quantities and amounts positive, a status from the
state machine, one order per (client, idempotency key), one line per variant. Stock lives on
`variants` (`stock_reserved <= stock_on_hand` is a constraint there), so no code path can
oversell.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
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

# Amounts are rounded to the currency's minor unit (models.money) before they are stored;
# four places hold every ISO 4217 minor unit.
AMOUNT = Numeric(18, 4)
# The most units one line may carry: what a buyer can order, or be quoted, or priced, at once.
MAX_QUANTITY = 10_000_000
UNIT_PRICE = Numeric(14, 4)
RATE = Numeric(24, 10)


def order_number(pk: int) -> str:
    """The number people quote on the phone and in mails: SO-000042."""
    return f"SO-{pk:06d}"


class OrderStatus(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    PAID = "paid"
    # Some of its goods left, not all: between confirmed (or paid) and shipped.
    PARTLY_SHIPPED = "partly_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class ChargeKind(StrEnum):
    """What a charge beside the goods pays for, as quoted and ordered."""

    FREIGHT = "freight"
    INSURANCE = "insurance"
    OTHER = "other"


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        # Retries of one placement find the order by the key their client sent.
        UniqueConstraint("client_company_id", "idempotency_key"),
        # A client's orders, newest first; and the staff listing by status.
        Index(None, "client_company_id", "created_at", "id"),
        Index(None, "status", "created_at", "id"),
        # The staff list's other orders, and its payment-status filter by placed date.
        Index(None, "created_at", "id"),
        Index(None, "total", "id"),
        Index(None, "payment_status", "created_at", "id"),
        CheckConstraint(one_of("status", OrderStatus), name="status_known"),
        CheckConstraint(one_of("payment_status", PaymentStatus), name="payment_status_known"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("charges_total >= 0", name="charges_total_not_negative"),
        CheckConstraint("charges_total <= total", name="charges_within_total"),
        CheckConstraint("amount_paid >= 0", name="amount_paid_not_negative"),
        CheckConstraint(
            "advance_percent >= 0 AND advance_percent <= 100", name="advance_percent_range"
        ),
        CheckConstraint("net_days >= 0 AND net_days <= 365", name="net_days_range"),
        CheckConstraint(one_of("balance_due_on", BalanceDueOn), name="balance_due_on_known"),
        CheckConstraint("fx_rate > 0", name="fx_rate_positive"),
        CheckConstraint("length(currency) = 3", name="currency_length"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    client_company_id: int = Field(
        sa_column=Column(BigId, foreign_key("client_companies.id"), nullable=False)
    )
    placed_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("users.id", ondelete="SET NULL"), nullable=True),
    )
    quote_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("quotes.id"), nullable=True, unique=True),
    )
    idempotency_key: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    # SHA-256 of the normalised request: the same key with another payload is refused.
    request_hash: str = Field(sa_column=Column(String(64), nullable=False))
    status: OrderStatus = Field(
        default=OrderStatus.PLACED,
        sa_column=Column(String(16), nullable=False, default=OrderStatus.PLACED),
    )
    payment_status: PaymentStatus = Field(
        default=PaymentStatus.UNPAID,
        sa_column=Column(String(16), nullable=False, default=PaymentStatus.UNPAID),
    )
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    incoterm: str = Field(sa_column=Column(String(3), nullable=False))
    named_place: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    shipping_address: dict[str, Any] = Field(
        default_factory=dict, sa_column=json_column(default=dict)
    )
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The lines plus `charges_total`: what the client owes for the order.
    total: Decimal = Field(sa_column=Column(AMOUNT, nullable=False))
    # The sum of its charges (freight, insurance, other); the lines are `total` minus this.
    charges_total: Decimal = Field(
        default=Decimal(0), sa_column=Column(AMOUNT, nullable=False, default=0)
    )
    amount_paid: Decimal = Field(
        default=Decimal(0), sa_column=Column(AMOUNT, nullable=False, default=0)
    )
    # The payment terms of this sale, copied from the quote or, placed in the storefront,
    # from the company: the ledger counts the advance and the due date from these, so a
    # later change of the company's terms leaves the orders it already has alone.
    advance_percent: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    balance_due_on: BalanceDueOn = Field(
        default=BalanceDueOn.INVOICE,
        sa_column=Column(String(32), nullable=False, default=BalanceDueOn.INVOICE),
    )
    net_days: int = Field(default=30, sa_column=Column(Integer, nullable=False, default=30))
    # The client's credit currency and the rate (units of it per unit of `currency`) this
    # order was placed at: exposure is always computed with it, never with today's rate.
    credit_currency: str = Field(sa_column=Column(String(3), nullable=False))
    fx_rate: Decimal = Field(sa_column=Column(RATE, nullable=False))
    fx_rate_id: int | None = Field(
        default=None, sa_column=Column(BigId, foreign_key("fx_rates.id"), nullable=True)
    )
    cancel_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    paid_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    shipped_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    updated_at: datetime | None = Field(default=None, sa_column=updated_at_column())


class OrderLine(SQLModel, table=True):
    """One variant of an order, priced by the server; SKU and name kept as ordered."""

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "variant_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint("line_total > 0", name="line_total_positive"),
        CheckConstraint(
            "shipped_quantity >= 0 AND shipped_quantity <= quantity",
            name="shipped_quantity_within_line",
        ),
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
        CheckConstraint(
            "(unit_cost IS NULL) = (cost_currency IS NULL)", name="unit_cost_has_currency"
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_id: int = Field(
        sa_column=Column(BigId, foreign_key("orders.id", ondelete="CASCADE"), nullable=False)
    )
    variant_id: int = Field(
        sa_column=Column(Integer, foreign_key("variants.id"), nullable=False, index=True)
    )
    sku: str = Field(sa_column=Column(String(64), nullable=False))
    product_name: str = Field(sa_column=Column(String(200), nullable=False))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    # Units that left on departed shipments; the order is shipped when every line's is its
    # quantity.
    shipped_quantity: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, default=0, server_default="0")
    )
    unit_price: Decimal = Field(sa_column=Column(UNIT_PRICE, nullable=False))
    # The tier's minimum quantity the price came from; null when a quote set the price.
    tier_min_quantity: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    line_total: Decimal = Field(sa_column=Column(AMOUNT, nullable=False))
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    # The variant's cost when the line was written, for the margin report; null when the
    # variant had none then, or the line predates cost snapshots (never back-filled).
    unit_cost: Decimal | None = Field(default=None, sa_column=Column(UNIT_PRICE, nullable=True))
    cost_currency: str | None = Field(default=None, sa_column=Column(String(3), nullable=True))


def charge_rules(table: str, owner: str) -> tuple[CheckConstraint | Index, ...]:
    """What a table of charges beside the goods holds to (`order_charges`, `quote_charges`):
    a known kind, an amount above zero, a description for OTHER, and at most one FREIGHT and
    one INSURANCE per `owner` (a quote or an order)."""
    return (
        CheckConstraint(one_of("kind", ChargeKind), name="kind_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("kind <> 'other' OR description <> ''", name="other_described"),
        Index(
            f"uq_{table}_{owner}_kind",
            owner,
            "kind",
            unique=True,
            postgresql_where=text("kind <> 'other'"),
            sqlite_where=text("kind <> 'other'"),
        ),
    )


class OrderCharge(SQLModel, table=True):
    """A charge of the order beside its goods, in the order's currency: at most one freight
    and one insurance, any number of described others."""

    __tablename__ = "order_charges"
    __table_args__ = charge_rules("order_charges", "order_id")

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_id: int = Field(
        sa_column=Column(
            BigId, foreign_key("orders.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: ChargeKind = Field(sa_column=Column(String(16), nullable=False))
    amount: Decimal = Field(sa_column=Column(AMOUNT, nullable=False))
    description: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))


class Payment(SQLModel, table=True):
    """Money received against an order, in the order's currency, recorded by finance."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("order_id", "reference"),
        CheckConstraint("amount > 0", name="amount_positive"),
        # The staff payments list by received date and by amount (admin_queries/orders.py).
        Index(None, "received_at", "id"),
        Index(None, "amount", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_id: int = Field(
        sa_column=Column(BigId, foreign_key("orders.id"), nullable=False, index=True)
    )
    amount: Decimal = Field(sa_column=Column(AMOUNT, nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    # The bank's or the payment provider's reference; recording it twice is refused.
    reference: str = Field(sa_column=Column(String(120), nullable=False))
    received_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    recorded_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("users.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
