"""Stored files: bytes kept in the database, where a worker on any host can read them.

A file is a row of `stored_files` (what it is, who stored it, its size and SHA-256) and its
bytes cut into `stored_file_parts` of at most `PART_BYTES` each, in order. Parts rather than
one bytea column: a file is written and read a part at a time, so neither storing nor serving
a large file holds it whole in memory, and no PostgreSQL value nears bytea's 1 GB ceiling.
`core/stored_files.py` is the one module that writes and reads them.

A CSV export (`csv_exports`) is a query a caller asked to have written as CSV in the
background: what to run, as whom, how far it got, and the stored file it produced.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Integer, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from models.base import BigId, Moment, created_at_column, foreign_key, json_column, one_of

# Large enough that a 100 MB file is a hundred round trips, small enough to stream.
PART_BYTES = 1024 * 1024
MAX_FILENAME_LENGTH = 200
MAX_CONTENT_TYPE_LENGTH = 100


class FilePurpose(StrEnum):
    """What a file is for; it decides which staff permission may download it."""

    CATALOG_IMPORT = "catalog_import"
    CATALOG_EXPORT = "catalog_export"
    CSV_EXPORT = "csv_export"  # read only by whoever asked for it


class StoredFile(SQLModel, table=True):
    __tablename__ = "stored_files"
    __table_args__ = (
        CheckConstraint(one_of("purpose", FilePurpose), name="purpose_known"),
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        CheckConstraint("part_count >= 0", name="part_count_not_negative"),
        # Ids are never reused on SQLite either: a download link names its file by id.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    purpose: FilePurpose = Field(sa_column=Column(String(32), nullable=False))
    # Sanitised on the way in (core/stored_files.py): no path, no control characters.
    filename: str = Field(sa_column=Column(String(MAX_FILENAME_LENGTH), nullable=False))
    content_type: str = Field(sa_column=Column(String(MAX_CONTENT_TYPE_LENGTH), nullable=False))
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    part_count: int = Field(sa_column=Column(Integer, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    # Who stored it: a user, an API key, or neither (the command line).
    stored_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("users.id", ondelete="SET NULL"), nullable=True),
    )
    stored_by_api_key_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("api_keys.id", ondelete="SET NULL"), nullable=True),
    )
    # The client company whose users may download it; null for files only staff read.
    owner_company_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("client_companies.id"), nullable=True, index=True),
    )
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    # Past this moment the file is gone for every reader, and `purge_expired` deletes it.
    expires_at: datetime | None = Field(
        default=None, sa_column=Column(Moment(), nullable=True, index=True)
    )


class StoredFilePart(SQLModel, table=True):
    __tablename__ = "stored_file_parts"
    __table_args__ = (CheckConstraint("part_number >= 0", name="part_number_not_negative"),)

    file_id: int = Field(
        sa_column=Column(
            BigId, foreign_key("stored_files.id", ondelete="CASCADE"), primary_key=True
        )
    )
    part_number: int = Field(sa_column=Column(Integer, primary_key=True))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CsvExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # every row written; `file_id` names the CSV
    FAILED = "failed"  # refused or stopped; `error_*` say why, and no file is kept


class CsvExport(SQLModel, table=True):
    __tablename__ = "csv_exports"
    __table_args__ = (
        CheckConstraint(one_of("status", CsvExportStatus), name="status_known"),
        CheckConstraint("row_count >= 0", name="row_count_not_negative"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    status: CsvExportStatus = Field(
        default=CsvExportStatus.QUEUED,
        sa_column=Column(String(16), nullable=False, default=CsvExportStatus.QUEUED),
    )
    # The GraphQL document, its variables and operation, run again page by page as the caller.
    query: str = Field(sa_column=Column(Text, nullable=False))
    variables: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(default=dict))
    operation_name: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    # Who asked, a user or an API key: the export runs as them, as they stand when it runs.
    requested_by_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )
    requested_by_api_key_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )
    row_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    file_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("stored_files.id", ondelete="SET NULL"), nullable=True),
    )
    error_code: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    error_message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    error_path: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    started_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
