"""When the orders of the book were placed: over the years before `now`, growing each year,
busier in autumn, quiet at weekends."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from app.demo_orders.markets import GROWTH_PER_YEAR, MONTH_WEIGHTS, WEEKEND_WEIGHT

DAY_SECONDS = 86_400


def day_weight(day: date, first_day: date) -> float:
    years = (day - first_day).days / 365.25
    weekend = WEEKEND_WEIGHT if day.weekday() >= 5 else 1.0
    return float((1 + GROWTH_PER_YEAR) ** years * MONTH_WEIGHTS[day.month - 1] * weekend)


def order_moments(rng: random.Random, count: int, first_day: date, now: datetime) -> list[datetime]:
    """`count` placement moments from the start of `first_day` to `now`, in order."""
    days = [first_day + timedelta(days=n) for n in range((now.date() - first_day).days + 1)]
    cumulative = list(accumulate(day_weight(day, first_day) for day in days))
    # Today counts for the part of it already past.
    today_share = (now - datetime.combine(now.date(), time(), UTC)).total_seconds() / DAY_SECONDS
    cumulative[-1] = cumulative[-2] + (cumulative[-1] - cumulative[-2]) * today_share
    picked = rng.choices(range(len(days)), cum_weights=cumulative, k=count)
    moments = []
    for index in picked:
        limit = DAY_SECONDS if index < len(days) - 1 else DAY_SECONDS * today_share
        start = datetime.combine(days[index], time(), UTC)
        moments.append(start + timedelta(seconds=rng.uniform(0, limit)))
    moments.sort()
    return moments
