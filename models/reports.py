"""Monthly sales rollups, kept current by the outbox, that the sales and margin reports read.

One `sales_months` row per (month, reporting currency, dimension, key) holds the figures of
the orders placed that month (in REPORTING_TIMEZONE) that are not cancelled, converted into
the reporting currency at the rate in force when each order was placed. Orders whose
currency had no rate into it then are counted apart, in their own currency, in
`sales_unconverted_months`. `order_sales_marks` records whether an order is counted now, so
applying an order twice, or its cancellation before its placement, changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Column, Date, Numeric, String
from sqlmodel import Field, SQLModel

from models.base import BigId, foreign_key, one_of

# Sums of many orders' amounts: wider than an order's own Numeric(18, 4).
ROLLUP_AMOUNT = Numeric(20, 4)


class SalesDimension(StrEnum):
    """What a `sales_months` row is keyed by; categories are product rows grouped on reading."""

    TOTAL = "total"
    COUNTRY = "country"
    CLIENT = "client"
    PRODUCT = "product"


class SalesMonth(SQLModel, table=True):
    """Sales of one month in one reporting currency, for one key of one dimension.

    `key` is '' for the total, the destination's ISO country code, the client company's id
    or the product's id. Product rows also carry the margin parts: revenue of the lines whose
    cost was snapshotted at placement (and that cost), and revenue and count of the lines
    without one.
    """

    __tablename__ = "sales_months"
    __table_args__ = (CheckConstraint(one_of("dimension", SalesDimension), name="dimension_known"),)

    # Key order: a report reads one currency's one dimension over a range of months.
    reporting_currency: str = Field(sa_column=Column(String(3), primary_key=True))
    dimension: SalesDimension = Field(sa_column=Column(String(8), primary_key=True))
    month: date = Field(sa_column=Column(Date, primary_key=True))
    key: str = Field(sa_column=Column(String(40), primary_key=True))
    order_count: int = Field(sa_column=Column(BigInteger, nullable=False))
    quantity: int = Field(sa_column=Column(BigInteger, nullable=False))
    amount: Decimal = Field(sa_column=Column(ROLLUP_AMOUNT, nullable=False))
    costed_amount: Decimal = Field(sa_column=Column(ROLLUP_AMOUNT, nullable=False))
    cost_amount: Decimal = Field(sa_column=Column(ROLLUP_AMOUNT, nullable=False))
    uncosted_amount: Decimal = Field(sa_column=Column(ROLLUP_AMOUNT, nullable=False))
    uncosted_lines: int = Field(sa_column=Column(BigInteger, nullable=False))


class SalesUnconvertedMonth(SQLModel, table=True):
    """Orders of one month in `order_currency` that had no rate into the reporting currency
    when they were placed: counted here, in their own currency, instead of being dropped."""

    __tablename__ = "sales_unconverted_months"

    reporting_currency: str = Field(sa_column=Column(String(3), primary_key=True))
    month: date = Field(sa_column=Column(Date, primary_key=True))
    order_currency: str = Field(sa_column=Column(String(3), primary_key=True))
    order_count: int = Field(sa_column=Column(BigInteger, nullable=False))
    amount: Decimal = Field(sa_column=Column(ROLLUP_AMOUNT, nullable=False))


class OrderSalesMark(SQLModel, table=True):
    """Whether an order's figures are in the rollups now; locked while they are changed."""

    __tablename__ = "order_sales_marks"

    order_id: int = Field(
        sa_column=Column(BigId, foreign_key("orders.id", ondelete="CASCADE"), primary_key=True)
    )
    counted: bool = Field(sa_column=Column(Boolean, nullable=False))
