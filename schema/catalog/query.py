"""The storefront's catalog queries."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import catalog
from schema.catalog.category import Category
from schema.catalog.product import Product, ProductConnection
from schema.catalog.product_type import ProductType
from schema.catalog.variant import Variant
from schema.info import Info
from schema.node import Node


@strawberry.input(description="Conditions a product must meet to be listed; all must hold.")
class ProductFilter:
    category: strawberry.ID | None = strawberry.field(
        default=None,
        description="Id of a Category: products in it or any of its sub-categories.",
    )
    category_slug: str | None = strawberry.field(
        default=None,
        description="Slug of a category: products in it or any of its sub-categories.",
    )
    in_stock: bool | None = strawberry.field(
        default=None,
        description="True: only products with a variant available now; false: only without.",
    )


def _wrap_node(type_name: str, row: object) -> Node:
    wrappers = {
        "Product": Product.from_row,
        "Variant": Variant.from_row,
        "Category": Category.from_row,
        "ProductType": ProductType.from_row,
    }
    node: Node = wrappers[type_name](row)  # type: ignore[operator]
    return node


@strawberry.type
class CatalogQuery:
    @strawberry.field(
        description=(
            "Active products by name, a page at a time. Pass `pageInfo.endCursor` as `after` "
            "for the next page."
        )
    )
    async def products(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="Page size, from 1 to 100.")] = 20,
        after: Annotated[
            str | None,
            strawberry.argument(description="Cursor after which the page starts."),
        ] = None,
        filter: Annotated[
            ProductFilter | None,
            strawberry.argument(description="Only products meeting these conditions."),
        ] = None,
    ) -> ProductConnection:
        given = filter or ProductFilter()
        page = await catalog.list_products(
            info.context,
            first=first,
            after=after,
            product_filter=catalog.ProductFilter(
                category_id=given.category,
                category_slug=given.category_slug,
                in_stock=given.in_stock,
            ),
        )
        return ProductConnection.from_page(page)

    @strawberry.field(description="An active product by its slug; null if there is none.")
    async def product(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The product's slug.")],
    ) -> Product | None:
        row = await catalog.product_by_slug(info.context, slug)
        return None if row is None else Product.from_row(row)

    @strawberry.field(
        description="Any object by its global id; null if it does not exist or is not visible."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A global id from an `id` field.")
        ],
    ) -> Node | None:
        found = await catalog.node_by_global_id(info.context, id)
        return None if found is None else _wrap_node(*found)

    @strawberry.field(description="Top-level categories; walk `children` for the whole tree.")
    async def categories(self, info: Info) -> list[Category]:
        return [Category.from_row(row) for row in await catalog.root_categories(info.context)]

    @strawberry.field(description="A category by its slug; null if there is none.")
    async def category(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The category's slug.")],
    ) -> Category | None:
        row = await catalog.category_by_slug(info.context, slug)
        return None if row is None else Category.from_row(row)

    @strawberry.field(description="A product type with its attribute definitions, by slug.")
    async def product_type(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The product type's slug.")],
    ) -> ProductType | None:
        row = await catalog.product_type_by_slug(info.context, slug)
        return None if row is None else ProductType.from_row(row)
