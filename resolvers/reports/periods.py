"""The reporting calendar: months counted in REPORTING_TIMEZONE, and their bounds in UTC.

Reports date an order by the local month of its placement. A month is named by its first
day; its bounds are the UTC moments of local midnight on that day and on the next month's,
so "placed in March" means the same orders whatever the database's own time zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import BadUserInput

# The longest range a report covers: ten years of months.
MAX_MONTHS = 120
_MONTH_TEXT = re.compile(r"(\d{4})-(\d{2})")


def month_of(moment: datetime, zone: ZoneInfo) -> date:
    """The first day of the local month `moment` falls in."""
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC moments the local month starts and the next one starts."""
    return _local_midnight(month, zone), _local_midnight(next_month(month), zone)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC moments the local day starts and the next one starts."""
    return _local_midnight(day, zone), _local_midnight(day + timedelta(days=1), zone)


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


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
