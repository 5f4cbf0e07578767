"""The audit log: one row per privileged change or login attempt, in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from models.base import BigId, created_at_column, json_column


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index(None, "created_at", "id"),
        Index(None, "target_type", "target_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    # Who: a user, an API key, or the command line ("cli"); null ids for anonymous attempts.
    actor_user_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    actor_api_key_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    actor_label: str = Field(default="", sa_column=Column(String(320), nullable=False, default=""))
    action: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    target_type: str = Field(default="", sa_column=Column(String(64), nullable=False, default=""))
    target_id: str = Field(default="", sa_column=Column(String(64), nullable=False, default=""))
    # {"field": [before, after]} for changed fields; never a secret.
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(default=dict))
    request_id: str = Field(default="", sa_column=Column(String(64), nullable=False, default=""))
    client_ip: str = Field(default="", sa_column=Column(String(64), nullable=False, default=""))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
