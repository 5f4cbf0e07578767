"""Registered operations: documents anonymous callers and storefront keys may be held to.

- `registered_operations`: one row per registered document, by the SHA-256 of its text
  (unique) and of its canonical print (indexed), with its operation names, the client it was
  registered for, who registered it and when.

Revision ID: 0033
Revises: 0031
Create Date: 2026-12-06 22:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As models.base.BigId (copied: a revision never imports changing code).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "registered_operations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("sha256_hash", sa.String(length=64), nullable=False),
        sa.Column("canonical_hash", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("operation_names", sa.Text(), nullable=False),
        sa.Column("client_name", sa.String(length=120), nullable=True),
        sa.Column("registered_by", sa.String(length=120), nullable=False),
        sa.Column(
            "registered_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_operations")),
        sa.UniqueConstraint("sha256_hash", name=op.f("uq_registered_operations_sha256_hash")),
    )
    op.create_index(
        op.f("ix_registered_operations_canonical_hash"),
        "registered_operations",
        ["canonical_hash"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_registered_operations_canonical_hash"), table_name="registered_operations"
    )
    op.drop_table("registered_operations")
