"""What hangs off a catalog row (its category, type, attributes, variants, product), each
along its read path (`read_paths`): at once when a look-ahead loaded it, else through its
batched loader, so a page of products costs the same statements as one.

Each takes `build`, what the caller makes of the rows, and returns it or an awaitable of it
(`Soon`): a resolver returns that as it is, and graphql-core awaits only what needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from models.catalog import AttributeDefinition, Category, Product, ProductType, Variant
from resolvers.catalog import read_paths as paths
from resolvers.context import Context
from resolvers.look_ahead import Soon, follow

T = TypeVar("T")


def category_of(ctx: Context, product: Product, build: Callable[[Category], T]) -> Soon[T]:
    return follow(ctx, paths.PRODUCT["category"], product, build)


def product_type_of(ctx: Context, product: Product, build: Callable[[ProductType], T]) -> Soon[T]:
    return follow(ctx, paths.PRODUCT["productType"], product, build)


def specs_attributes_of(
    ctx: Context, product: Product, build: Callable[[list[AttributeDefinition]], T]
) -> Soon[T]:
    """The attributes of the product's type, in display order."""
    return follow(ctx, paths.PRODUCT["specs"], product, build)


def attributes_of(
    ctx: Context, product_type: ProductType, build: Callable[[list[AttributeDefinition]], T]
) -> Soon[T]:
    """A product type's attributes, in display order."""
    return follow(ctx, paths.PRODUCT_TYPE["attributes"], product_type, build)


def variants_of(ctx: Context, product: Product, build: Callable[[list[Variant]], T]) -> Soon[T]:
    return follow(ctx, paths.PRODUCT["variants"], product, build)


def product_of(ctx: Context, variant: Variant, build: Callable[[Product | None], T]) -> Soon[T]:
    """The variant's product while it is on sale; the storefront never sees a draft."""
    return follow(ctx, paths.VARIANT["product"], variant, build)


def parent_of(ctx: Context, category: Category, build: Callable[[Category | None], T]) -> Soon[T]:
    if category.parent_id is None:
        return build(None)
    return follow(ctx, paths.CATEGORY["parent"], category, build)


def children_of(ctx: Context, category: Category, build: Callable[[list[Category]], T]) -> Soon[T]:
    return follow(ctx, paths.CATEGORY["children"], category, build)
