"""Histogram buckets for a number facet: few, equal-width, with boundaries people read easily.

From the smallest and largest value the step is the smallest of 1, 2 or 5 times a power of ten
that covers the range in at most `MAX_BUCKETS` buckets, and the first bucket starts at a
multiple of the step: weights from 118 to 305 g/m² become 100-150, 150-200, ... 300-350.
Each bucket holds `from <= value < to`; the last one also holds `to`. Decimal arithmetic keeps
boundaries such as 0.3 exact rather than 0.30000000000000004; when the smallest and largest
values are whole numbers, so are the boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

MAX_BUCKETS = 8
_FACTORS = (Decimal(1), Decimal(2), Decimal(5), Decimal(10))


@dataclass(frozen=True)
class Bucket:
    lower: float
    upper: float


def number_buckets(low: float, high: float) -> list[Bucket]:
    """Buckets covering [low, high]; one bucket [low, low] when every value is the same."""
    if low > high:
        raise ValueError("low must not be above high")
    if low == high:
        return [Bucket(float(low), float(high))]
    start, end = Decimal(repr(float(low))), Decimal(repr(float(high)))
    magnitude = Decimal(1).scaleb((end - start).adjusted() - 1)
    if (
        float(low).is_integer() and float(high).is_integer()
    ):  # whole numbers (pieces, mm) get whole steps
        magnitude = max(magnitude, Decimal(1))
    while True:
        for factor in _FACTORS:
            step = factor * magnitude
            first = (start / step).to_integral_value(rounding=ROUND_FLOOR) * step
            count = int(((end - first) / step).to_integral_value(rounding=ROUND_CEILING))
            if count <= MAX_BUCKETS:
                return [
                    Bucket(float(first + index * step), float(first + (index + 1) * step))
                    for index in range(max(count, 1))
                ]
        magnitude *= 10


def bucket_index(value: float, buckets: list[Bucket]) -> int:
    """Which bucket holds `value` (the rule the SQL CASE applies, for tests and callers)."""
    for index, bucket in enumerate(buckets[:-1]):
        if value < bucket.upper:
            return index
    return len(buckets) - 1
