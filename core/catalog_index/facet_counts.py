"""The facet count tables (`facet_value_counts`, `facet_pair_counts`), kept by deltas.

They sum over many products, so they are not rewritten per product: what the written products
counted before a write (`facet_contributions`, read before it) is subtracted and what they
count after it added, row by row with an upsert. Concurrent writers add to the same rows under
row locks, in key order, so their deltas never collide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CTE, ColumnElement, Connection, FromClause, Table, and_, func, select
from sqlalchemy.dialects import postgresql, sqlite

from core.catalog_index.product_rows import ProductIds
from models.catalog.discovery import (
    facet_pair_counts,
    facet_value_counts,
    facet_value_key,
    product_spec_values,
)

# (product type id, category id, attribute key, value_text, value_number, value_bool)
FacetValue = tuple[int, int, str, str | None, float | None, bool | None]
# (type id, category id, picked key, its text, number, bool, counted key, text, number, bool)
FacetPair = tuple[
    int,
    int,
    str,
    str | None,
    float | None,
    bool | None,
    str,
    str | None,
    float | None,
    bool | None,
]


@dataclass
class FacetTally:
    """What some products add to the facet count tables: per value, and per pair of values of
    two different attributes (country of origin included, as `COUNTRY_KEY`)."""

    values: Counter[FacetValue] = field(default_factory=Counter)
    pairs: Counter[FacetPair] = field(default_factory=Counter)

    def minus(self, before: FacetTally) -> FacetTally:
        """The change from `before` to this tally; zero changes are dropped."""
        values, pairs = Counter(self.values), Counter(self.pairs)
        values.subtract(before.values)
        pairs.subtract(before.pairs)
        return FacetTally(
            Counter({k: n for k, n in values.items() if n}),
            Counter({k: n for k, n in pairs.items() if n}),
        )


def facet_contributions(connection: Connection, product_ids: ProductIds) -> FacetTally:
    """What these products add to the facet count tables as indexed now: their spec rows
    (the country's included), by the type and category the rows carry, alone and in pairs.

    Only active products have spec rows (`write_spec_values`), and the rows carry the type
    and category they were written with, so this is what the products counted when they were
    last indexed, even after their own rows changed: a bulk writer that indexes once per
    batch (`DeferredIndex`) reads it after the products moved on."""
    if isinstance(product_ids, Collection) and not product_ids:
        return FacetTally()
    rows = _facet_rows(product_ids)
    own = [rows.c.product_type_id, rows.c.category_id, *_typed(rows)]
    values = connection.execute(select(*own, func.count()).group_by(*own))
    picked, counted = rows.alias("picked"), rows.alias("counted")
    pair = [picked.c.product_type_id, picked.c.category_id, *_typed(picked), *_typed(counted)]
    pairs = connection.execute(
        select(*pair, func.count())
        .select_from(
            picked.join(
                counted,
                and_(
                    counted.c.product_id == picked.c.product_id,
                    counted.c.attribute_key != picked.c.attribute_key,
                ),
            )
        )
        .group_by(*pair)
    )
    return FacetTally(
        Counter({tuple(row[:6]): int(row[6]) for row in values}),
        Counter({tuple(row[:10]): int(row[10]) for row in pairs}),
    )


def _facet_rows(product_ids: ProductIds) -> CTE:
    """(product, type, category, key, text, number, bool) per spec row (the country's
    included) of `product_ids`."""
    values = product_spec_values.c
    return (
        select(
            values.product_id,
            values.product_type_id,
            values.category_id,
            values.attribute_key,
            values.value_text,
            values.value_number,
            values.value_bool,
        )
        .where(values.product_id.in_(product_ids))
        .cte("facet_rows")
    )


def _typed(rows: FromClause) -> list[ColumnElement[Any]]:
    return [rows.c.attribute_key, rows.c.value_text, rows.c.value_number, rows.c.value_bool]


def add_facet_counts(connection: Connection, tally: FacetTally) -> None:
    """Add each change to its row of the facet count tables, creating rows that are missing."""
    values = [
        {**_scope_and_value(type_id, category_id, key, text, number, boolean), "products": n}
        for (type_id, category_id, key, text, number, boolean), n in tally.values.items()
        if n
    ]
    pairs = [
        {
            **_scope_and_value(type_id, category_id, key, text, number, boolean),
            **_picked(picked_key, picked_text, picked_number, picked_bool),
            "products": n,
        }
        for (
            type_id,
            category_id,
            picked_key,
            picked_text,
            picked_number,
            picked_bool,
            key,
            text,
            number,
            boolean,
        ), n in tally.pairs.items()
        if n
    ]
    # Always values before pairs, each in key order: writers lock shared rows in one order.
    _upsert_counts(connection, facet_value_counts, _VALUE_KEY, values)
    _upsert_counts(connection, facet_pair_counts, _PAIR_KEY, pairs)


def _scope_and_value(
    type_id: int,
    category_id: int,
    key: str,
    text: str | None,
    number: float | None,
    boolean: bool | None,
) -> dict[str, Any]:
    return {
        "product_type_id": type_id,
        "category_id": category_id,
        "attribute_key": key,
        "value_key": facet_value_key(text, number, boolean),
        "value_text": text,
        "value_number": number,
        "value_bool": boolean,
    }


def _picked(
    key: str, text: str | None, number: float | None, boolean: bool | None
) -> dict[str, Any]:
    return {
        "picked_key": key,
        "picked_value_key": facet_value_key(text, number, boolean),
        "picked_text": text,
        "picked_number": number,
        "picked_bool": boolean,
    }


def _upsert_counts(
    connection: Connection, table: Table, key: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    rows.sort(key=lambda row: tuple(row[column] for column in key))
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(table)
    connection.execute(
        upsert.on_conflict_do_update(
            index_elements=[table.c[column] for column in key],
            set_={"products": table.c.products + upsert.excluded.products},
        ),
        rows,
    )


_VALUE_KEY = ("product_type_id", "category_id", "attribute_key", "value_key")
_PAIR_KEY = (
    "product_type_id",
    "category_id",
    "picked_key",
    "picked_value_key",
    "attribute_key",
    "value_key",
)
