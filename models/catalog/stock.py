"""The stock ledger: every change of a variant's stock on hand or reserved, append-only.

One row per change, written in the transaction that changes the variant, so the ledger and
the variant never disagree: receiving goods, a count's adjustment, an order reserving or
releasing stock, a shipment taking it out. Each row says who, when, why, by how much, and what
the stock was after (before is after minus the change), and points at the order, shipment or
adjustment behind it. Rows are never updated or deleted.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, String
from sqlmodel import Field, SQLModel

from models.base import BigId, created_at_column, foreign_key, one_of


class StockMovementKind(StrEnum):
    RECEIVED = "received"  # goods came in
    ADJUSTED = "adjusted"  # a count found more or less than the books (with a reason)
    RESERVED = "reserved"  # an order was placed
    RELEASED = "released"  # an order was cancelled before shipping
    SHIPPED = "shipped"  # goods left: on hand and reserved both go down


class StockMovement(SQLModel, table=True):
    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(one_of("kind", StockMovementKind), name="kind_known"),
        CheckConstraint("on_hand_after >= 0", name="on_hand_after_not_negative"),
        CheckConstraint("reserved_after >= 0", name="reserved_after_not_negative"),
        CheckConstraint("reserved_after <= on_hand_after", name="reserved_within_on_hand"),
        CheckConstraint("on_hand_change <> 0 OR reserved_change <> 0", name="changes_something"),
        # A variant's movements, newest first.
        Index(None, "variant_id", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    variant_id: int = Field(
        sa_column=Column(Integer, foreign_key("variants.id", ondelete="CASCADE"), nullable=False)
    )
    kind: StockMovementKind = Field(sa_column=Column(String(16), nullable=False))
    on_hand_change: int = Field(sa_column=Column(BigInteger, nullable=False))
    reserved_change: int = Field(sa_column=Column(BigInteger, nullable=False))
    on_hand_after: int = Field(sa_column=Column(BigInteger, nullable=False))
    reserved_after: int = Field(sa_column=Column(BigInteger, nullable=False))
    reason: str = Field(default="", sa_column=Column(String(500), nullable=False, default=""))
    # What caused it: at most one of these is set (an adjustment or a receipt has neither).
    order_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("orders.id", ondelete="RESTRICT"), nullable=True),
    )
    shipment_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("shipments.id", ondelete="RESTRICT"), nullable=True),
    )
    # Who: a user or an API key; neither for the system's own work (a handler, a command).
    actor_user_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    actor_api_key_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    request_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
