"""Storefront catalog reads: product listings, lookups by slug and global id, the category tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, func, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from core.errors import BadUserInput
from core.global_id import decode_global_id, decode_typed_id
from loaders import catalog as relations
from loaders.relations import Relation
from models.catalog import Category, Product, ProductType, Variant
from resolvers.context import Context
from resolvers.pagination import Page, check_page_size, decode_cursor, encode_cursor

NAME_SORT = "name"

# What `node(id:)` can return, by the type name inside the global id.
NODE_RELATIONS: dict[str, Relation] = {
    "Product": relations.PRODUCT_BY_ID,
    "Variant": relations.VARIANT_BY_ID,
    "Category": relations.CATEGORY_BY_ID,
    "ProductType": relations.PRODUCT_TYPE_BY_ID,
}


@dataclass(frozen=True)
class ProductFilter:
    category_id: str | None = None
    category_slug: str | None = None
    in_stock: bool | None = None


async def list_products(
    ctx: Context, *, first: int, after: str | None, product_filter: ProductFilter
) -> Page[Product]:
    """Active products by name, filtered; a keyset page plus a lazily counted total."""
    check_page_size(first)
    conditions = [relations.product_is_visible(), *_filter_conditions(product_filter)]
    statement = select(Product).where(*conditions)
    if after is not None:
        name, pk = decode_cursor(after, NAME_SORT, (str, int))
        statement = statement.where(tuple_(col(Product.name), col(Product.id)) > tuple_(name, pk))
    statement = statement.order_by(col(Product.name), col(Product.id)).limit(first + 1)
    rows = list(await ctx.session.scalars(statement))
    has_next_page = len(rows) > first
    rows = rows[:first]
    for row in rows:
        ctx.loaders.prime(relations.PRODUCT_BY_ID, row.id, row)

    async def total_count() -> int:
        count = select(func.count()).select_from(Product).where(*conditions)
        return int(await ctx.session.scalar(count) or 0)

    return Page(
        rows=rows,
        cursors=[encode_cursor(NAME_SORT, [row.name, row.id]) for row in rows],
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        total_count=total_count,
    )


def _filter_conditions(product_filter: ProductFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if product_filter.category_id is not None or product_filter.category_slug is not None:
        conditions.append(col(Product.category_id).in_(_category_subtree(product_filter)))
    if product_filter.in_stock is not None:
        in_stock = exists().where(
            col(Variant.product_id) == col(Product.id),
            col(Variant.stock_on_hand) > col(Variant.stock_reserved),
        )
        conditions.append(in_stock if product_filter.in_stock else ~in_stock)
    return conditions


def _category_subtree(product_filter: ProductFilter) -> Any:
    """Ids of the filter's category and all its descendants, as one recursive CTE."""
    root = select(col(Category.id))
    if product_filter.category_id is not None:
        category_id = decode_typed_id(
            product_filter.category_id, "Category", argument="filter.category"
        )
        root = root.where(col(Category.id) == category_id)
    if product_filter.category_slug is not None:
        root = root.where(col(Category.slug) == product_filter.category_slug)
    subtree = root.cte("category_subtree", recursive=True)
    child = aliased(Category)
    subtree = subtree.union_all(select(col(child.id)).where(col(child.parent_id) == subtree.c.id))
    return select(subtree.c.id)


async def product_by_slug(ctx: Context, slug: str) -> Product | None:
    product: Product | None = await ctx.loaders.one(relations.PRODUCT_BY_SLUG, slug)
    return product


async def node_by_global_id(ctx: Context, global_id: str) -> tuple[str, Any] | None:
    """The row behind a global id and its type name; None if it does not exist or is hidden."""
    type_name, pk = decode_global_id(global_id, argument="id")
    relation = NODE_RELATIONS.get(type_name)
    if relation is None:
        raise BadUserInput(f"ids of type {type_name} cannot be fetched here", argument="id")
    row = await ctx.loaders.one(relation, pk)
    return None if row is None else (type_name, row)


async def root_categories(ctx: Context) -> list[Category]:
    statement = (
        select(Category)
        .where(col(Category.parent_id).is_(None))
        .order_by(col(Category.position), col(Category.name))
    )
    return list(await ctx.session.scalars(statement))


async def category_by_slug(ctx: Context, slug: str) -> Category | None:
    category: Category | None = await ctx.loaders.one(relations.CATEGORY_BY_SLUG, slug)
    return category


async def product_type_by_slug(ctx: Context, slug: str) -> ProductType | None:
    product_type: ProductType | None = await ctx.loaders.one(relations.PRODUCT_TYPE_BY_SLUG, slug)
    return product_type
