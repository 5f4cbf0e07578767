"""Sales and margin reports: cost snapshots on order lines, monthly sales rollups.

- `order_lines.unit_cost`, `order_lines.cost_currency`: the variant's cost when the line is
  written. Existing lines stay null ("without cost"): today's cost is not yesterday's.
- `sales_months`: per month, reporting currency, dimension (total, country, client, product)
  and key, the orders counted, quantity and amount, and for products the margin parts.
- `sales_unconverted_months`: orders whose currency had no rate into a reporting currency
  when they were placed, in their own currency.
- `order_sales_marks`: whether an order is in the rollups now.

The rollups start empty: `tradeql reports rebuild` fills them from the orders already placed
(docs/api/reports.md), after which the outbox keeps them current.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 18:50:00.000000
"""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUP_AMOUNT = sa.Numeric(20, 4)


@contextmanager
def _order_lines_batch() -> Iterator[BatchOperations]:
    """SQLite rebuilds order_lines, reflecting the tables it refers to; SQLAlchemy warns that
    it skips variants' index on lower(sku), which the copy of order_lines does not touch."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table("order_lines") as batch:
            yield batch


def upgrade() -> None:
    with _order_lines_batch() as batch:
        batch.add_column(sa.Column("unit_cost", sa.Numeric(14, 4), nullable=True))
        batch.add_column(sa.Column("cost_currency", sa.String(3), nullable=True))
        batch.create_check_constraint(
            op.f("ck_order_lines_unit_cost_not_negative"), "unit_cost >= 0"
        )
        batch.create_check_constraint(
            op.f("ck_order_lines_unit_cost_has_currency"),
            "(unit_cost IS NULL) = (cost_currency IS NULL)",
        )
    op.create_table(
        "sales_months",
        sa.Column("reporting_currency", sa.String(3), nullable=False),
        sa.Column("dimension", sa.String(8), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("order_count", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("amount", ROLLUP_AMOUNT, nullable=False),
        sa.Column("costed_amount", ROLLUP_AMOUNT, nullable=False),
        sa.Column("cost_amount", ROLLUP_AMOUNT, nullable=False),
        sa.Column("uncosted_amount", ROLLUP_AMOUNT, nullable=False),
        sa.Column("uncosted_lines", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "dimension IN ('total', 'country', 'client', 'product')",
            name=op.f("ck_sales_months_dimension_known"),
        ),
        sa.PrimaryKeyConstraint(
            "reporting_currency", "dimension", "month", "key", name=op.f("pk_sales_months")
        ),
    )
    op.create_table(
        "sales_unconverted_months",
        sa.Column("reporting_currency", sa.String(3), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("order_currency", sa.String(3), nullable=False),
        sa.Column("order_count", sa.BigInteger(), nullable=False),
        sa.Column("amount", ROLLUP_AMOUNT, nullable=False),
        sa.PrimaryKeyConstraint(
            "reporting_currency",
            "month",
            "order_currency",
            name=op.f("pk_sales_unconverted_months"),
        ),
    )
    op.create_table(
        "order_sales_marks",
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_sales_marks_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_sales_marks")),
    )


def downgrade() -> None:
    op.drop_table("order_sales_marks")
    op.drop_table("sales_unconverted_months")
    op.drop_table("sales_months")
    with _order_lines_batch() as batch:
        batch.drop_constraint(op.f("ck_order_lines_unit_cost_has_currency"), type_="check")
        batch.drop_constraint(op.f("ck_order_lines_unit_cost_not_negative"), type_="check")
        batch.drop_column("cost_currency")
        batch.drop_column("unit_cost")
