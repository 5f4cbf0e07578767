"""Facets: for the products a filter matches, the values of each filterable attribute, counted.

Each attribute is counted under the filter without its own conditions, so a sidebar can show
the alternatives to what the buyer picked; every other attribute under the whole filter. That
makes one product set per conditioned attribute plus one for the rest; each set is a CTE and
a branch of one UNION ALL, so the counts cost the same few statements however many
attributes and products there are. A set whose conditions are only a product type and/or
category (the sidebar of a type or category page, or a picked attribute's alternatives there)
is not counted product by product: its branch sums the rows of `facet_value_counts`, which
every catalog write keeps (`core.catalog_index`), so its cost does not grow with the catalog.
Nor is a set that also picks values of one other attribute (or countries): its branch sums
the rows of `facet_pair_counts` for the picked values. The country facet is a key like any
other (`COUNTRY_KEY`) in these tables and in the spec rows.

1. the attribute catalog (which keys are filterable, their kind, label and unit), read once
   per request (`spec_filters.load_attribute_catalog`);
2. per attribute and value, the number of matching products, at most `MAX_FACET_VALUES`
   values per attribute, most frequent first, each row with its attribute's minimum, maximum
   and number of distinct values. NUMBER attributes are grouped by value too, and when all
   their values fit (bores, weights and lengths take few), the buckets of
   `facet_buckets.number_buckets(min, max)` are counted from these rows. The country of
   origin is one more key of the same rows (a spec row of each product holds it), counted
   with the unconditioned keys when the filter has no country; `attributes` and
   `countriesOfOrigin` share the statement;
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
    Table,
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
from models.catalog.discovery import (
    COUNTRY_KEY,
    facet_pair_counts,
    facet_value_counts,
    product_spec_values,
)
from resolvers.catalog.facet_buckets import Bucket, bucket_index, number_buckets
from resolvers.catalog.product_filters import (
    FilterConditions,
    ProductFilter,
    compile_filter,
    product_type_id_of,
)
from resolvers.catalog.spec_filters import AttributeCatalog, ValueColumns, load_attribute_catalog
from resolvers.context import Context

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


@dataclass(frozen=True)
class Sidebar:
    """Both facet lists of one filter; a list not asked for is empty."""

    attributes: list[AttributeFacet]
    countries: list[ValueCount]


async def facet_sidebar(
    ctx: Context, product_filter: ProductFilter, *, attributes: bool, countries: bool
) -> Sidebar:
    """The attribute facets and/or the country facet of a filter, counted in one statement
    (plus one for the buckets of a NUMBER key with many values)."""
    catalog = await load_attribute_catalog(ctx) if attributes or product_filter.specs else None
    conditions = compile_filter(product_filter, catalog=catalog)
    facetables: list[_Facetable] = []
    if catalog is not None and attributes:
        scope = catalog.scoped(
            type_id=product_type_id_of(product_filter), type_slug=product_filter.product_type_slug
        )
        facetables = facetable_attributes(scope)
    groups = sidebar_groups(conditions, facetables, countries=countries)
    if not groups:
        return Sidebar([], [])
    counted: dict[str, list[Any]] = defaultdict(list)
    found_countries: list[ValueCount] = []
    for row in await ctx.session.rows(value_counts_statement(groups)):
        if row.attribute_key == COUNTRY_KEY:
            found_countries.append(ValueCount(row.value_text, int(row.n)))
        else:
            counted[row.attribute_key].append(row)
    numbers = await _number_facets(ctx, groups, facetables, counted)
    found = [
        _facet(facetable, counted[facetable.key], numbers.get(facetable.key))
        for facetable in facetables
        if counted.get(facetable.key)
    ]
    found_countries.sort(key=lambda value: (-value.count, value.value))
    return Sidebar(found, found_countries)


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
    """Facet keys (and perhaps the countries) counted over one product set, in one of three
    ways. The set is a CTE (`products`) whose spec rows, the country's among them, are
    counted; or the set is all visible products of a type and/or category, and the rows of
    `facet_value_counts` in that scope are summed; or it is those products with a picked
    value of one other key, and the rows of `facet_pair_counts` for the picked values are
    summed. `where` restricts the table's rows to the scope and picked values."""

    facetables: list[_Facetable]
    countries: bool
    products: CTE | None = None
    table: Table = product_spec_values
    where: tuple[ColumnElement[bool], ...] = ()

    def weight(self) -> ColumnElement[int]:
        """What one row adds to a count: a spec row one product, a count row its products."""
        return literal(1) if self.products is not None else self.table.c.products


def sidebar_groups(
    conditions: FilterConditions, facetables: list[_Facetable], *, countries: bool
) -> list[Group]:
    """One product set for the unconditioned keys (and the countries, when the filter has no
    country), one per key the filter constrains, and one for the countries when it has one."""
    sets: list[tuple[str | None, list[_Facetable], bool]] = []
    free = [f for f in facetables if f.key not in conditions.specs]
    free_countries = countries and conditions.country is None
    if free or free_countries:
        sets.append((None, free, free_countries))
    sets += [(f.key, [f], False) for f in facetables if f.key in conditions.specs]
    if countries and conditions.country is not None:
        sets.append((COUNTRY_KEY, [], True))
    return [
        _group(conditions, own_key, keys, with_countries, f"facet_products_{n}")
        for n, (own_key, keys, with_countries) in enumerate(sets)
    ]


def _group(
    conditions: FilterConditions,
    own_key: str | None,
    facetables: list[_Facetable],
    countries: bool,
    name: str,
) -> Group:
    """Counted from the count tables when the filter without `own_key`'s conditions is a
    product type and/or category, plus at most one key's picked values; else product by
    product, over a set found in spec rows when it is attribute values in such a scope."""
    if conditions.picked_keys(without=own_key) == []:
        counts = facet_value_counts.c
        scope = conditions.scope.on(counts.product_type_id, counts.category_id)
        return Group(facetables, countries, table=facet_value_counts, where=tuple(scope))
    sole = conditions.sole_pick(without=own_key)
    if sole is not None:
        picked_key, pick = sole
        pairs = facet_pair_counts.c
        columns = ValueColumns(
            pairs.picked_text, pairs.picked_number, pairs.picked_bool, pairs.product_type_id
        )
        where = [
            *conditions.scope.on(pairs.product_type_id, pairs.category_id),
            pairs.picked_key == picked_key,
            pick.on(columns),
        ]
        return Group(facetables, countries, table=facet_pair_counts, where=tuple(where))
    on_spec_rows = conditions.on_spec_rows(without=own_key)
    if on_spec_rows is None:
        products = select(col(Product.id)).where(*conditions.without_attribute(own_key))
    else:
        # Found in spec rows (see `FilterConditions.on_spec_rows`), without reading products.
        spec_rows = product_spec_values.c
        products = select(spec_rows.product_id.label("id")).where(*on_spec_rows)
    return Group(facetables, countries, products=products.cte(name))


def _rows_of(group: Group, facetables: list[_Facetable], *, countries: bool) -> ColumnElement[bool]:
    """Rows of the group's table for these keys (from filterable types), the countries if
    asked, and its products."""
    values = group.table.c
    plain = [f.key for f in facetables if f.type_ids is None]
    if countries:
        plain.append(COUNTRY_KEY)
    keys: list[ColumnElement[bool]] = [values.attribute_key.in_(plain)] if plain else []
    keys += [
        and_(values.attribute_key == f.key, values.product_type_id.in_(f.type_ids))
        for f in facetables
        if f.type_ids is not None
    ]
    rows = [or_(*keys), *group.where]
    held = _held_columns(facetables, countries=countries)
    if len(held) == 1:
        # All in one value column: the rows are ranges of its (partial) value index.
        rows.append(values[held.pop()].is_not(None))
    if group.products is not None:
        rows.append(values.product_id.in_(select(group.products.c.id)))
    return and_(*rows)


def _held_columns(facetables: list[_Facetable], *, countries: bool) -> set[str]:
    """The value columns that hold these keys' values (and the countries', if asked)."""
    held = {"value_text"} if countries else set()
    for facetable in facetables:
        if facetable.kind is AttributeKind.NUMBER:
            held.add("value_number")
        elif facetable.kind is AttributeKind.BOOLEAN:
            held.add("value_bool")
        else:
            held.add("value_text")
    return held


AnySelect = Select[*tuple[Any, ...]]


def _union(branches: Sequence[AnySelect]) -> Any:
    return branches[0].subquery() if len(branches) == 1 else union_all(*branches).subquery()


def value_counts_statement(groups: list[Group]) -> Select[Any]:
    """Matching products per value of each key, at most MAX_FACET_VALUES values a key, most
    frequent first; each row also carries its key's number of values, minimum and maximum.
    Rows of COUNTRY_KEY are the country facet's, all of them.

    NUMBER keys are grouped by value too: catalog numbers (bores, weights, lengths) take few
    distinct values, and when they all fit the buckets are counted from these rows, without
    a second statement.

    A product set's branch for its unconstrained keys reads all values of its (smallest)
    set through the (product_id, attribute_key, values...) index; a key the filter constrains
    is counted over a larger set, so its branch reads only that key's value column, a range
    of the (attribute_key, value, product_id) index. Neither visits the table.
    """
    counts = _union([_values_branch(group) for group in groups])
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
    return select(ranked).where(
        or_(ranked.c.rank <= MAX_FACET_VALUES, ranked.c.attribute_key == COUNTRY_KEY)
    )


def _values_branch(group: Group) -> AnySelect:
    values = group.table.c
    held = _held_columns(group.facetables, countries=group.countries)
    used = {values[name]: name in held for name in ("value_text", "value_bool", "value_number")}
    n = func.count() if group.products is not None else func.sum(group.weight())
    branch = (
        select(
            values.attribute_key,
            *(
                (column if is_used else cast(null(), column.type)).label(column.name)
                for column, is_used in used.items()
            ),
            n.label("n"),
        )
        .where(_rows_of(group, group.facetables, countries=group.countries))
        .group_by(values.attribute_key, *(c for c, is_used in used.items() if is_used))
    )
    # A value no product in scope has any more keeps its count row, at 0.
    return branch if group.products is not None else branch.having(n > 0)


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
            ).where(_rows_of(group, numeric, countries=False))
        )
    placed = _union(branches)
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


def _facet(facetable: _Facetable, rows: list[Any], numbers: NumberFacet | None) -> AttributeFacet:
    values: list[ValueCount] = []
    if facetable.kind is AttributeKind.BOOLEAN:
        by_value = {row.value_bool: int(row.n) for row in rows}
        values = [ValueCount(str(v).lower(), by_value[v]) for v in (True, False) if v in by_value]
    elif facetable.kind is not AttributeKind.NUMBER:
        values = [ValueCount(row.value_text, int(row.n)) for row in rows]
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
