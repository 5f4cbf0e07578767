"""Bucket boundaries of number facets: few, round, covering every value exactly once."""

from __future__ import annotations

from itertools import pairwise

import pytest

from resolvers.catalog.facet_buckets import MAX_BUCKETS, Bucket, bucket_index, number_buckets


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (118, 305, [(100, 150), (150, 200), (200, 250), (250, 300), (300, 350)]),
        (4, 6, [(4, 5), (5, 6)]),
        (0.1, 0.3, [(0.1, 0.15), (0.15, 0.2), (0.2, 0.25), (0.25, 0.3)]),
        (20, 20, [(20, 20)]),
    ],
)  # fmt: skip
def test_boundaries_are_round_numbers_around_the_values(
    low: float, high: float, expected: list[tuple[float, float]]
) -> None:
    assert number_buckets(low, high) == [Bucket(lower, upper) for lower, upper in expected]


@pytest.mark.parametrize(
    ("low", "high"), [(0.1, 15), (-5, 5), (1e-5, 3e-5), (7, 7.25), (1, 1_000_000), (0, 0.3)]
)
def test_buckets_are_contiguous_few_and_hold_min_and_max(low: float, high: float) -> None:
    buckets = number_buckets(low, high)
    assert 1 <= len(buckets) <= MAX_BUCKETS
    assert buckets[0].lower <= low
    assert high <= buckets[-1].upper
    assert all(a.upper == b.lower for a, b in pairwise(buckets))
    assert buckets[bucket_index(low, buckets)].lower <= low
    assert buckets[bucket_index(high, buckets)].lower <= high


def test_a_value_on_a_boundary_belongs_to_the_bucket_above_except_the_maximum() -> None:
    buckets = number_buckets(100, 300)
    assert bucket_index(150, buckets) == [b.lower for b in buckets].index(150)
    assert bucket_index(300, buckets) == len(buckets) - 1
