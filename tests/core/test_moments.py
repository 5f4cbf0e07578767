"""Stored moments mean the same instant on PostgreSQL and SQLite, and compare as time on both,
whoever wrote them: the application or the database's own default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import cast

from sqlalchemy import ColumnElement, select, text
from sqlmodel import col

from core.db import Database
from core.dialect import timestamp_key, timestamp_value
from models.audit import AuditEntry

MUMBAI = timezone(timedelta(hours=5, minutes=30))


async def _add(db: Database, created_at: datetime | None) -> int:
    async with db.transaction() as session:
        entry = AuditEntry(action="moment.test", created_at=created_at)
        session.add(entry)
        await session.flush()
        assert entry.id is not None
        return entry.id


async def _read(db: Database, pk: int) -> datetime:
    async with db.session() as session:
        entry = await session.get(AuditEntry, pk, populate_existing=True)
    assert entry is not None
    assert entry.created_at is not None
    return entry.created_at


async def test_a_moment_with_an_offset_is_stored_as_that_instant_and_read_back_in_utc(
    any_db: Database,
) -> None:
    # given a moment written in Mumbai's offset
    pk = await _add(any_db, datetime(2026, 3, 10, 9, 0, tzinfo=MUMBAI))
    # when it is read back
    found = await _read(any_db, pk)
    # then it is the same instant, aware and in UTC, not Mumbai's wall clock taken as UTC
    assert found == datetime(2026, 3, 10, 3, 30, tzinfo=UTC)
    assert found.utcoffset() == timedelta(0)
    # and the database holds it as UTC too, so SQL comparisons see the same instant
    async with any_db.session() as session:
        stored = await session.scalar(
            text("SELECT created_at FROM audit_entries WHERE id = :pk"), {"pk": pk}
        )
    if isinstance(stored, str):  # SQLite keeps text
        assert stored.startswith("2026-03-10 03:30:00")
    else:
        assert stored == found


async def test_a_naive_moment_is_taken_to_be_utc(any_db: Database) -> None:
    pk = await _add(any_db, datetime(2026, 3, 10, 9, 0))
    assert await _read(any_db, pk) == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


async def test_a_moment_the_database_wrote_compares_as_time_with_one_the_application_gives(
    any_db: Database,
) -> None:
    # given a row stamped by the database's own default (SQLite writes it without a fraction)
    pk = await _add(any_db, None)
    stamped = await _read(any_db, pk)
    assert stamped.tzinfo is not None
    key = timestamp_key(cast(ColumnElement[datetime], col(AuditEntry.created_at)))
    async with any_db.session() as session:
        # when it is compared with that same moment, and with one a second later
        at_or_after = [
            list(
                await session.scalars(
                    select(col(AuditEntry.id)).where(
                        col(AuditEntry.id) == pk, key >= timestamp_value(moment)
                    )
                )
            )
            for moment in (stamped, stamped + timedelta(seconds=1))
        ]
    # then it is at the moment it was stamped, not before it, and not a second later
    assert at_or_after == [[pk], []]
