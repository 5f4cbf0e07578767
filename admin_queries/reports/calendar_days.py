"""Local days of the reporting calendar (`REPORTING_TIMEZONE`) as moments the indexes serve.

A report over days `first`..`last` reads the rows whose moment lies in
[start of `first`, start of the day after `last`) in the reporting zone: a range on the
indexed timestamp column itself, the same on PostgreSQL and SQLite, rather than converting
every row's moment to a local date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import BadUserInput

# Ten years of days: more than any report needs, few enough that a range stays a range.
MAX_REPORT_DAYS = 3_660
# Days a report accepts: far enough apart for any business, far from the calendar's ends.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The moment (UTC) the local day begins; a day starting in a DST gap starts after it."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_range(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`), in UTC."""
    return day_start(first, zone), day_start(last + timedelta(days=1), zone)


def local_today(zone: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(zone).date()


def check_day(day: date, *, name: str) -> None:
    """BAD_USER_INPUT naming the argument for a day outside the reports' calendar."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise BadUserInput(f"must be between {EARLIEST_DAY} and {LATEST_DAY}", argument=name)


def check_day_range(first: date, last: date, *, first_name: str, last_name: str) -> None:
    """BAD_USER_INPUT naming the argument when a day is out of bounds, the range is reversed
    or too long."""
    check_day(first, name=first_name)
    check_day(last, name=last_name)
    if first > last:
        raise BadUserInput(f"must not be after `{last_name}`", argument=first_name)
    if (last - first).days >= MAX_REPORT_DAYS:
        raise BadUserInput(
            f"must be less than {MAX_REPORT_DAYS} days before `{last_name}`", argument=first_name
        )
