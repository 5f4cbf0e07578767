"""Planner statistics: a finer sample of spec values, so plans do not swing between analyses.

`product_spec_values` holds every product's values of every attribute in three columns, so
the default sample (300 rows per unit of `default_statistics_target`, 100) catches few rows of
any one attribute. Estimates for "gsm between 200 and 240" then varied twentyfold from one
ANALYZE to the next, and with them the plan: sometimes a scan of all products. Ten times the
sample, for these columns and the (attribute_key, value) statistics of 0011, steadies them
at the cost of a slower ANALYZE of this one table. PostgreSQL only.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 21:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "product_spec_values"
COLUMNS = ("attribute_key", "value_text", "value_number")
EXTENDED = ("value_text", "value_number")


def upgrade() -> None:
    _set_targets(1000)


def downgrade() -> None:
    _set_targets(-1)  # -1: back to default_statistics_target


def _set_targets(target: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STATISTICS {target}")
    for value in EXTENDED:
        op.execute(f"ALTER STATISTICS {TABLE}_attribute_key_{value} SET STATISTICS {target}")
