"""The storefront's catalog queries."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry

from resolvers.catalog import reads as catalog
from resolvers.catalog import sorting
from resolvers.look_ahead import look_ahead
from schema.catalog.category import Category
from schema.catalog.enums import ProductSort
from schema.catalog.facets import ProductFacets
from schema.catalog.filters import ProductFilter
from schema.catalog.product import Product, ProductConnection
from schema.catalog.product_type import ProductType
from schema.catalog.variant import Variant
from schema.clients.types import ClientCompany
from schema.decimal_input import DecimalBounds
from schema.info import Info
from schema.inquiries.inquiry import Inquiry
from schema.inquiries.quote import Quote
from schema.node import Node, PageSize
from schema.orders.types import Order
from schema.selection import rows_of_connection, selection_of
from schema.shipments.types import Shipment


def _wrap_node(type_name: str, row: object) -> Node:
    wrappers = {
        "Product": Product.from_row,
        "Variant": Variant.from_row,
        "Category": Category.from_row,
        "ProductType": ProductType.from_row,
        "ClientCompany": ClientCompany.from_row,
        "Shipment": Shipment.from_row,
        "Inquiry": Inquiry.from_row,
        "Quote": Quote.from_row,
        "Order": Order.from_row,
    }
    node: Node = wrappers[type_name](row)  # type: ignore[operator]
    return node


@strawberry.type
class CatalogQuery:
    @strawberry.field(
        description=(
            "Active products matching `filter`, in `sortBy` order, a page at a time. Pass "
            "`pageInfo.endCursor` as `after` for the next page, with the same filter and order."
        ),
        extensions=[DecimalBounds()],
    )
    async def products(
        self,
        info: Info,
        first: PageSize = 20,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Cursor after which the page starts; only valid for the same sortBy."
            ),
        ] = None,
        filter: Annotated[
            ProductFilter | None,
            strawberry.argument(description="Only products meeting these conditions."),
        ] = None,
        sort_by: Annotated[
            ProductSort, strawberry.argument(description="The order of the products.")
        ] = ProductSort.NAME,
        sort_currency: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "ISO 4217 currency of the PRICE_ASC and PRICE_DESC orders; defaults to "
                    "`filter.price.currency`."
                )
            ),
        ] = None,
    ) -> ProductConnection:
        selected = selection_of(info)
        page = await catalog.list_products(
            info.context,
            first=first,
            after=after,
            product_filter=(filter or ProductFilter()).to_resolver(),
            sort=sorting.ProductSort(cast(str, sort_by.value)),
            sort_currency=sort_currency,
            with_total="totalCount" in selected,
        )
        await look_ahead(info.context, "Product", page.rows, rows_of_connection(selected))
        return ProductConnection.from_page(page)

    @strawberry.field(
        description=(
            "Counts for a filter sidebar: per filterable attribute and per country of origin, "
            "how many active products match `filter` with each value."
        ),
        extensions=[DecimalBounds()],
    )
    def facets(
        self,
        info: Info,
        filter: Annotated[
            ProductFilter | None,
            strawberry.argument(description="The filter the storefront lists products with."),
        ] = None,
    ) -> ProductFacets:
        wanted = selection_of(info)
        return ProductFacets(
            product_filter=(filter or ProductFilter()).to_resolver(),
            wants_attributes="attributes" in wanted,
            wants_countries="countriesOfOrigin" in wanted,
        )

    @strawberry.field(description="An active product by its slug; null if there is none.")
    async def product(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The product's slug.")],
    ) -> Product | None:
        row = await catalog.product_by_slug(info.context, slug)
        if row is None:
            return None
        await look_ahead(info.context, "Product", [row], selection_of(info))
        return Product.from_row(row)

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
