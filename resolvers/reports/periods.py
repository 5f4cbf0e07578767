"""The reporting calendar: days and months counted in REPORTING_TIMEZONE, bounds in UTC.

Reports date an order by the local month of its placement. A month is named by its first
day; its bounds are the UTC moments of local midnight on that day and on the next month's,
so "placed in March" means the same orders whatever the database's own time zone. A report
over days `first`..`last` reads the rows whose moment lies in [start of `first`, start of the
day after `last`): a range on the indexed timestamp column itself, the same on PostgreSQL and
SQLite, rather than converting every row's moment to a local date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import BadUserInput

# The longest range a report covers: ten years of months, or of days.
MAX_MONTHS = 120
MAX_REPORT_DAYS = 3_660
# Days a report accepts: far enough apart for any business, far from the calendar's ends.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
_MONTH_TEXT = re.compile(r"(\d{4})-(\d{2})")


def month_of(moment: datetime, zone: ZoneInfo) -> date:
    """The first day of the local month `moment` falls in."""
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC moments the local month starts and the next one starts."""
    return day_start(month, zone), day_start(next_month(month), zone)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC moments the local day starts and the next one starts."""
    return day_range(day, day, zone)


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


def months_from(first: date, last: date) -> list[date]:
    """Every month from `first` to `last`, both included."""
    months: list[date] = []
    month = first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def parse_month(text: str, argument: str) -> date:
    """A "YYYY-MM" argument as the first day of that month, or BAD_USER_INPUT naming it."""
    found = _MONTH_TEXT.fullmatch(text.strip())
    if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
        raise BadUserInput("must be a month written YYYY-MM, such as 2026-03", argument=argument)
    return date(int(found[1]), int(found[2]), 1)


def parse_month_range(from_month: str, to_month: str) -> list[date]:
    """The months from `fromMonth` to `toMonth`, checked: in order, at most MAX_MONTHS."""
    first = parse_month(from_month, "fromMonth")
    last = parse_month(to_month, "toMonth")
    if last < first:
        raise BadUserInput("must not be before fromMonth", argument="toMonth")
    months = months_from(first, last)
    if len(months) > MAX_MONTHS:
        raise BadUserInput(f"a report covers at most {MAX_MONTHS} months", argument="toMonth")
    return months


def month_text(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The moment (UTC) the local day begins; a day starting in a DST gap starts after it."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
