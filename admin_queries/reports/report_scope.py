"""What every money report is asked for: a reporting currency and a range of months, checked.

The currency must be one of REPORTING_CURRENCIES (the rollups hold no other); months are
"YYYY-MM" in REPORTING_TIMEZONE's calendar (resolvers/reports/periods.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from core.errors import BadUserInput
from core.settings import Settings
from resolvers.reports.periods import parse_month_range

HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class ReportScope:
    currency: str
    months: list[date]

    @property
    def first_month(self) -> date:
        return self.months[0]

    @property
    def last_month(self) -> date:
        return self.months[-1]


def report_scope(settings: Settings, currency: str, from_month: str, to_month: str) -> ReportScope:
    """The checked arguments, or BAD_USER_INPUT naming the one at fault."""
    return ReportScope(
        reporting_currency(settings, currency), parse_month_range(from_month, to_month)
    )


def reporting_currency(settings: Settings, currency: str) -> str:
    """`currency` as one of REPORTING_CURRENCIES, or BAD_USER_INPUT naming `currency`."""
    allowed = settings.reporting_currency_list
    code = currency.strip().upper()
    if code not in allowed:
        raise BadUserInput(
            f"must be one of the reporting currencies: {', '.join(allowed)}", argument="currency"
        )
    return code


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to 2 places; None when the whole is zero."""
    if whole == 0:
        return None
    return (part * HUNDRED / whole).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)
