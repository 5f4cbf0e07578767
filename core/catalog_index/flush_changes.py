"""What one ORM flush changed in the catalog, and the rewrite of the derived rows it needs.

`core.db`'s flush hook collects the written and deleted products, variants and price tiers
(`CatalogChanges.collect`), reads the facet contributions of already stored products before
the flush (`persisted_product_ids`), and applies the changes in the same transaction.

A bulk writer (the catalog import) instead gathers the changes of all its flushes in a
`DeferredIndex` and rewrites the derived rows once, before its transaction commits: a
product changed by five rows of a file is indexed once, in a few set-based statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, inspect, select

from core.catalog_index.facet_counts import FacetTally, add_facet_counts, facet_contributions
from core.catalog_index.product_rows import (
    PRODUCTS,
    VARIANTS,
    ProductSpecs,
    write_from_prices,
    write_search_documents,
    write_spec_values,
)
from models.catalog import PriceTier, Product, Variant


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


@dataclass
class DeferredIndex:
    """The catalog changes of many flushes in one transaction, indexed once by `apply`.

    It keeps ids only and rewrites from what is stored when applied, so changes that a
    savepoint rolled back afterwards cost a rewrite to the same rows, never a wrong one (a
    product whose creation was rolled back has no row, and had no derived rows). The
    facet counts' "before" is read from the spec rows as last indexed (`facet_contributions`),
    which no flush touched meanwhile. Readers in other transactions see nothing of the batch
    until its commit, the derived rows included.
    """

    products: set[int] = field(default_factory=set)
    search: set[int] = field(default_factory=set)
    prices: set[int] = field(default_factory=set)
    tier_variants: set[int] = field(default_factory=set)

    def add(self, changes: CatalogChanges) -> None:
        self.products |= changes.specs.keys()
        self.search |= changes.search
        self.prices |= changes.prices
        self.tier_variants |= changes.tier_variants

    def apply(self, connection: Connection) -> None:
        """Rewrite the derived rows of everything added since the last apply."""
        products = sorted(self.products)
        stored = connection.execute(
            select(PRODUCTS.c.id, PRODUCTS.c.product_type_id, PRODUCTS.c.specs).where(
                PRODUCTS.c.id.in_(products)
            )
        )
        changes = CatalogChanges(
            specs={pk: (pk, type_id, dict(specs or {})) for pk, type_id, specs in stored},
            search=set(self.search),
            prices=set(self.prices),
            tier_variants=set(self.tier_variants),
            counted_before=facet_contributions(connection, products),
        )
        changes.apply(connection)
        self.products.clear()
        self.search.clear()
        self.prices.clear()
        self.tier_variants.clear()
