"""When each receivable was settled, so the aging of any past day reads only what was owed then.

- `receivables.settled_at`: the moment of the entry that brought the balance to zero or
  below; null while something is owed. A balance only falls after its invoice, so a
  receivable is owed from its `created_at` until then. Existing rows with nothing owed take
  their latest entry's moment (never before their own creation).
- `ix_receivables_owed_between` (PostgreSQL): a GiST index on that interval, so the
  receivables owed when a day ended are the ranges holding that moment.
- `ix_ledger_entries_receivable_id_created_at`: a receivable's entries until a moment, with
  their amounts on PostgreSQL, sum from the index alone. It replaces the index on
  `receivable_id` alone (its leading column serves the same lookups) and
  `ix_ledger_entries_created_at`, which the aging read before and nothing reads now.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 19:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As models.ledger.OWED_BETWEEN (copied: a revision never imports changing code).
OWED_BETWEEN = "tstzrange(created_at, settled_at, '(]'::text)"
# The latest entry's moment, or the receivable's creation if later (an interval never ends
# before it starts): `greatest` on PostgreSQL (which skips a null), `max` on SQLite.
SETTLED_ON_POSTGRESQL = (
    "UPDATE receivables SET settled_at = greatest(created_at, (SELECT max(created_at) "
    "FROM ledger_entries WHERE ledger_entries.receivable_id = receivables.id)) "
    "WHERE balance <= 0"
)
SETTLED_ON_SQLITE = (
    "UPDATE receivables SET settled_at = max(created_at, coalesce((SELECT max(created_at) "
    "FROM ledger_entries WHERE ledger_entries.receivable_id = receivables.id), created_at)) "
    "WHERE balance <= 0"
)


def _on_postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    # Plain ALTER TABLE on both dialects: a batch would rebuild the table on SQLite, which
    # cannot reflect its index on an expression (`ix_receivables_due_key_id`) to rebuild it.
    op.add_column("receivables", sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(SETTLED_ON_POSTGRESQL if _on_postgresql() else SETTLED_ON_SQLITE)
    op.create_index(
        op.f("ix_ledger_entries_receivable_id_created_at"),
        "ledger_entries",
        ["receivable_id", "created_at"],
        postgresql_include=["amount"],
    )
    op.drop_index(op.f("ix_ledger_entries_receivable_id"), table_name="ledger_entries")
    op.drop_index(op.f("ix_ledger_entries_created_at"), table_name="ledger_entries")
    if _on_postgresql():
        op.create_index(
            "ix_receivables_owed_between",
            "receivables",
            [sa.text(OWED_BETWEEN)],
            postgresql_using="gist",
        )


def downgrade() -> None:
    if _on_postgresql():
        op.drop_index("ix_receivables_owed_between", table_name="receivables")
    op.create_index(op.f("ix_ledger_entries_created_at"), "ledger_entries", ["created_at"])
    op.create_index(op.f("ix_ledger_entries_receivable_id"), "ledger_entries", ["receivable_id"])
    op.drop_index(op.f("ix_ledger_entries_receivable_id_created_at"), table_name="ledger_entries")
    op.drop_column("receivables", "settled_at")
