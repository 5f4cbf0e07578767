"""Stored files: imports waiting for a worker, exports waiting for a download.

- `stored_files`: one row per file (purpose, sanitised name, type, size, SHA-256, who stored
  it, the client company that owns it if any, when it expires). `sqlite_autoincrement`, so
  SQLite never gives a deleted file's id to a new one: download links name files by id.
- `stored_file_parts`: the bytes, in order, at most 1 MiB a part, deleted with their file.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("part_count", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_by_user_id", BIG_ID, nullable=True),
        sa.Column("stored_by_api_key_id", BIG_ID, nullable=True),
        sa.Column("owner_company_id", BIG_ID, nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('catalog_import', 'catalog_export')",
            name=op.f("ck_stored_files_purpose_known"),
        ),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_stored_files_size_not_negative")),
        sa.CheckConstraint("part_count >= 0", name=op.f("ck_stored_files_part_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["stored_by_user_id"],
            ["users.id"],
            name=op.f("fk_stored_files_stored_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stored_by_api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_stored_files_stored_by_api_key_id_api_keys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_company_id"],
            ["client_companies.id"],
            name=op.f("fk_stored_files_owner_company_id_client_companies"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_stored_files_owner_company_id"), "stored_files", ["owner_company_id"])
    op.create_index(op.f("ix_stored_files_expires_at"), "stored_files", ["expires_at"])
    op.create_table(
        "stored_file_parts",
        sa.Column("file_id", BIG_ID, nullable=False),
        sa.Column("part_number", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "part_number >= 0", name=op.f("ck_stored_file_parts_part_number_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_files.id"],
            name=op.f("fk_stored_file_parts_file_id_stored_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", "part_number", name=op.f("pk_stored_file_parts")),
    )


def downgrade() -> None:
    op.drop_table("stored_file_parts")
    op.drop_index(op.f("ix_stored_files_expires_at"), table_name="stored_files")
    op.drop_index(op.f("ix_stored_files_owner_company_id"), table_name="stored_files")
    op.drop_table("stored_files")
