"""The inquiry funnel: of the inquiries received in a period, how many were quoted, won, lost
or are still open, and how fast sales sent the first quote; in total and by assignee or source.

An inquiry belongs to the period of the local day (`REPORTING_TIMEZONE`) it was submitted on;
its outcome is where it stands now. "Quoted" means at least one quote was sent
(`first_quoted_at` is set), whatever happened next. The median time to first quote is over
the quoted inquiries of the group, in hours.

On PostgreSQL one statement over the submission range (an index range on `created_at` that
carries the counted columns), the groups and the total in one pass by GROUPING SETS, the
median by `percentile_cont`. SQLite (the development database) has neither: a statement for
the total and one for the groups, and the quoted inquiries' waits read and their median
taken in Python.

The home screen's figures about inquiries and quotes are here too: open inquiries not yet
quoted, by age, and open quotes awaiting the buyer's answer.
"""

from __future__ import annotations

import statistics
import typing
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    case,
    cast,
    extract,
    func,
    literal,
    select,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from core.dialect import timestamp_key, timestamp_value
from models.accounts import User
from models.inquiries import Inquiry, InquirySource, InquiryStatus, Quote, QuoteStatus
from resolvers.context import Context
from resolvers.reports.periods import check_day_range, day_range, day_start, local_today

SECONDS_PER_HOUR = 3_600
MEDIAN_SORT_MEMORY = "32MB"
OPEN_STATUSES = (InquiryStatus.NEW, InquiryStatus.ASSIGNED, InquiryStatus.QUOTED)
NOT_YET_QUOTED = (InquiryStatus.NEW, InquiryStatus.ASSIGNED)


class FunnelGrouping(StrEnum):
    NONE = "none"
    ASSIGNEE = "assignee"
    SOURCE = "source"


@dataclass(frozen=True)
class FunnelFigures:
    """One group's funnel; `median_hours_to_first_quote` is None when nothing was quoted."""

    received: int
    quoted: int
    won: int
    lost: int
    open: int
    median_hours_to_first_quote: float | None


@dataclass(frozen=True)
class FunnelRow:
    """A group: its assignee (None: unassigned) when by assignee, its source when by source."""

    figures: FunnelFigures
    assignee: User | None = None
    source: InquirySource | None = None


@dataclass(frozen=True)
class InquiryFunnel:
    first_day: date
    last_day: date
    rows: list[FunnelRow]
    total: FunnelFigures


NO_FIGURES = FunnelFigures(0, 0, 0, 0, 0, None)


def as_column(attribute: Any) -> ColumnElement[Any]:
    """A model attribute as the Core column expression it is (for typed helpers)."""
    return typing.cast(ColumnElement[Any], attribute)


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return cast(func.coalesce(func.sum(case((condition, 1), else_=0)), 0), Integer)


def _counts() -> list[ColumnElement[int]]:
    status = col(Inquiry.status)
    return [
        func.count(),
        func.count(col(Inquiry.first_quoted_at)),
        _count_where(status == InquiryStatus.WON),
        _count_where(status == InquiryStatus.LOST),
        _count_where(status.in_(OPEN_STATUSES)),
    ]


def _wait_seconds() -> ColumnElement[float]:
    """Seconds from submission to the first quote (PostgreSQL); NULL when never quoted."""
    waited = extract("epoch", col(Inquiry.first_quoted_at) - col(Inquiry.created_at))
    return cast(waited, Float)


def _group_key(by: FunnelGrouping) -> ColumnElement[Any]:
    if by is FunnelGrouping.ASSIGNEE:
        return as_column(col(Inquiry.assigned_to_user_id))
    if by is FunnelGrouping.SOURCE:
        return as_column(col(Inquiry.source))
    return literal("")


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / SECONDS_PER_HOUR, 2)


def postgresql_statement(
    by: FunnelGrouping, in_period: ColumnElement[bool]
) -> Select[*tuple[Any, ...]]:
    """The funnel in one statement on PostgreSQL: the total's counts and median, and with a
    grouping, each group's first: `(key, grouping(key), counts..., median)` rows from
    GROUPING SETS, `grouping()` telling the total row from a group whose key is NULL (the
    unassigned)."""
    median = func.percentile_cont(0.5).within_group(_wait_seconds())
    if by is FunnelGrouping.NONE:
        return select(*_counts(), median).where(in_period)
    key = _group_key(by)
    return (
        select(key, func.grouping(key), *_counts(), median)
        .where(in_period)
        .group_by(func.grouping_sets(tuple_(key), tuple_()))
    )


def _figures_of(row: Sequence[Any], seconds: float | None) -> FunnelFigures:
    received, quoted, won, lost, still_open = (int(value) for value in row)
    return FunnelFigures(received, quoted, won, lost, still_open, _hours(seconds))


async def _figures_by_group(
    ctx: Context, by: FunnelGrouping, in_period: ColumnElement[bool]
) -> tuple[FunnelFigures, dict[Any, FunnelFigures]]:
    """The total, and the figures per group (none when `by` is NONE)."""
    if ctx.database.is_sqlite:
        return await _figures_on_sqlite(ctx, by, in_period)
    await ctx.session.run(_room_to_sort)
    try:
        statement = postgresql_statement(by, in_period)
        found = await ctx.session.rows(statement)
    finally:
        await ctx.session.run(_usual_room_to_sort)
    if by is FunnelGrouping.NONE:
        row = found[0]
        return _figures_of(row[:5], row[5]), {}
    total, grouped = NO_FIGURES, {}
    for group, is_total, *figures, seconds in found:
        if is_total:
            total = _figures_of(figures, seconds)
        else:
            grouped[group] = _figures_of(figures, seconds)
    return total, grouped


async def _room_to_sort(session: AsyncSession) -> None:
    """The median sorts every quoted inquiry's wait in the period (about 300,000 over a
    million-order book's history): with the default 4 MB of work memory that sort spills to
    disk and doubles the report's time. 32 MB, for this statement only: a request reads
    outside a transaction (`Database.read_session`), so the setting is the connection's until
    `_usual_room_to_sort` resets it, before the connection goes back to the pool."""
    await session.execute(text(f"SET work_mem = '{MEDIAN_SORT_MEMORY}'"))


async def _usual_room_to_sort(session: AsyncSession) -> None:
    await session.execute(text("RESET work_mem"))


async def _figures_on_sqlite(
    ctx: Context, by: FunnelGrouping, in_period: ColumnElement[bool]
) -> tuple[FunnelFigures, dict[Any, FunnelFigures]]:
    """SQLite has neither `percentile_cont` nor GROUPING SETS: a statement for the total, one
    per group, and the medians taken in Python from the quoted inquiries' waits."""
    figures: list[dict[Any, FunnelFigures]] = []
    groupings = [FunnelGrouping.NONE] if by is FunnelGrouping.NONE else [FunnelGrouping.NONE, by]
    for grouping in groupings:
        key = _group_key(grouping).label("group_key")
        statement = select(key, *_counts()).where(in_period).group_by(key)
        medians = await _medians_in_python(ctx, key, in_period)
        rows = await ctx.session.rows(statement)
        figures.append({row[0]: _figures_of(row[1:], medians.get(row[0])) for row in rows})
    total = figures[0].get("", NO_FIGURES)
    return total, {} if by is FunnelGrouping.NONE else figures[-1]


async def _medians_in_python(
    ctx: Context, key: ColumnElement[Any], in_period: ColumnElement[bool]
) -> dict[Any, float]:
    """SQLite only: the median wait per group, from the quoted inquiries' waits."""
    waited = (
        func.julianday(col(Inquiry.first_quoted_at)) - func.julianday(col(Inquiry.created_at))
    ) * 86_400
    statement = select(key, waited).where(in_period, col(Inquiry.first_quoted_at).is_not(None))
    waits: dict[Any, list[float]] = defaultdict(list)
    for group, seconds in await ctx.session.rows(statement):
        waits[group].append(float(seconds))
    return {group: statistics.median(values) for group, values in waits.items()}


def submitted_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    moment = timestamp_key(as_column(col(Inquiry.created_at)))
    return (moment >= timestamp_value(start)) & (moment < timestamp_value(end))


async def inquiry_funnel(
    ctx: Context, *, first_day: date, last_day: date, by: FunnelGrouping
) -> InquiryFunnel:
    """The funnel of the inquiries submitted from `first_day` to `last_day` (local days)."""
    check_day_range(first_day, last_day, first_name="from", last_name="to")
    start, end = day_range(first_day, last_day, ctx.settings.reporting_zone)
    in_period = submitted_between(start, end)
    total, grouped = await _figures_by_group(ctx, by, in_period)
    if by is FunnelGrouping.NONE:
        return InquiryFunnel(first_day, last_day, [FunnelRow(total)], total)
    if by is FunnelGrouping.SOURCE:
        rows = [
            FunnelRow(grouped.get(source.value, NO_FIGURES), source=source)
            for source in InquirySource
        ]
    else:
        users = await _users(ctx, [pk for pk in grouped if pk is not None])
        rows = [FunnelRow(figures, assignee=users.get(pk)) for pk, figures in grouped.items()]
    rows.sort(key=lambda row: (-row.figures.received, _tie_break(row)))
    return InquiryFunnel(first_day, last_day, rows, total)


def _tie_break(row: FunnelRow) -> tuple[int, str]:
    if row.source is not None:
        return (0, row.source.value)
    if row.assignee is None:  # the unassigned group last among equals
        return (1, "")
    return (0, f"{row.assignee.id:020d}")


async def _users(ctx: Context, ids: Sequence[int]) -> dict[int, User]:
    if not ids:
        return {}
    found = await ctx.session.scalars(select(User).where(col(User.id).in_(ids)))
    return {user.id: user for user in found if user.id is not None}


@dataclass(frozen=True)
class OpenInquiryAges:
    """Inquiries waiting for sales' quote (NEW or ASSIGNED), by local days since submission."""

    submitted_today: int
    one_to_seven_days: int
    eight_to_thirty_days: int
    over_thirty_days: int

    @property
    def total(self) -> int:
        return (
            self.submitted_today
            + self.one_to_seven_days
            + self.eight_to_thirty_days
            + self.over_thirty_days
        )


async def open_inquiries_by_age(ctx: Context, *, today: date | None = None) -> OpenInquiryAges:
    """Home screen: the inquiries not yet quoted nor closed, by how many local days ago they
    were submitted (today; 1-7; 8-30; over 30). One statement on the status index."""
    zone = ctx.settings.reporting_zone
    today = today or local_today(zone)
    moment = timestamp_key(as_column(col(Inquiry.created_at)))

    def since(days: int) -> ColumnElement[bool]:
        return moment >= timestamp_value(day_start(today - timedelta(days=days), zone))

    statement = select(
        _count_where(since(0)),
        _count_where(since(7) & ~since(0)),
        _count_where(since(30) & ~since(7)),
        _count_where(~since(30)),
    ).where(col(Inquiry.status).in_(NOT_YET_QUOTED))
    row = (await ctx.session.rows(statement))[0]
    return OpenInquiryAges(*(int(value) for value in row))


@dataclass(frozen=True)
class QuotesAwaitingAnswer:
    """Open quotes the buyer has not accepted yet, still valid; those ending within a week."""

    count: int
    expiring_within_seven_days: int


async def quotes_awaiting_answer(
    ctx: Context, *, today: date | None = None
) -> QuotesAwaitingAnswer:
    """Home screen: the latest revisions still OPEN and valid `today` (by default the UTC day,
    as accepting a quote counts it: valid through its `validUntil` day). One statement on the
    quotes' (status, valid_until) index."""
    today = today or datetime.now(UTC).date()
    valid_until = col(Quote.valid_until)
    statement = select(func.count(), _count_where(valid_until <= today + timedelta(days=7))).where(
        col(Quote.status) == QuoteStatus.OPEN, valid_until >= today
    )
    count, expiring = (await ctx.session.rows(statement))[0]
    return QuotesAwaitingAnswer(int(count), int(expiring))
