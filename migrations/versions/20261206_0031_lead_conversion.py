"""What a lead became: the client company sales converted it into, and when.

- `leads.converted_company_id`: the client company made from the lead (or the one it was
  converted into before), so a later guest inquiry from the same address converts into that
  company instead of a second one. Null for a lead never converted (every existing lead).
- `leads.converted_at`: when it was first converted; set exactly when the company is.

Revision ID: 0031
Revises: 0028
Create Date: 2026-12-06 21:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As models.base.BigId (copied: a revision never imports changing code).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # A batch: SQLite adds a column with a foreign key only by rebuilding the (small) table.
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("converted_company_id", BIG_ID, nullable=True))
        batch.add_column(sa.Column("converted_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_leads_converted_company_id_client_companies"),
            "client_companies",
            ["converted_company_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_check_constraint(
            op.f("ck_leads_converted_with_moment"),
            "(converted_company_id IS NULL) = (converted_at IS NULL)",
        )
        batch.create_index(
            op.f("ix_leads_converted_company_id"), ["converted_company_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_index(op.f("ix_leads_converted_company_id"))
        batch.drop_constraint(op.f("ck_leads_converted_with_moment"), type_="check")
        batch.drop_constraint(
            op.f("fk_leads_converted_company_id_client_companies"), type_="foreignkey"
        )
        batch.drop_column("converted_at")
        batch.drop_column("converted_company_id")
