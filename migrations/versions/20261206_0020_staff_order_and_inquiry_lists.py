"""Staff order and inquiry lists: indexes for their sorts and filters.

- `ix_orders_created_at_id`, `ix_orders_total_id`: the staff order list by placed date and by
  total over every status, a keyset range instead of a sort of every order (the existing
  `(status, created_at, id)` serves the status sort and the status filter).
- `ix_orders_payment_status_created_at_id`: the payment-status filter, newest first.
- `ix_inquiries_created_at_id`: the staff inquiry list by age over every status.
- `ix_quotes_status_valid_until_inquiry_id`: inquiries with an open quote expiring before a day.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 17:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("orders", ("created_at", "id")),
    ("orders", ("total", "id")),
    ("orders", ("payment_status", "created_at", "id")),
    ("inquiries", ("created_at", "id")),
    ("quotes", ("status", "valid_until", "inquiry_id")),
)


def _name(table: str, columns: Sequence[str]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    for table, columns in INDEXES:
        op.create_index(op.f(_name(table, columns)), table, list(columns))


def downgrade() -> None:
    for table, columns in reversed(INDEXES):
        op.drop_index(op.f(_name(table, columns)), table_name=table)
