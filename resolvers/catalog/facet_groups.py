"""The product sets a sidebar is counted over, and the rows of which table count each one.

Each attribute is counted under the filter without its own conditions, which makes one product
set per conditioned attribute plus one for the rest. A set whose conditions are only a product
type and/or category (the sidebar of a type or category page, or a picked attribute's
alternatives there) is not counted product by product: it sums the rows of
`facet_value_counts`, which every catalog write keeps (`core.catalog_index`), so its cost does
not grow with the catalog. Nor is a set that also picks values of one other attribute (or
countries): it sums the rows of `facet_pair_counts` for the picked values. Any other set is a
CTE whose spec rows are counted. The country facet is a key like any other (`COUNTRY_KEY`) in
these tables and in the spec rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import CTE, ColumnElement, Table, and_, literal, or_, select
from sqlmodel import col

from models.catalog import AttributeKind, Product
from models.catalog.discovery import (
    COUNTRY_KEY,
    facet_pair_counts,
    facet_value_counts,
    product_spec_values,
)
from resolvers.catalog.facet_keys import Facetable
from resolvers.catalog.product_filters import FilterConditions
from resolvers.catalog.spec_filters import ValueColumns


@dataclass(frozen=True)
class Group:
    """Facet keys (and perhaps the countries) counted over one product set, in one of three
    ways. The set is a CTE (`products`) whose spec rows, the country's among them, are
    counted; or the set is all visible products of a type and/or category, and the rows of
    `facet_value_counts` in that scope are summed; or it is those products with a picked
    value of one other key, and the rows of `facet_pair_counts` for the picked values are
    summed. `where` restricts the table's rows to the scope and picked values."""

    facetables: list[Facetable]
    countries: bool
    products: CTE | None = None
    table: Table = product_spec_values
    where: tuple[ColumnElement[bool], ...] = ()

    def weight(self) -> ColumnElement[int]:
        """What one row adds to a count: a spec row one product, a count row its products."""
        return literal(1) if self.products is not None else self.table.c.products


def sidebar_groups(
    conditions: FilterConditions, facetables: list[Facetable], *, countries: bool
) -> list[Group]:
    """One product set for the unconditioned keys (and the countries, when the filter has no
    country), one per key the filter constrains, and one for the countries when it has one."""
    sets: list[tuple[str | None, list[Facetable], bool]] = []
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
    facetables: list[Facetable],
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


def rows_of(group: Group, facetables: list[Facetable], *, countries: bool) -> ColumnElement[bool]:
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
    held = held_columns(facetables, countries=countries)
    if len(held) == 1:
        # All in one value column: the rows are ranges of its (partial) value index.
        rows.append(values[held.pop()].is_not(None))
    if group.products is not None:
        rows.append(values.product_id.in_(select(group.products.c.id)))
    return and_(*rows)


def held_columns(facetables: list[Facetable], *, countries: bool) -> set[str]:
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
