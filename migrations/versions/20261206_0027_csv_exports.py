"""CSV exports: a query written as CSV in the background, and its stored file.

- `csv_exports`: the document, variables and operation to run again as the caller, who asked
  (a user or an API key), the status, rows written, the file or the error.
- `stored_files.purpose` admits `csv_export`: files only whoever asked for them may read.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 18:47:53.908629
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PURPOSES_BEFORE = "purpose IN ('catalog_import', 'catalog_export')"
PURPOSES_AFTER = "purpose IN ('catalog_import', 'catalog_export', 'csv_export')"


def _purposes(condition: str) -> None:
    with op.batch_alter_table("stored_files") as batch:
        batch.drop_constraint(op.f("ck_stored_files_purpose_known"), type_="check")
        batch.create_check_constraint(op.f("ck_stored_files_purpose_known"), condition)


def upgrade() -> None:
    _purposes(PURPOSES_AFTER)
    op.create_table(
        "csv_exports",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column(
            "variables",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("operation_name", sa.String(length=100), nullable=True),
        sa.Column("requested_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("requested_by_api_key_id", sa.BigInteger(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("file_id", BIG_ID, nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_path", sa.String(length=300), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_csv_exports_status_known"),
        ),
        sa.CheckConstraint("row_count >= 0", name=op.f("ck_csv_exports_row_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_files.id"],
            name=op.f("fk_csv_exports_file_id_stored_files"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csv_exports")),
    )


def downgrade() -> None:
    op.drop_table("csv_exports")
    op.execute("DELETE FROM stored_files WHERE purpose = 'csv_export'")
    _purposes(PURPOSES_BEFORE)
