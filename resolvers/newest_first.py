"""Newest-first lists: rows by (created_at desc, id desc), a keyset page at a time.

The audit log, inquiries, orders and the newest-products sort list this way. A cursor carries
the last row's moment and id and names its list, so a cursor of another list, or one altered
by hand, is a BAD_USER_INPUT on `after` rather than a page that skips rows or an internal
error. Timestamps compare through `core.dialect`, which orders them as time on SQLite too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import BigInteger, ColumnElement, func, tuple_
from sqlmodel.sql.expression import SelectOfScalar

from core.dialect import timestamp_key, timestamp_value
from core.request_session import RequestSession
from models.base import as_utc
from resolvers.pagination import Page, check_page_size, decode_cursor, encode_cursor, not_a_cursor


class Dated(Protocol):
    """A row of a newest-first list."""

    @property
    def id(self) -> int | None: ...

    @property
    def created_at(self) -> datetime | None: ...


Row = TypeVar("Row", bound=Dated)


@dataclass(frozen=True)
class NewestFirst:
    """One newest-first list: the tag its cursors carry and the two columns it orders by."""

    tag: str
    created_at: ColumnElement[datetime]
    id: ColumnElement[int]

    def keys(self) -> tuple[ColumnElement[Any], ColumnElement[int]]:
        return timestamp_key(self.created_at), self.id

    def order_by(self) -> list[ColumnElement[Any]]:
        return [key.desc() for key in self.keys()]

    def bounds(self, key: Sequence[Any]) -> list[ColumnElement[Any] | int]:
        """The decoded key (moment text, id) of a cursor as SQL values, checked: text other
        than a moment as we write it, a moment Python cannot hold in UTC or an id beyond the
        column is not a cursor we issued."""
        moment, pk = key
        try:
            parsed = datetime.fromisoformat(moment)
            created_at = as_utc(parsed)
        except (ValueError, OverflowError):
            raise not_a_cursor() from None
        # Cursors carry `isoformat()` text; Python's parser also takes text with a trailing
        # NUL, which no cursor of ours has.
        if parsed.isoformat() != moment:
            raise not_a_cursor()
        bits = 64 if isinstance(self.id.type, BigInteger) else 32
        if not -(2 ** (bits - 1)) <= pk < 2 ** (bits - 1):
            raise not_a_cursor()
        return [timestamp_value(created_at), pk]

    def after(self, cursor: str) -> ColumnElement[bool]:
        """Rows strictly after the row the cursor was made from."""
        bounds = self.bounds(decode_cursor(cursor, self.tag, (str, int)))
        return tuple_(*self.keys()) < tuple_(*bounds)

    def cursor(self, row: Dated) -> str:
        assert row.created_at is not None
        assert row.id is not None
        return encode_cursor(self.tag, [row.created_at.isoformat(), row.id])


async def newest_first_page(
    session: RequestSession,
    listing: NewestFirst,
    statement: SelectOfScalar[Row],
    *,
    first: int,
    after: str | None,
) -> Page[Row]:
    """A page of `statement`'s rows (already filtered to what the caller may see), newest
    first, after the cursor if one is given; the total counts the same filtered rows."""
    check_page_size(first)
    page = statement if after is None else statement.where(listing.after(after))
    rows = list(await session.scalars(page.order_by(*listing.order_by()).limit(first + 1)))

    async def total_count() -> int:
        count = statement.with_only_columns(func.count(), maintain_column_froms=True)
        return int(await session.scalar(count) or 0)

    return Page(
        rows=rows[:first],
        cursors=[listing.cursor(row) for row in rows[:first]],
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
        total_count=total_count,
    )
