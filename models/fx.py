"""Exchange rates, maintained by finance; each order keeps the rate it was placed at."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Numeric, String
from sqlmodel import Field, SQLModel

from models.base import BigId, Moment, created_at_column


class FxRate(SQLModel, table=True):
    """From `effective_at` on, one unit of `base_currency` is worth `rate` of `quote_currency`.

    Rows are never edited: a new rate is a new row, so an order's stored rate can always be
    traced to the row it came from and a report can be rerun as of any date.
    """

    __tablename__ = "fx_rates"
    __table_args__ = (
        # The lookup: the latest rate of a pair in force at a moment.
        Index(None, "base_currency", "quote_currency", "effective_at", unique=True),
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("base_currency <> quote_currency", name="distinct_currencies"),
        CheckConstraint("length(base_currency) = 3", name="base_currency_length"),
        CheckConstraint("length(quote_currency) = 3", name="quote_currency_length"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    base_currency: str = Field(sa_column=Column(String(3), nullable=False))
    quote_currency: str = Field(sa_column=Column(String(3), nullable=False))
    rate: Decimal = Field(sa_column=Column(Numeric(24, 10), nullable=False))
    effective_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    source: str = Field(default="", sa_column=Column(String(120), nullable=False, default=""))
    created_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
