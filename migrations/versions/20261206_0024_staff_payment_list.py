"""Staff payments list: indexes for its sorts by received date and by amount.

- `ix_payments_received_at_id`, `ix_payments_amount_id`: a keyset range of the payments in
  either order, instead of a sort of every payment ever recorded.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 17:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("payments", ("received_at", "id")),
    ("payments", ("amount", "id")),
)


def _name(table: str, columns: Sequence[str]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    for table, columns in INDEXES:
        op.create_index(op.f(_name(table, columns)), table, list(columns))


def downgrade() -> None:
    for table, columns in reversed(INDEXES):
        op.drop_index(op.f(_name(table, columns)), table_name=table)
