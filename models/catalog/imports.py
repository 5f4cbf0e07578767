"""A catalog file being imported in the background: its file, status and progress.

`importCatalog` stores the file and queues the job; a worker on any host applies it batch by
batch (jobs/catalog.py) and records its progress here after each batch, so staff can
watch it and a worker that dies leaves the count where the next one resumes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Integer, String
from sqlmodel import Field, SQLModel

from models.base import BigId, Moment, created_at_column, foreign_key, json_column, one_of

# Errors kept per import; the counts say how many rows failed in all.
MAX_REPORTED_ERRORS = 1_000


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # every record applied or refused (see `failed` and `errors`)
    FAILED = "failed"  # the file could not be read at all


class CatalogImport(SQLModel, table=True):
    __tablename__ = "catalog_imports"
    __table_args__ = (
        CheckConstraint(one_of("status", ImportStatus), name="status_known"),
        CheckConstraint("records_done <= records_total", name="done_within_total"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    file_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("stored_files.id", ondelete="SET NULL"), nullable=True),
    )
    filename: str = Field(sa_column=Column(String(200), nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    status: ImportStatus = Field(
        default=ImportStatus.QUEUED,
        sa_column=Column(String(16), nullable=False, default=ImportStatus.QUEUED),
    )
    records_total: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    # Records the job has been through (applied or refused): where a resumed job goes on.
    records_done: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    created: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    updated: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    unchanged: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    failed: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    errors: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column(default=list))
    requested_by_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )
    requested_by_api_key_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    started_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
