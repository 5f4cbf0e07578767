"""Inquiry sources, lost-reason codes and the first quote's moment, for the inquiry funnel.

- `inquiries.source`: who put the inquiry in. Existing rows: a lead's -> storefront_guest;
  submitted by a staff user (any role but client and storefront) -> staff; else client_user.
- `inquiries.lost_reason_code`: why a lost inquiry was lost, as a code beside the free text.
  Existing lost rows -> 'other' (their text stays); a CHECK then requires a code exactly when
  the status is lost.
- `inquiries.first_quoted_at`: when the first quote was sent; existing rows take their
  earliest quote's `created_at`.
- `ix_inquiries_created_at_funnel`: the funnel reads a range of submission moments; on
  PostgreSQL the index carries the columns it groups and counts, so the index alone answers.
- `ix_ledger_entries_created_at`: receivables aging on a past day subtracts the entries
  posted after it, a range of this index.
- `ix_receivables_owed`: receivables aging today reads only the receivables still owed, a
  partial index holding what it groups and sums.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCES = ("storefront_guest", "client_user", "staff")
LOST_REASON_CODES = (
    "price",
    "lead_time",
    "moq",
    "specification",
    "competitor",
    "no_response",
    "cancelled_by_buyer",
    "other",
)
FUNNEL_INCLUDES = ["status", "source", "assigned_to_user_id", "first_quoted_at"]


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    with op.batch_alter_table("inquiries") as batch:
        batch.add_column(sa.Column("lost_reason_code", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("source", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("first_quoted_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE inquiries SET source = CASE "
        "WHEN lead_id IS NOT NULL THEN 'storefront_guest' "
        "WHEN EXISTS (SELECT 1 FROM users WHERE users.id = inquiries.submitted_by_user_id "
        "AND users.role NOT IN ('client', 'storefront')) THEN 'staff' "
        "ELSE 'client_user' END"
    )
    op.execute("UPDATE inquiries SET lost_reason_code = 'other' WHERE status = 'lost'")
    op.execute(
        "UPDATE inquiries SET first_quoted_at = (SELECT min(quotes.created_at) FROM quotes "
        "WHERE quotes.inquiry_id = inquiries.id)"
    )
    with op.batch_alter_table("inquiries") as batch:
        batch.alter_column("source", existing_type=sa.String(length=16), nullable=False)
        batch.create_check_constraint(op.f("ck_inquiries_source_known"), _one_of("source", SOURCES))
        batch.create_check_constraint(
            op.f("ck_inquiries_lost_reason_code_known"),
            _one_of("lost_reason_code", LOST_REASON_CODES),
        )
        batch.create_check_constraint(
            op.f("ck_inquiries_lost_has_reason_code"),
            "(status = 'lost') = (lost_reason_code IS NOT NULL)",
        )
    op.create_index(
        "ix_inquiries_created_at_funnel",
        "inquiries",
        ["created_at"],
        postgresql_include=FUNNEL_INCLUDES,
    )
    op.create_index(op.f("ix_ledger_entries_created_at"), "ledger_entries", ["created_at"])
    op.create_index(
        "ix_receivables_owed",
        "receivables",
        ["client_company_id", "currency", "due_date", "balance"],
        postgresql_where=sa.text("balance > 0"),
        sqlite_where=sa.text("balance > 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_receivables_owed", table_name="receivables")
    op.drop_index(op.f("ix_ledger_entries_created_at"), table_name="ledger_entries")
    op.drop_index("ix_inquiries_created_at_funnel", table_name="inquiries")
    with op.batch_alter_table("inquiries") as batch:
        batch.drop_constraint(op.f("ck_inquiries_lost_has_reason_code"), type_="check")
        batch.drop_constraint(op.f("ck_inquiries_lost_reason_code_known"), type_="check")
        batch.drop_constraint(op.f("ck_inquiries_source_known"), type_="check")
        batch.drop_column("first_quoted_at")
        batch.drop_column("source")
        batch.drop_column("lost_reason_code")
