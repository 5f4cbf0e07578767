"""An API key's own budget of query-cost points.

- `api_keys.budget_size`, `api_keys.budget_restore_rate`: set by `tradeql api-keys create
  --budget SIZE[/RATE]`; null takes the key's role's budget from the policy table. Existing
  keys keep their role's.

Revision ID: 0034
Revises: 0031
Create Date: 2026-12-06 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("budget_size", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("budget_restore_rate", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_api_keys_budget_size_positive"), "budget_size IS NULL OR budget_size > 0"
        )
        batch.create_check_constraint(
            op.f("ck_api_keys_budget_restore_rate_positive"),
            "budget_restore_rate IS NULL OR budget_restore_rate > 0",
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint(op.f("ck_api_keys_budget_restore_rate_positive"), type_="check")
        batch.drop_constraint(op.f("ck_api_keys_budget_size_positive"), type_="check")
        batch.drop_column("budget_restore_rate")
        batch.drop_column("budget_size")
