"""The staff users list: when each user last signed in, and the indexes its orders and search use.

- `users.last_signed_in_at`: set at each sign-in that issues a session; null until then.
- `ix_users_full_name_id`, `ix_users_email_id`: the list by name and by email, a keyset range.
- `ix_users_last_signed_in_key_id` (PostgreSQL only): the list by last sign-in, newest first,
  on the key coalesced to 1970-01-01 so that users who never signed in have one and sort last.
- `ix_users_full_name_lower_prefix`, `ix_users_email_prefix` (PostgreSQL only): the search, a
  case-insensitive prefix of the name or of the email (stored case-folded). `text_pattern_ops`
  lets `LIKE 'prefix%'` use them whatever the collation; SQLite scans its few users.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LAST_SIGNED_IN_KEY = (
    "COALESCE(last_signed_in_at, '1970-01-01 00:00:00+00'::timestamp with time zone)"
)


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("last_signed_in_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(op.f("ix_users_full_name_id"), "users", ["full_name", "id"])
    op.create_index(op.f("ix_users_email_id"), "users", ["email", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_users_last_signed_in_key_id",
            "users",
            [sa.literal_column(LAST_SIGNED_IN_KEY), "id"],
        )
        op.create_index(
            "ix_users_full_name_lower_prefix",
            "users",
            [sa.literal_column("lower(full_name) text_pattern_ops")],
        )
        op.create_index(
            "ix_users_email_prefix", "users", [sa.literal_column("email text_pattern_ops")]
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_users_email_prefix", table_name="users")
        op.drop_index("ix_users_full_name_lower_prefix", table_name="users")
        op.drop_index("ix_users_last_signed_in_key_id", table_name="users")
    op.drop_index(op.f("ix_users_email_id"), table_name="users")
    op.drop_index(op.f("ix_users_full_name_id"), table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_signed_in_at")
