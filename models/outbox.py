"""The transactional outbox: events written with the change that caused them, run later.

An event row commits or rolls back with its cause, so nothing is announced that did not
happen and nothing that happened goes unannounced. `outbox_effects` records each handler's
side effect under a unique key, so a redelivered event changes nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlmodel import Field, SQLModel

from models.base import BigId, Moment, created_at_column, json_column


class EventState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_events"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'done', 'dead')", name="state_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # Workers claim due events in this order; done events leave the index's hot range.
        Index(None, "state", "available_at", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    event_type: str = Field(sa_column=Column(String(100), nullable=False))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(default=dict))
    idempotency_key: str | None = Field(
        default=None, sa_column=Column(String(200), nullable=True, unique=True)
    )
    state: EventState = Field(
        default=EventState.PENDING,
        sa_column=Column(String(16), nullable=False, default=EventState.PENDING),
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    available_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    lease_owner: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    lease_expires_at: datetime | None = Field(
        default=None, sa_column=Column(Moment(), nullable=True)
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    processed_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))


class OutboxEffect(SQLModel, table=True):
    """Proof that `handler` has done its work for `event_id`; the primary key makes it once."""

    __tablename__ = "outbox_effects"

    event_id: int = Field(
        sa_column=Column(
            BigId,
            ForeignKey("outbox_events.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    handler: str = Field(sa_column=Column(String(100), primary_key=True))
    recorded_at: datetime | None = Field(default=None, sa_column=created_at_column())
