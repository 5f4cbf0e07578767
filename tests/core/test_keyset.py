"""Keyset pages in any order: every row once and in order at any page size, also while rows
are inserted between pages; cursors of another order or altered by hand are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from core.db import Database
from core.errors import BadUserInput
from core.request_session import RequestSession
from models.outbox import OutboxEvent
from resolvers.keyset import KeyKind, KeysetOrder, SortKey, keyset_page

# Events make a handy table: a text column, an int, a moment, and a 64-bit id.
BY_TYPE_THEN_NEWEST = KeysetOrder(
    "test:type-newest",
    (
        SortKey(col(OutboxEvent.event_type), KeyKind.TEXT),
        SortKey(col(OutboxEvent.available_at), KeyKind.MOMENT, descending=True),
        SortKey(col(OutboxEvent.id), KeyKind.INT),
    ),
)
START = datetime(2026, 1, 1, tzinfo=UTC)


def _key(event: OutboxEvent) -> tuple[object, ...]:
    return (event.event_type, event.available_at, event.id)


async def _add(db: Database, count: int, offset: int = 0) -> None:
    async with db.transaction() as session:
        for n in range(offset, offset + count):
            session.add(
                OutboxEvent(
                    event_type=f"test.{n % 3}",
                    payload={"n": n},
                    available_at=START + timedelta(minutes=n % 5),
                )
            )


async def _all_pages(db: Database, size: int, *, insert_between: bool = False) -> list[int]:
    reads = RequestSession(db)
    seen: list[int] = []
    after = None
    try:
        while True:
            page = await keyset_page(
                reads,
                BY_TYPE_THEN_NEWEST,
                select(OutboxEvent),
                first=size,
                after=after,
                key_of=_key,
            )
            seen += [event.id for event in page.rows if event.id is not None]
            if insert_between:
                await _add(db, 2, offset=1000 + len(seen))
            if not page.has_next_page:
                return seen
            after = page.cursors[-1]
    finally:
        await reads.close()


@pytest.mark.parametrize("size", [1, 7, 100])
async def test_every_row_appears_once_and_in_order(db: Database, size: int) -> None:
    await _add(db, 23)
    async with db.session() as session:
        expected = list(
            (
                await session.execute(
                    text("select id from outbox_events order by event_type, available_at desc, id")
                )
            ).scalars()
        )
    assert await _all_pages(db, size) == expected


async def test_rows_inserted_between_pages_leave_the_others_exactly_once(db: Database) -> None:
    await _add(db, 23)
    async with db.session() as session:
        before = set((await session.execute(text("select id from outbox_events"))).scalars())
    seen = await _all_pages(db, 7, insert_between=True)
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


async def test_the_total_counts_every_match_in_one_more_statement(db: Database) -> None:
    await _add(db, 5)
    reads = RequestSession(db)
    try:
        page = await keyset_page(
            reads,
            BY_TYPE_THEN_NEWEST,
            select(OutboxEvent).where(col(OutboxEvent.event_type) == "test.1"),
            first=1,
            after=None,
            key_of=_key,
        )
        assert await page.total_count() == 2
    finally:
        await reads.close()


@pytest.mark.parametrize(
    "cursor",
    [
        KeysetOrder("test:other", BY_TYPE_THEN_NEWEST.keys).cursor(("test.1", START, 1)),
        BY_TYPE_THEN_NEWEST.cursor(("test.1", START, 1))[:-2],
        BY_TYPE_THEN_NEWEST.cursor(("test.1", START, 2**63)),
        KeysetOrder("test:type-newest", BY_TYPE_THEN_NEWEST.keys[:2]).cursor(("a", START)),
        "not base64 \x00",
    ],
)
async def test_foreign_or_altered_cursors_are_refused_on_after(db: Database, cursor: str) -> None:
    reads = RequestSession(db)
    try:
        with pytest.raises(BadUserInput) as refused:
            await keyset_page(
                reads, BY_TYPE_THEN_NEWEST, select(OutboxEvent), first=5, after=cursor, key_of=_key
            )
        assert refused.value.argument == "after"
    finally:
        await reads.close()


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (KeyKind.DECIMAL, " 1.5"),
        (KeyKind.DECIMAL, "NaN"),
        (KeyKind.DECIMAL, "1" * 50),
        (KeyKind.DECIMAL, "0x10"),
        (KeyKind.MOMENT, "2026-01-01"),
        (KeyKind.DATE, "2026-1-1"),
        (KeyKind.INT, -(2**63) - 1),
    ],
)
def test_values_we_never_write_are_not_cursor_values(kind: KeyKind, value: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the kind's own parse error
        SortKey(col(OutboxEvent.id), kind).from_cursor(value)


def test_decimal_and_date_keys_round_trip() -> None:
    price = SortKey(col(OutboxEvent.id), KeyKind.DECIMAL)
    assert price.from_cursor(price.to_cursor(Decimal("12.3400"))) == Decimal("12.3400")
    day = SortKey(col(OutboxEvent.id), KeyKind.DATE)
    assert day.from_cursor(day.to_cursor(START.date())) == START.date()
