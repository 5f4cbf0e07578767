"""Registered operations: the documents a storefront or partner declared ahead of time.

`tradeql operations register FILE` stores each operation here, by the SHA-256 of its text (the
hash Apollo clients send in `extensions.persistedQuery`). With `ANONYMOUS_OPERATIONS=registered`
anonymous callers and storefront keys may run only these. `canonical_hash` is the hash of the
document as graphql-core prints it, so a client sending the same operation laid out
differently (whitespace, comments) is still recognised.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from models.base import BigId, created_at_column

SHA256_HEX_LENGTH = 64
MAX_CLIENT_NAME_LENGTH = 120


class RegisteredOperation(SQLModel, table=True):
    __tablename__ = "registered_operations"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    # Lower-case hex SHA-256 of `document`, exactly as stored.
    sha256_hash: str = Field(
        sa_column=Column(String(SHA256_HEX_LENGTH), nullable=False, unique=True)
    )
    canonical_hash: str = Field(
        sa_column=Column(String(SHA256_HEX_LENGTH), nullable=False, index=True)
    )
    document: str = Field(sa_column=Column(Text, nullable=False))
    # The names of the document's operations, comma-separated ("" for an anonymous one).
    operation_names: str = Field(sa_column=Column(Text, nullable=False))
    client_name: str | None = Field(
        default=None, sa_column=Column(String(MAX_CLIENT_NAME_LENGTH), nullable=True)
    )
    # Who ran the command: "cli:<system user>".
    registered_by: str = Field(sa_column=Column(String(MAX_CLIENT_NAME_LENGTH), nullable=False))
    registered_at: datetime | None = Field(default=None, sa_column=created_at_column())
