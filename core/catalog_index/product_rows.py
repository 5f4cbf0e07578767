"""The derived rows of each product: typed spec values, search document, from-prices.

Each function replaces the rows of the products it is given from what is stored now,
set-based, so calling it twice is harmless and a batch of 2,000 products costs a handful of
statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, select

from models.base import metadata
from models.catalog import ProductStatus
from models.catalog.discovery import (
    product_prices,
    product_search,
    product_spec_values,
    product_value_rows,
    search_document,
)

ProductSpecs = tuple[int, int, dict[str, Any]]  # product id, product type id, validated specs
# Which products to rewrite: ids, or a query of ids (a whole seed run, without a huge IN list).
ProductIds = Collection[int] | Select[tuple[int]]

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
