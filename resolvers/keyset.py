"""Keyset-paged lists in any order: the sort keys, their cursors, and one page of rows.

Every staff list (orders, inquiries, companies, shipments, payments, users) pages this way: a
`KeysetOrder` names its keys, each a column with a direction and a kind, the last one unique
(the row's id), so the order is total and every row appears exactly once however rows are
inserted between pages. A row whose sort key changes while someone pages may move.

A cursor carries the last row's key values and the order's tag; a cursor of another list or
order, or one altered by hand, is a BAD_USER_INPUT on `after`, never a page that skips rows or
an internal error. Sort keys must be NOT NULL (coalesce a nullable column to a sentinel in the
key and in the index that serves it): a row comparison with a NULL matches nothing.

    order = KeysetOrder("orders:total", (
        SortKey(Order.total, KeyKind.DECIMAL, descending=True),
        SortKey(Order.id, KeyKind.INT, descending=True),
    ))
    page = await keyset_page(session, order, select(Order).where(...), first=first,
                             after=after, key_of=lambda order: (order.total, order.id))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, and_, false, func, or_, tuple_
from sqlalchemy.orm import Mapped
from sqlmodel.sql.expression import SelectOfScalar

from core.dialect import timestamp_key, timestamp_value
from core.request_session import RequestSession
from models.base import as_utc
from resolvers.pagination import Page, check_page_size, decode_cursor, encode_cursor, not_a_cursor

Row = TypeVar("Row")
INT64 = 2**63
MAX_DECIMAL_DIGITS = 40


class KeyKind(StrEnum):
    INT = "int"  # an integer column (ids, counts); bounded to 64 bits
    TEXT = "text"  # a string column, compared as the database collates it
    DECIMAL = "decimal"  # a Numeric column; the cursor holds its exact text
    MOMENT = "moment"  # a timestamp with time zone; the cursor holds ISO 8601 in UTC
    DATE = "date"  # a calendar date; the cursor holds ISO 8601


_CURSOR_TYPE: dict[KeyKind, type] = {
    KeyKind.INT: int,
    KeyKind.TEXT: str,
    KeyKind.DECIMAL: str,
    KeyKind.MOMENT: str,
    KeyKind.DATE: str,
}


@dataclass(frozen=True)
class SortKey:
    """One key of an order: a NOT NULL column, how it sorts, and what kind of value it holds."""

    column: ColumnElement[Any] | Mapped[Any]  # a Core column, or a model's (`col(Order.id)`)
    kind: KeyKind
    descending: bool = False

    @property
    def sql(self) -> ColumnElement[Any]:
        """The column as it compares: timestamps through `core.dialect` (SQLite too)."""
        column = cast(ColumnElement[Any], self.column)
        return timestamp_key(column) if self.kind is KeyKind.MOMENT else column

    def to_cursor(self, value: Any) -> Any:
        if self.kind is KeyKind.MOMENT:
            return as_utc(value).isoformat()
        if self.kind in (KeyKind.DECIMAL, KeyKind.DATE):
            return value.isoformat() if self.kind is KeyKind.DATE else str(value)
        return value

    def from_cursor(self, value: Any) -> Any:
        """The SQL value of a decoded cursor value; ValueError if we never wrote it."""
        if self.kind is KeyKind.INT:
            if not -INT64 <= value < INT64:
                raise ValueError(value)
            return value
        if self.kind is KeyKind.DECIMAL:
            if len(value) > MAX_DECIMAL_DIGITS + 2:
                raise ValueError(value)
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise ValueError(value) from None
            if not number.is_finite() or str(number) != value:
                raise ValueError(value)
            return number
        if self.kind is KeyKind.MOMENT:
            parsed = datetime.fromisoformat(value)
            moment = as_utc(parsed)
            if moment.isoformat() != value:  # only the spelling we write
                raise ValueError(value)
            return timestamp_value(moment)
        if self.kind is KeyKind.DATE:
            day = date.fromisoformat(value)
            if day.isoformat() != value:
                raise ValueError(value)
            return day
        return value


@dataclass(frozen=True)
class KeysetOrder:
    """One order of one list: the tag its cursors carry, and its keys (the last unique)."""

    tag: str
    keys: tuple[SortKey, ...]

    def order_by(self) -> list[ColumnElement[Any]]:
        return [key.sql.desc() if key.descending else key.sql.asc() for key in self.keys]

    def cursor(self, values: Sequence[Any]) -> str:
        """The cursor of a row whose key values (Python values, in key order) are `values`."""
        return encode_cursor(
            self.tag, [key.to_cursor(value) for key, value in zip(self.keys, values, strict=True)]
        )

    def after(self, cursor: str) -> ColumnElement[bool]:
        """Rows strictly after the row the cursor was made from, in this order."""
        decoded = decode_cursor(cursor, self.tag, [_CURSOR_TYPE[key.kind] for key in self.keys])
        try:
            bounds = [key.from_cursor(value) for key, value in zip(self.keys, decoded, strict=True)]
        except (ValueError, InvalidOperation, OverflowError, TypeError):
            raise not_a_cursor() from None
        return after_key([key.sql for key in self.keys], [k.descending for k in self.keys], bounds)


def after_key(
    keys: Sequence[ColumnElement[Any]], descending: Sequence[bool], bounds: Sequence[Any]
) -> ColumnElement[bool]:
    """(keys) after (bounds) in the given directions.

    With one direction throughout, a row comparison, which a btree index serves as a range;
    with mixed directions, the expanded OR of prefixes.
    """
    if len(set(descending)) == 1:
        row, bound = tuple_(*keys), tuple_(*bounds)
        return row < bound if descending[0] else row > bound
    branches: list[ColumnElement[bool]] = []
    for index, (key, desc) in enumerate(zip(keys, descending, strict=True)):
        equal_prefix = [k == b for k, b in zip(keys[:index], bounds[:index], strict=True)]
        beyond = key < bounds[index] if desc else key > bounds[index]
        branches.append(and_(*equal_prefix, beyond))
    return or_(false(), *branches)


async def keyset_page(
    session: RequestSession,
    order: KeysetOrder,
    statement: SelectOfScalar[Row],
    *,
    first: int,
    after: str | None,
    key_of: Callable[[Row], Sequence[Any]],
) -> Page[Row]:
    """A page of `statement`'s rows (already filtered to what the caller may see and asked
    for) in `order`, after the cursor if one is given: one statement, and one more for the
    total if the client asks for it, whatever the page size."""
    check_page_size(first)
    page = statement if after is None else statement.where(order.after(after))
    rows = list(await session.scalars(page.order_by(*order.order_by()).limit(first + 1)))

    async def total_count() -> int:
        count = statement.with_only_columns(func.count(), maintain_column_froms=True)
        return int(await session.scalar(count.order_by(None)) or 0)

    return Page(
        rows=rows[:first],
        cursors=[order.cursor(key_of(row)) for row in rows[:first]],
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
        total_count=total_count,
    )
