"""Facets: for the products a filter matches, the values of each filterable attribute, counted.

Each attribute is counted under the filter without its own conditions, so a sidebar can show
the alternatives to what the buyer picked; every other attribute under the whole filter. That
makes one product set per conditioned attribute plus one for the rest; each set is a CTE and
a branch of one UNION ALL, so the counts cost the same few statements however many
attributes and products there are:

1. the attribute catalog (which keys are filterable, their kind, label and unit);
2. per attribute and value, the number of matching products, at most `MAX_FACET_VALUES`
   values per attribute, most frequent first, each row with its attribute's minimum, maximum
   and number of distinct values. NUMBER attributes are grouped by value too, and when all
   their values fit (bores, weights and lengths take few), the buckets of
   `facet_buckets.number_buckets(min, max)` are counted from these rows;
3. only for a NUMBER attribute with more distinct values than that, the count per bucket.

A key defined by several product types is one facet when its filterable definitions agree on
kind and unit; when they do not (a width in mm on one type, in inches on another), adding the
values would mislead, so the key is left out until the filter names a product type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlmodel import col

from models.catalog import AttributeDefinition, AttributeKind, Product
from models.discovery import product_spec_values
from resolvers.context import Context
from resolvers.facet_buckets import Bucket, bucket_index, number_buckets
from resolvers.product_filters import (
    FilterConditions,
    ProductFilter,
    compile_filter,
    product_type_id_of,
)
from resolvers.spec_filters import AttributeCatalog, load_attribute_catalog

MAX_FACET_VALUES = 50


@dataclass(frozen=True)
class ValueCount:
    value: str
    count: int


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


@dataclass(frozen=True)
class AttributeFacet:
    key: str
    label: str
    kind: AttributeKind
    unit: str | None
    values: list[ValueCount]
    numbers: NumberFacet | None


@dataclass(frozen=True)
class _Facetable:
    """A key to count: its first filterable definition and, if only some of the types that
    define it make it filterable, those types' ids."""

    definition: AttributeDefinition
    allowed: tuple[str, ...]
    type_ids: tuple[int, ...] | None

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def kind(self) -> AttributeKind:
        return AttributeKind(self.definition.kind)


async def attribute_facets(ctx: Context, product_filter: ProductFilter) -> list[AttributeFacet]:
    catalog = await load_attribute_catalog(ctx)
    conditions = compile_filter(product_filter, dialect=ctx.session.dialect, catalog=catalog)
    scope = catalog.scoped(
        type_id=product_type_id_of(product_filter), type_slug=product_filter.product_type_slug
    )
    facetables = facetable_attributes(scope)
    groups = _groups(conditions, facetables)
    if not groups:
        return []
    counted: dict[str, list[Any]] = defaultdict(list)
    for row in await ctx.session.rows(_value_counts_statement(groups)):
        counted[row.attribute_key].append(row)
    numbers = await _number_facets(ctx, groups, facetables, counted)
    return [
        _facet(facetable, counted[facetable.key], numbers.get(facetable.key))
        for facetable in facetables
        if counted.get(facetable.key)
    ]


async def _number_facets(
    ctx: Context, groups: list[Group], facetables: list[_Facetable], counted: dict[str, list[Any]]
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
            tally[bucket_index(row.value_number, buckets)] += row.n
        numbers[facetable.key] = _number_facet(low, high, buckets, tally)
    if to_count:
        tallies = {key: [0] * len(buckets) for key, buckets in to_count.items()}
        for key, index, count in await ctx.session.rows(_bucket_counts_statement(groups, to_count)):
            tallies[key][index] = count
        for key, buckets in to_count.items():
            low, high = counted[key][0].low, counted[key][0].high
            numbers[key] = _number_facet(low, high, buckets, tallies[key])
    return numbers


def _number_facet(low: float, high: float, buckets: list[Bucket], tally: list[int]) -> NumberFacet:
    counts = [BucketCount(b.lower, b.upper, n) for b, n in zip(buckets, tally, strict=True)]
    return NumberFacet(min=low, max=high, buckets=counts)


async def country_facets(ctx: Context, product_filter: ProductFilter) -> list[ValueCount]:
    """Matching products per country of origin, under the filter without its country."""
    catalog = await load_attribute_catalog(ctx) if product_filter.specs else None
    conditions = compile_filter(product_filter, dialect=ctx.session.dialect, catalog=catalog)
    country, count = col(Product.country_of_origin), func.count()
    statement = (
        select(country, count)
        .where(*conditions.without_country())
        .group_by(country)
        .order_by(count.desc(), country)
    )
    return [ValueCount(code, n) for code, n in await ctx.session.rows(statement)]


def facetable_attributes(scope: AttributeCatalog) -> list[_Facetable]:
    """The keys in scope that get a facet, in the order of their first filterable definition."""
    found = []
    for scoped in scope.by_key.values():
        filterable = [s.definition for s in scoped if s.definition.filterable]
        if not filterable or len({(d.kind, d.unit) for d in filterable}) > 1:
            continue
        allowed = tuple(dict.fromkeys(v for d in filterable for v in d.allowed_values))
        partial = len(filterable) != len(scoped)
        type_ids = tuple(d.product_type_id for d in filterable) if partial else None
        found.append(_Facetable(filterable[0], allowed, type_ids))
    order = {id(scoped.definition): n for n, scoped in enumerate(scope.attributes)}
    return sorted(found, key=lambda facetable: order[id(facetable.definition)])


@dataclass(frozen=True)
class Group:
    """Facet keys counted over one product set: a CTE, computed once per statement however
    many branches (one per kind of value) read it."""

    products: CTE
    facetables: list[_Facetable]

    def of(self, facetables: list[_Facetable]) -> Group:
        return Group(self.products, facetables)


def _groups(conditions: FilterConditions, facetables: list[_Facetable]) -> list[Group]:
    """One product set for the unconditioned keys, and one per key the filter constrains."""
    sets = []
    free = [f for f in facetables if f.key not in conditions.specs]
    if free:
        sets.append((conditions.all(), free))
    sets += [
        (conditions.without_attribute(f.key), [f]) for f in facetables if f.key in conditions.specs
    ]
    return [
        Group(select(col(Product.id)).where(*products).cte(f"facet_products_{n}"), keys)
        for n, (products, keys) in enumerate(sets)
    ]


def _rows_of(group: Group) -> ColumnElement[bool]:
    """Spec rows of the group's keys (from filterable types) on the group's products."""
    values = product_spec_values.c
    plain = [f.key for f in group.facetables if f.type_ids is None]
    keys: list[ColumnElement[bool]] = [values.attribute_key.in_(plain)] if plain else []
    keys += [
        and_(values.attribute_key == f.key, values.product_type_id.in_(f.type_ids))
        for f in group.facetables
        if f.type_ids is not None
    ]
    return and_(or_(*keys), values.product_id.in_(select(group.products.c.id)))


AnySelect = Select[*tuple[Any, ...]]


def _union(branches: Sequence[AnySelect]) -> Any:
    return branches[0].subquery() if len(branches) == 1 else union_all(*branches).subquery()


def _value_counts_statement(groups: list[Group]) -> Select[Any]:
    """Matching products per value of each key, at most MAX_FACET_VALUES values a key, most
    frequent first; each row also carries its key's number of values, minimum and maximum.

    NUMBER keys are grouped by value too: catalog numbers (bores, weights, lengths) take few
    distinct values, and when they all fit the buckets are counted from these rows, without
    a second statement.

    The group of unconstrained keys is the filter's own (smallest) product set: one branch
    reads all its values through the (product_id, attribute_key, values...) index. A key the
    filter constrains is counted over a larger set, so its branch reads only that key's value
    column, a range of the (attribute_key, value, product_id) index. Neither visits the table.
    """
    values = product_spec_values.c
    branches: list[AnySelect] = []
    for group in groups:
        kinds = {f.kind for f in group.facetables}
        used = {
            values.value_text: bool(kinds & _TEXT_KINDS),
            values.value_bool: AttributeKind.BOOLEAN in kinds,
            values.value_number: AttributeKind.NUMBER in kinds,
        }
        branches.append(
            select(
                values.attribute_key,
                *(
                    (column if is_used else cast(null(), column.type)).label(column.name)
                    for column, is_used in used.items()
                ),
                func.count().label("n"),
            )
            .where(_rows_of(group))
            .group_by(values.attribute_key, *(c for c, is_used in used.items() if is_used))
        )
    counts = _union(branches)
    key = counts.c.attribute_key
    ranked = select(
        counts,
        func.row_number()
        .over(
            partition_by=key,
            order_by=(
                counts.c.n.desc(),
                counts.c.value_text,
                counts.c.value_bool,
                counts.c.value_number,
            ),
        )
        .label("rank"),
        func.count().over(partition_by=key).label("distinct_values"),
        func.min(counts.c.value_number).over(partition_by=key).label("low"),
        func.max(counts.c.value_number).over(partition_by=key).label("high"),
    ).subquery()
    return select(ranked).where(ranked.c.rank <= MAX_FACET_VALUES)


_TEXT_KINDS = {AttributeKind.TEXT, AttributeKind.ENUM, AttributeKind.MULTI_ENUM}


def _bucket_counts_statement(groups: list[Group], ranges: dict[str, list[Bucket]]) -> Select[Any]:
    values = product_spec_values.c
    branches = []
    for group in groups:
        numeric = [f for f in group.facetables if f.key in ranges]
        if not numeric:
            continue
        bucket = case(
            *((values.attribute_key == f.key, _bucket_of(ranges[f.key])) for f in numeric),
            else_=0,
        )
        branches.append(
            select(values.attribute_key, bucket.label("bucket")).where(_rows_of(group.of(numeric)))
        )
    placed = _union(branches)
    return select(placed.c.attribute_key, placed.c.bucket, func.count()).group_by(
        placed.c.attribute_key, placed.c.bucket
    )


def _bucket_of(buckets: list[Bucket]) -> ColumnElement[int]:
    """The bucket index of a value: the first whose upper bound is above it, else the last."""
    number = product_spec_values.c.value_number
    if len(buckets) == 1:
        return literal(0)
    return case(
        *((number < bucket.upper, index) for index, bucket in enumerate(buckets[:-1])),
        else_=len(buckets) - 1,
    )


def _facet(facetable: _Facetable, rows: list[Any], numbers: NumberFacet | None) -> AttributeFacet:
    values: list[ValueCount] = []
    if facetable.kind is AttributeKind.BOOLEAN:
        by_value = {row.value_bool: row.n for row in rows}
        values = [ValueCount(str(v).lower(), by_value[v]) for v in (True, False) if v in by_value]
    elif facetable.kind is not AttributeKind.NUMBER:
        values = [ValueCount(row.value_text, row.n) for row in rows]
        if facetable.kind is AttributeKind.TEXT:
            values.sort(key=lambda value: (-value.count, value.value))
        else:
            order = {value: position for position, value in enumerate(facetable.allowed)}
            values.sort(key=lambda value: (order.get(value.value, len(order)), value.value))
    definition = facetable.definition
    return AttributeFacet(
        key=definition.key,
        label=definition.label,
        kind=facetable.kind,
        unit=definition.unit,
        values=values,
        numbers=numbers,
    )
