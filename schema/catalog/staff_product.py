"""`CatalogProduct`: a product as staff see it, in any status, with its stock figures.

The storefront's `Product` (specs, variants, tiers; cost prices behind `catalog:read_cost`)
sits inside as `product`, so nothing about a product is described twice. Only fields gated
by `catalog:read_internal` return these types.
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from admin_queries import catalog as staff_catalog
from core.global_id import encode_global_id
from models import catalog as rows
from resolvers.catalog import related
from resolvers.look_ahead import Soon
from resolvers.pagination import Page
from schema.catalog.enums import ProductStatus
from schema.catalog.product import Product
from schema.catalog.variant import Variant
from schema.info import Info
from schema.node import PageInfo, connection_parts


@strawberry.type(description="A variant as staff see it: its stock and the version to edit it.")
class CatalogVariant:
    row: strawberry.Private[rows.Variant]
    id: strawberry.ID = strawberry.field(description="Global id of the variant.")
    sku: str = strawberry.field(description="Stock keeping unit.")
    version: int = strawberry.field(description="Pass as `expectedVersion` to edit it.")
    stock_on_hand: int = strawberry.field(description="Units in the warehouse.")
    stock_reserved: int = strawberry.field(description="Units held for orders not yet shipped.")

    @classmethod
    def list_from_rows(cls, found: list[rows.Variant]) -> list[Self]:
        return [cls.from_row(row) for row in found]

    @classmethod
    def from_row(cls, row: rows.Variant) -> Self:
        assert row.id is not None
        return cls(
            row=row,
            id=strawberry.ID(encode_global_id("Variant", row.id)),
            sku=row.sku,
            version=row.version,
            stock_on_hand=row.stock_on_hand,
            stock_reserved=row.stock_reserved,
        )

    @strawberry.field(description="The variant as the storefront types it: prices, options.")
    def variant(self) -> Variant:
        return Variant.from_row(self.row)


@strawberry.type(description="A product in any status, with what a staff list row shows.")
class CatalogProduct:
    row: strawberry.Private[rows.Product]
    id: strawberry.ID = strawberry.field(description="Global id of the product.")
    status: ProductStatus = strawberry.field(description="Draft, active or archived.")
    version: int = strawberry.field(description="Pass as `expectedVersion` to edit it.")
    created_at: datetime = strawberry.field(description="When the product was created.")
    updated_at: datetime = strawberry.field(description="When the product row last changed.")
    stock_on_hand: int = strawberry.field(description="Units on hand, all variants together.")
    stock_reserved: int = strawberry.field(description="Units reserved, all variants together.")
    variant_count: int = strawberry.field(description="How many variants the product has.")

    @classmethod
    def from_staff_row(cls, found: staff_catalog.StaffProduct) -> Self:
        row = found.product
        assert row.id is not None
        assert row.created_at is not None
        assert row.updated_at is not None
        return cls(
            row=row,
            id=strawberry.ID(encode_global_id("Product", row.id)),
            status=ProductStatus(row.status),
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            stock_on_hand=found.stock_on_hand,
            stock_reserved=found.stock_reserved,
            variant_count=found.variant_count,
        )

    @strawberry.field(
        description="The product as the storefront types it: name, specs, variants, prices."
    )
    def product(self) -> Product:
        return Product.from_row(self.row)

    @strawberry.field(
        description="Its variants with their stock and versions, by SKU.",
        graphql_type=list[CatalogVariant],
    )
    def variants(self, info: Info) -> Soon[list[CatalogVariant]]:
        return related.variants_of(info.context, self.row, CatalogVariant.list_from_rows)


@strawberry.type(description="A product in a staff list, with the cursor to continue after it.")
class CatalogProductEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the products after it.")
    node: CatalogProduct = strawberry.field(description="The product.")


@strawberry.type(description="A page of products in any status (Relay connection).")
class CatalogProductConnection:
    page: strawberry.Private[Page[staff_catalog.StaffProduct]]
    edges: list[CatalogProductEdge] = strawberry.field(description="Products with cursors.")
    nodes: list[CatalogProduct] = strawberry.field(description="Products without cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[staff_catalog.StaffProduct]) -> Self:
        edges, nodes, info = connection_parts(
            page, CatalogProduct.from_staff_row, CatalogProductEdge
        )
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many products match, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()
