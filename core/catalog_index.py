"""Keeps the discovery tables of `models.catalog.discovery` in step with the catalog.

Two writers call it: the ORM flush hook in `core.db` (every product, variant and price tier
written through a session) and the bulk seeder (Core inserts, which skip the hook). Each
function replaces the derived rows of the products it is given, set-based, so calling it
twice is harmless and a batch of 2,000 products costs a handful of statements.

The facet count tables (`facet_value_counts`, `facet_pair_counts`) are the exception: they
sum over many products, so they are kept by deltas. What the written products counted before
the flush (`facet_contributions`, read before it) is subtracted and what they count after it
added, row by row with an upsert; concurrent writers add to the same rows under row locks, in
key order, so their deltas never collide.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    FromClause,
    Select,
    Table,
    and_,
    delete,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from models.base import metadata
from models.catalog import PriceTier, Product, ProductStatus, Variant
from models.catalog.discovery import (
    facet_pair_counts,
    facet_value_counts,
    facet_value_key,
    product_prices,
    product_search,
    product_spec_values,
    product_value_rows,
    search_document,
)

ProductSpecs = tuple[int, int, dict[str, Any]]  # product id, product type id, validated specs
# Which products to rewrite: ids, or a query of ids (a whole seed run, without a huge IN list).
ProductIds = Collection[int] | Select[tuple[int]]
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

PRODUCTS = metadata.tables["products"]
VARIANTS = metadata.tables["variants"]
TIERS = metadata.tables["price_tiers"]


def write_spec_values(connection: Connection, products: Collection[ProductSpecs]) -> None:
    """Replace the typed spec rows of these products with rows from their `specs` and country
    of origin, each with the product's category and name; a product that is not active has
    none (`loaders.catalog.product_is_visible`)."""
    if not products:
        return
    product_ids = [product_id for product_id, _, _ in products]
    connection.execute(
        delete(product_spec_values).where(product_spec_values.c.product_id.in_(product_ids))
    )
    active = {
        product_id: (category_id, name, country)
        for product_id, category_id, name, country in connection.execute(
            select(
                PRODUCTS.c.id, PRODUCTS.c.category_id, PRODUCTS.c.name, PRODUCTS.c.country_of_origin
            ).where(PRODUCTS.c.id.in_(product_ids), PRODUCTS.c.status == ProductStatus.ACTIVE)
        )
    }
    rows = [
        {**row, "category_id": category_id, "name": name}
        for product_id, type_id, specs in products
        if product_id in active
        for category_id, name, country in [active[product_id]]
        for row in product_value_rows(product_id, type_id, specs, country)
    ]
    if rows:
        connection.execute(insert(product_spec_values), rows)


def write_search_documents(connection: Connection, product_ids: Collection[int]) -> None:
    """Rebuild the search documents of these products from their current name, text and SKUs;
    a product that is not active has none (`loaders.catalog.product_is_visible`)."""
    if not product_ids:
        return
    found = connection.execute(
        select(PRODUCTS.c.id, PRODUCTS.c.name, PRODUCTS.c.description, VARIANTS.c.sku)
        .outerjoin(VARIANTS, VARIANTS.c.product_id == PRODUCTS.c.id)
        .where(PRODUCTS.c.id.in_(product_ids), PRODUCTS.c.status == ProductStatus.ACTIVE)
    )
    texts: dict[int, tuple[str, str]] = {}
    skus: dict[int, list[str]] = defaultdict(list)
    for product_id, name, description, sku in found:
        texts[product_id] = (name, description)
        if sku is not None:
            skus[product_id].append(sku)
    connection.execute(delete(product_search).where(product_search.c.product_id.in_(product_ids)))
    if texts:
        connection.execute(
            insert(product_search),
            [
                {
                    "product_id": product_id,
                    "name": name,
                    **search_document(name, description, skus[product_id]),
                }
                for product_id, (name, description) in texts.items()
            ],
        )


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
    """What these products add to the facet count tables as stored now: the active ones'
    spec values and country, by their type and category, alone and in pairs
    (`loaders.catalog.product_is_visible` is this status)."""
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
    included) of the active products among `product_ids`."""
    values = product_spec_values.c
    return (
        select(
            values.product_id,
            PRODUCTS.c.product_type_id,
            PRODUCTS.c.category_id,
            values.attribute_key,
            values.value_text,
            values.value_number,
            values.value_bool,
        )
        .select_from(product_spec_values.join(PRODUCTS, PRODUCTS.c.id == values.product_id))
        .where(PRODUCTS.c.id.in_(product_ids), PRODUCTS.c.status == ProductStatus.ACTIVE)
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


def write_from_prices(connection: Connection, product_ids: ProductIds) -> None:
    """Recompute the from-price per currency of these products from their price tiers.

    A variant's from-price in a currency is the unit price of its lowest quantity break there;
    the product's is the cheapest over its variants. A product without a tier in a currency
    gets no row for it, which is what excludes it from price filters and price sorting.
    """
    if isinstance(product_ids, Collection) and not product_ids:
        return
    connection.execute(delete(product_prices).where(product_prices.c.product_id.in_(product_ids)))
    connection.execute(
        insert(product_prices).from_select(
            ["product_id", "currency", "from_price"], from_prices_query(product_ids)
        )
    )


def from_prices_query(product_ids: ProductIds) -> Select[Any]:
    """(product id, currency, from-price) rows; driven from the products' variants, so a
    batch reads only its own tiers."""
    lower = TIERS.alias("lower_tiers")
    lower_break_exists = (
        select(lower.c.min_quantity)
        .where(
            lower.c.variant_id == TIERS.c.variant_id,
            lower.c.currency == TIERS.c.currency,
            lower.c.min_quantity < TIERS.c.min_quantity,
        )
        .exists()
    )
    return (
        select(VARIANTS.c.product_id, TIERS.c.currency, func.min(TIERS.c.unit_price))
        .select_from(VARIANTS.join(TIERS, TIERS.c.variant_id == VARIANTS.c.id))
        .where(VARIANTS.c.product_id.in_(product_ids), ~lower_break_exists)
        .group_by(VARIANTS.c.product_id, TIERS.c.currency)
    )


@dataclass
class CatalogChanges:
    """What one ORM flush changed, reduced to the products whose derived rows need rewriting."""

    specs: dict[int, ProductSpecs] = field(default_factory=dict)
    search: set[int] = field(default_factory=set)
    prices: set[int] = field(default_factory=set)
    tier_variants: set[int] = field(default_factory=set)
    # What the flushed products added to the facet count tables before the flush.
    counted_before: FacetTally = field(default_factory=lambda: FacetTally())

    @classmethod
    def collect(
        cls,
        written: Iterable[object],
        deleted: Iterable[object],
        counted_before: FacetTally | None = None,
    ) -> CatalogChanges:
        """From the flushed objects (ids assigned); call it while history is still present.
        `counted_before` is `facet_contributions` of the flushed products, read before it."""
        changes = cls(counted_before=counted_before or FacetTally())
        written = list(written)
        for obj in written:
            if isinstance(obj, Product) and obj.id is not None:
                changes.specs[obj.id] = (obj.id, obj.product_type_id, dict(obj.specs))
                changes.search.add(obj.id)
        for obj in [*written, *deleted]:
            if isinstance(obj, Variant):
                products = set(_current_and_former(obj, "product_id"))
                changes.search |= products
                changes.prices |= products
            elif isinstance(obj, PriceTier):
                changes.tier_variants |= set(_current_and_former(obj, "variant_id"))
        return changes

    def apply(self, connection: Connection) -> None:
        if self.tier_variants:
            self.prices |= set(
                connection.scalars(
                    select(VARIANTS.c.product_id).where(VARIANTS.c.id.in_(self.tier_variants))
                )
            )
        write_spec_values(connection, list(self.specs.values()))
        write_search_documents(connection, self.search)
        write_from_prices(connection, self.prices)
        after = facet_contributions(connection, self.specs.keys())
        add_facet_counts(connection, after.minus(self.counted_before))


def persisted_product_ids(objects: Iterable[object]) -> list[int]:
    """Ids of the already stored products among `objects`, without loading anything."""
    ids = []
    for obj in objects:
        if isinstance(obj, Product):
            identity = inspect(obj).identity
            if identity is not None:
                ids.append(int(identity[0]))
    return ids


def _current_and_former(obj: object, attribute: str) -> Iterator[int]:
    """The value of a foreign key now and, if this flush changed it, before."""
    current = getattr(obj, attribute)
    if current is not None:
        yield current
    for former in inspect(obj).attrs[attribute].history.deleted:
        if former is not None:
            yield former
