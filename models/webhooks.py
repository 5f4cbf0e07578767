"""Webhooks to partners: endpoints, one delivery per (endpoint, event), and every attempt.

Secrets are stored only encrypted (see `core/crypto.py`). During a rotation the previous
secret is kept, with its expiry, so deliveries carry both signatures until partners switch.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from models.base import BigId, Moment, created_at_column, json_column


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        CheckConstraint("consecutive_failures >= 0", name="failures_not_negative"),
        CheckConstraint(
            "(active AND disabled_at IS NULL) OR (NOT active AND disabled_at IS NOT NULL)",
            name="disabled_when_inactive",
        ),
        CheckConstraint(
            "(previous_secret_ciphertext IS NULL) = (previous_secret_expires_at IS NULL)",
            name="previous_secret_has_expiry",
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    # Shown to operators and partners; also binds the secret's ciphertext to this row.
    public_id: str = Field(sa_column=Column(String(36), nullable=False, unique=True))
    url: str = Field(sa_column=Column(String(2000), nullable=False))
    event_types: list[str] = Field(default_factory=list, sa_column=json_column(default=list))
    secret_ciphertext: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    previous_secret_ciphertext: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    previous_secret_expires_at: datetime | None = Field(
        default=None, sa_column=Column(Moment(), nullable=True)
    )
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, default=True))
    consecutive_failures: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, default=0)
    )
    paused_until: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    disabled_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))


class WebhookDelivery(SQLModel, table=True):
    """One event owed to one endpoint; its `webhook.deliver` outbox event carries the retries."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        CheckConstraint("state IN ('pending', 'delivered', 'failed')", name="state_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint(
            "(state = 'delivered') = (delivered_at IS NOT NULL)", name="delivered_at_when_delivered"
        ),
        # Pruning old outbox events cascades here; without an index that is a full scan.
        Index(None, "event_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    endpoint_id: int = Field(
        sa_column=Column(
            BigId, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False
        )
    )
    event_id: int = Field(
        sa_column=Column(BigId, ForeignKey("outbox_events.id", ondelete="CASCADE"), nullable=False)
    )
    state: DeliveryState = Field(
        default=DeliveryState.PENDING,
        sa_column=Column(String(16), nullable=False, default=DeliveryState.PENDING),
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    delivered_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))


class WebhookAttempt(SQLModel, table=True):
    """One HTTP try of a delivery, kept so operators and partners can see what happened."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        CheckConstraint("duration_ms >= 0", name="duration_not_negative"),
        CheckConstraint(
            "response_status IS NULL OR response_status BETWEEN 100 AND 599",
            name="response_status_http",
        ),
        CheckConstraint(
            "NOT success OR response_status BETWEEN 200 AND 299", name="success_is_2xx"
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    delivery_id: int = Field(
        sa_column=Column(
            BigId,
            ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    attempted_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    duration_ms: int = Field(sa_column=Column(Integer, nullable=False))
    response_status: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    success: bool = Field(sa_column=Column(Boolean, nullable=False))
