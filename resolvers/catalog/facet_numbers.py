"""NUMBER facets: a key's minimum, maximum and matching products per bucket.

NUMBER keys are grouped by value in the value counts, and when all their values fit (bores,
weights and lengths take few), the buckets of `facet_buckets.number_buckets(min, max)` are
counted from those rows. Only a key with more distinct values than that costs one more
statement, which counts per bucket in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select

from models.catalog import AttributeKind
from resolvers.catalog.facet_buckets import Bucket, bucket_index, number_buckets
from resolvers.catalog.facet_groups import Group, rows_of
from resolvers.catalog.facet_keys import Facetable
from resolvers.catalog.facet_values import MAX_FACET_VALUES, union_of
from resolvers.context import Context


@dataclass(frozen=True)
class BucketCount:
    lower: float
    upper: float
    count: int


@dataclass(frozen=True)
class NumberFacet:
    min: float
    max: float
    buckets: list[BucketCount]


async def number_facets(
    ctx: Context, groups: list[Group], facetables: list[Facetable], counted: dict[str, list[Any]]
) -> dict[str, NumberFacet]:
    """Minimum, maximum and bucket counts of the NUMBER keys found; buckets from the value
    rows when they hold every value, else from one more statement for the keys that need it."""
    numbers: dict[str, NumberFacet] = {}
    to_count: dict[str, list[Bucket]] = {}
    for facetable in facetables:
        rows = counted.get(facetable.key)
        if facetable.kind is not AttributeKind.NUMBER or not rows:
            continue
        low, high = rows[0].low, rows[0].high
        buckets = number_buckets(low, high)
        if rows[0].distinct_values > MAX_FACET_VALUES:
            to_count[facetable.key] = buckets
            continue
        tally = [0] * len(buckets)
        for row in rows:
            tally[bucket_index(row.value_number, buckets)] += int(row.n)
        numbers[facetable.key] = _number_facet(low, high, buckets, tally)
    if to_count:
        tallies = {key: [0] * len(buckets) for key, buckets in to_count.items()}
        for key, index, count in await ctx.session.rows(_bucket_counts_statement(groups, to_count)):
            tallies[key][index] = int(count)
        for key, buckets in to_count.items():
            low, high = counted[key][0].low, counted[key][0].high
            numbers[key] = _number_facet(low, high, buckets, tallies[key])
    return numbers


def _number_facet(low: float, high: float, buckets: list[Bucket], tally: list[int]) -> NumberFacet:
    counts = [BucketCount(b.lower, b.upper, n) for b, n in zip(buckets, tally, strict=True)]
    return NumberFacet(min=low, max=high, buckets=counts)


def _bucket_counts_statement(groups: list[Group], ranges: dict[str, list[Bucket]]) -> Select[Any]:
    branches = []
    for group in groups:
        values = group.table.c
        numeric = [f for f in group.facetables if f.key in ranges]
        if not numeric:
            continue
        bucket = case(
            *(
                (values.attribute_key == f.key, _bucket_of(values.value_number, ranges[f.key]))
                for f in numeric
            ),
            else_=0,
        )
        branches.append(
            select(
                values.attribute_key, bucket.label("bucket"), group.weight().label("weight")
            ).where(rows_of(group, numeric, countries=False))
        )
    placed = union_of(branches)
    return select(placed.c.attribute_key, placed.c.bucket, func.sum(placed.c.weight)).group_by(
        placed.c.attribute_key, placed.c.bucket
    )


def _bucket_of(number: ColumnElement[float], buckets: list[Bucket]) -> ColumnElement[int]:
    """The bucket index of a value: the first whose upper bound is above it, else the last."""
    if len(buckets) == 1:
        return literal(0)
    return case(
        *((number < bucket.upper, index) for index, bucket in enumerate(buckets[:-1])),
        else_=len(buckets) - 1,
    )
