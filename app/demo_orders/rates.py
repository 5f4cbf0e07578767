"""Daily exchange rates for the order book: one row per currency per day, from US dollars.

Each day's rate is a small random walk from the demo rates of `app.demo_catalog.trade`
(the lira drifts down, as it did), effective at midnight UTC. AED rates begin some months
into the history, so the order book holds AED orders placed while no rate into another
currency was known: reports must count those apart, not drop them.

`rate_at` answers like `core.fx.rate_at` over these rows (same currency 1, USD→X direct,
X→USD the inverse rounded to 10 places, anything else unknown), so each order stores the
rate and rate row that placement would have stored.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from app.demo_catalog.trade import USD_RATES
from core.fx import invert

BASE_CURRENCY = "USD"
RATE_SOURCE = "seed-demo"
# Daily volatility of each rate (a log-normal step), and a daily drift where there is one.
VOLATILITY = 0.004
DRIFT = {"TRY": 0.0012, "INR": 0.0001}
# The first days without an AED rate (see above).
AED_RATES_FROM_DAY = 120
RATE_PLACES = Decimal("0.000001")


@dataclass
class RateBook:
    """The drafted rate rows, by currency and by day since `first_day`."""

    first_day: date
    rows: list[tuple[int, str, Decimal, datetime]] = field(default_factory=list)
    _by_currency: dict[str, list[tuple[int, Decimal] | None]] = field(default_factory=dict)

    def rate_at(self, source: str, target: str, at: datetime) -> tuple[Decimal, int | None] | None:
        """Units of `target` per unit of `source` in force at `at`, and the row it came from."""
        if source == target:
            return Decimal(1), None
        if source == BASE_CURRENCY:
            return self._row(target, at)
        if target == BASE_CURRENCY:
            found = self._row(source, at)
            return None if found is None else (invert(found[0]), found[1])
        return None

    def add_series(self, currency: str, series: list[tuple[int, Decimal] | None]) -> None:
        """A currency's (row id, rate) by day since `first_day`; None before its first rate."""
        self._by_currency[currency] = series

    def _row(self, currency: str, at: datetime) -> tuple[Decimal, int] | None:
        days = self._by_currency.get(currency)
        day = (at.astimezone(UTC).date() - self.first_day).days
        if days is None or day < 0:
            return None
        found = days[min(day, len(days) - 1)]
        return None if found is None else (found[1], found[0])


def draft_rates(rng: random.Random, first_day: date, last_day: date, first_id: int) -> RateBook:
    """One rate per currency of the demo catalog per day from `first_day` to `last_day`."""
    book = RateBook(first_day)
    days = (last_day - first_day).days + 1
    next_id = first_id
    for currency, start in USD_RATES.items():
        if currency == BASE_CURRENCY:
            continue
        series: list[tuple[int, Decimal] | None] = []
        level = float(start)
        first = AED_RATES_FROM_DAY if currency == "AED" else 0
        for day in range(days):
            level *= math.exp(rng.gauss(DRIFT.get(currency, 0.0), VOLATILITY))
            if day < first:
                series.append(None)
                continue
            rate = Decimal(level).quantize(RATE_PLACES)
            moment = datetime.combine(first_day + timedelta(days=day), time(), UTC)
            book.rows.append((next_id, currency, rate, moment))
            series.append((next_id, rate))
            next_id += 1
        book.add_series(currency, series)
    return book
