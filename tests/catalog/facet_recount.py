"""The facet count tables as stored, and the same counts recounted from the products."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from core.db import Database
from models.catalog import Product, ProductStatus
from models.catalog.discovery import (
    COUNTRY_KEY,
    facet_pair_counts,
    facet_value_counts,
    spec_value_rows,
)

FacetCounts = tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]


async def stored_facet_counts(db: Database, type_ids: list[int]) -> FacetCounts:
    """The stored value and pair counts of these product types, leaving out values no
    product has now."""
    values, pairs = facet_value_counts.c, facet_pair_counts.c
    value = (values.attribute_key, values.value_text, values.value_number, values.value_bool)
    picked = (pairs.picked_key, pairs.picked_text, pairs.picked_number, pairs.picked_bool)
    counted = (pairs.attribute_key, pairs.value_text, pairs.value_number, pairs.value_bool)
    async with db.session() as session:
        value_rows = await session.execute(
            select(values.product_type_id, values.category_id, *value, values.products).where(
                values.product_type_id.in_(type_ids), values.products != 0
            )
        )
        pair_rows = await session.execute(
            select(
                pairs.product_type_id, pairs.category_id, *picked, *counted, pairs.products
            ).where(pairs.product_type_id.in_(type_ids), pairs.products != 0)
        )
        return (
            Counter({tuple(row[:6]): row[6] for row in value_rows}),
            Counter({tuple(row[:10]): row[10] for row in pair_rows}),
        )


async def recounted_facets(db: Database, type_ids: list[int]) -> FacetCounts:
    """The same counts by definition: every active product's spec values and country of
    origin, from its own columns, alone and in pairs of different keys."""
    values: Counter[tuple[Any, ...]] = Counter()
    pairs: Counter[tuple[Any, ...]] = Counter()
    async with db.session() as session:
        products = await session.scalars(
            select(Product).where(col(Product.product_type_id).in_(type_ids))
        )
        for product in products:
            if product.status != ProductStatus.ACTIVE:
                continue
            assert product.id is not None
            typed = [
                (row["attribute_key"], row["value_text"], row["value_number"], row["value_bool"])
                for row in spec_value_rows(product.id, product.product_type_id, product.specs)
            ]
            typed.append((COUNTRY_KEY, product.country_of_origin, None, None))
            scope = (product.product_type_id, product.category_id)
            for one in typed:
                values[(*scope, *one)] += 1
                for other in typed:
                    if other[0] != one[0]:
                        pairs[(*scope, *one, *other)] += 1
    return values, pairs
