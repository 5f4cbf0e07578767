"""Keeps the discovery tables of `models.discovery` in step with the catalog they derive from.

Two writers call it: the ORM flush hook in `core.db` (every product, variant and price tier
written through a session) and the bulk seeder (Core inserts, which skip the hook). Each
function replaces the derived rows of the products it is given, set-based, so calling it
twice is harmless and a batch of 2,000 products costs a handful of statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, inspect, select

from models.base import metadata
from models.catalog import PriceTier, Product, Variant
from models.discovery import (
    product_prices,
    product_search,
    product_spec_values,
    search_document,
    spec_value_rows,
)

ProductSpecs = tuple[int, int, dict[str, Any]]  # product id, product type id, validated specs
# Which products to rewrite: ids, or a query of ids (a whole seed run, without a huge IN list).
ProductIds = Collection[int] | Select[tuple[int]]

PRODUCTS = metadata.tables["products"]
VARIANTS = metadata.tables["variants"]
TIERS = metadata.tables["price_tiers"]


def write_spec_values(connection: Connection, products: Collection[ProductSpecs]) -> None:
    """Replace the typed spec rows of these products with rows from their `specs`."""
    if not products:
        return
    connection.execute(
        delete(product_spec_values).where(
            product_spec_values.c.product_id.in_([product_id for product_id, _, _ in products])
        )
    )
    rows = [row for product in products for row in spec_value_rows(*product)]
    if rows:
        connection.execute(insert(product_spec_values), rows)


def write_search_documents(connection: Connection, product_ids: Collection[int]) -> None:
    """Rebuild the search documents of these products from their current name, text and SKUs."""
    if not product_ids:
        return
    found = connection.execute(
        select(PRODUCTS.c.id, PRODUCTS.c.name, PRODUCTS.c.description, VARIANTS.c.sku)
        .outerjoin(VARIANTS, VARIANTS.c.product_id == PRODUCTS.c.id)
        .where(PRODUCTS.c.id.in_(product_ids))
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
                {"product_id": product_id, **search_document(name, description, skus[product_id])}
                for product_id, (name, description) in texts.items()
            ],
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

    @classmethod
    def collect(cls, written: Iterable[object], deleted: Iterable[object]) -> CatalogChanges:
        """From the flushed objects (ids assigned); call it while history is still present."""
        changes = cls()
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


def _current_and_former(obj: object, attribute: str) -> Iterator[int]:
    """The value of a foreign key now and, if this flush changed it, before."""
    current = getattr(obj, attribute)
    if current is not None:
        yield current
    for former in inspect(obj).attrs[attribute].history.deleted:
        if former is not None:
            yield former
