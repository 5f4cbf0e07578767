"""Facets: for the products a filter matches, the values of each filterable attribute, counted.

Each attribute is counted under the filter without its own conditions, so a sidebar can show
the alternatives to what the buyer picked; every other attribute under the whole filter. The
counts cost the same few statements however many attributes and products there are:

1. the attribute catalog (which keys are filterable, their kind, label and unit), read once
   per request (`spec_filters.load_attribute_catalog`), gives the keys that get a facet
   (`facet_keys`);
2. the filter makes one product set per conditioned attribute plus one for the rest, each
   counted from spec rows or from the count tables (`facet_groups`);
3. one statement counts the matching products per key and value, the country of origin being
   one more key (`facet_values`): `attributes` and `countriesOfOrigin` share it;
4. NUMBER keys get their minimum, maximum and bucket counts from those rows, or from one more
   statement when they have too many values (`facet_numbers`).

This module assembles the sidebar from the counted rows, each facet's values in reading order.
The statements and the count tables each set reads: docs/design/catalog-discovery.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from models.catalog import AttributeKind
from models.catalog.discovery import COUNTRY_KEY
from resolvers.catalog.facet_groups import sidebar_groups
from resolvers.catalog.facet_keys import Facetable, facetable_attributes
from resolvers.catalog.facet_numbers import NumberFacet, number_facets
from resolvers.catalog.facet_values import value_counts_statement
from resolvers.catalog.product_filters import ProductFilter, compile_filter, product_type_id_of
from resolvers.catalog.spec_filters import load_attribute_catalog
from resolvers.context import Context


@dataclass(frozen=True)
class ValueCount:
    value: str
    count: int


@dataclass(frozen=True)
class AttributeFacet:
    key: str
    label: str
    kind: AttributeKind
    unit: str | None
    values: list[ValueCount]
    numbers: NumberFacet | None


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
    facetables: list[Facetable] = []
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
    numbers = await number_facets(ctx, groups, facetables, counted)
    found = [
        _facet(facetable, counted[facetable.key], numbers.get(facetable.key))
        for facetable in facetables
        if counted.get(facetable.key)
    ]
    found_countries.sort(key=lambda value: (-value.count, value.value))
    return Sidebar(found, found_countries)


def _facet(facetable: Facetable, rows: list[Any], numbers: NumberFacet | None) -> AttributeFacet:
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
