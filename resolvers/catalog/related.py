"""What hangs off a catalog row (its category, type, attributes, variants, product), each
through its batched loader, so a page of products costs the same statements as one."""

from __future__ import annotations

from loaders import catalog as relations
from models.catalog import AttributeDefinition, Category, Product, ProductType, Variant
from resolvers.context import Context


async def category_of(ctx: Context, product: Product) -> Category:
    row: Category = await ctx.loaders.one(relations.CATEGORY_BY_ID, product.category_id)
    return row


async def product_type_of(ctx: Context, product: Product) -> ProductType:
    row: ProductType = await ctx.loaders.one(relations.PRODUCT_TYPE_BY_ID, product.product_type_id)
    return row


async def attributes_of(ctx: Context, product_type_id: int | None) -> list[AttributeDefinition]:
    """The attributes of a product type, in display order."""
    return await ctx.loaders.many(relations.ATTRIBUTES_BY_PRODUCT_TYPE, product_type_id)


async def variants_of(ctx: Context, product_id: int | None) -> list[Variant]:
    return await ctx.loaders.many(relations.VARIANTS_BY_PRODUCT, product_id)


async def product_of(ctx: Context, variant: Variant) -> Product | None:
    """The variant's product while it is on sale; the storefront never sees a draft."""
    row: Product | None = await ctx.loaders.one(relations.PRODUCT_BY_ID, variant.product_id)
    return row


async def parent_of(ctx: Context, category: Category) -> Category | None:
    if category.parent_id is None:
        return None
    row: Category | None = await ctx.loaders.one(relations.CATEGORY_BY_ID, category.parent_id)
    return row


async def children_of(ctx: Context, category: Category) -> list[Category]:
    return await ctx.loaders.many(relations.CATEGORY_CHILDREN, category.id)
