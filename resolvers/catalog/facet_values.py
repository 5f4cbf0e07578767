"""The statement that counts a sidebar's values: per key and value, the matching products.

Each product set is a branch of one UNION ALL, so the counts cost one statement however many
attributes and products there are. It keeps at most `MAX_FACET_VALUES` values per key, most
frequent first, each row with its key's minimum, maximum and number of distinct values; the
country of origin is one more key of the same rows, with all of its values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, cast, func, null, or_, select, union_all

from models.catalog.discovery import COUNTRY_KEY
from resolvers.catalog.facet_groups import Group, held_columns, rows_of

MAX_FACET_VALUES = 50


AnySelect = Select[*tuple[Any, ...]]


def union_of(branches: Sequence[AnySelect]) -> Any:
    """The branches as one subquery: their UNION ALL, or a lone branch as it is."""
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
    counts = union_of([_values_branch(group) for group in groups])
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
    held = held_columns(group.facetables, countries=group.countries)
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
        .where(rows_of(group, group.facetables, countries=group.countries))
        .group_by(values.attribute_key, *(c for c, is_used in used.items() if is_used))
    )
    # A value no product in scope has any more keeps its count row, at 0.
    return branch if group.products is not None else branch.having(n > 0)
