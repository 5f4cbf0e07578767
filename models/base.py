"""Shared metadata for every table: the constraint naming convention and portable column types."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Dialect, ForeignKey, Integer, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

# Stable, predictable names let Alembic alter and drop constraints on every dialect,
# including SQLite's batch mode, which has to recreate tables by constraint name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata

# 64-bit ids on PostgreSQL; on SQLite only INTEGER PRIMARY KEY autoincrements (and is 64-bit).
BigId = BigInteger().with_variant(Integer(), "sqlite")

# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive moment is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Moment(TypeDecorator[datetime]):
    """A point in time: stored in UTC, always read back as an aware UTC datetime.

    PostgreSQL stores `timestamptz` and asyncpg returns it aware. SQLite stores text without
    an offset, read back naive, and writes an aware value as its wall-clock time, dropping the
    offset; converting to UTC on the way in and marking UTC on the way out makes both
    dialects agree, so no caller has to care which one it runs on.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def json_column(*, nullable: bool = False, default: Any = None) -> Column[Any]:
    return Column(JSONDocument, nullable=nullable, default=default)


def created_at_column() -> Column[datetime]:
    return Column(Moment(), nullable=False, server_default=func.now())


def updated_at_column() -> Column[datetime]:
    return Column(Moment(), nullable=False, server_default=func.now(), onupdate=func.now())


def one_of(column: str, values: type[StrEnum]) -> str:
    """The CHECK condition that `column` holds one of the enum's values."""
    return f"{column} IN ({', '.join(repr(value.value) for value in values)})"


def foreign_key(target: str, *, ondelete: str = "RESTRICT") -> ForeignKey:
    """A reference to `target` ("table.column"); RESTRICT unless the caller says otherwise."""
    return ForeignKey(target, ondelete=ondelete)
