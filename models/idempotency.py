"""The idempotency store: one row per (caller, operation, key), naming what the first call made.

A create mutation that takes an `idempotencyKey` claims its row in the same transaction that
creates the record, so a retry after a lost answer, or a concurrent duplicate, finds the first
call's result instead of making a second record. The key is scoped to its caller (the client
company for client users, the user for staff, the key for API keys) and to the operation; the
request's fingerprint tells a true retry from a reuse of the key for another input.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import BigId, created_at_column

MAX_IDEMPOTENCY_KEY_LENGTH = 100


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "operation", "key"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    # "company:7", "user:12" or "api_key:3": who may replay it.
    scope: str = Field(sa_column=Column(String(40), nullable=False))
    operation: str = Field(sa_column=Column(String(64), nullable=False))
    key: str = Field(sa_column=Column(String(MAX_IDEMPOTENCY_KEY_LENGTH), nullable=False))
    request_hash: str = Field(sa_column=Column(String(64), nullable=False))
    # What the first call made; set in the same transaction as the claim.
    result_type: str | None = Field(default=None, sa_column=Column(String(40), nullable=True))
    result_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
