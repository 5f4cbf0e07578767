"""Staff catalog reads: products in every status, one product, a variant's stock ledger.

Every field needs `catalog:read_internal`; storefront callers (anonymous, client users,
storefront keys) get FORBIDDEN. The storefront's own catalog fields are in `query.py`.
"""

from __future__ import annotations

from typing import Annotated, cast

import strawberry

from admin_queries import catalog as staff_catalog
from auth.policy import Permission
from resolvers.look_ahead import look_ahead
from schema.catalog.staff_filters import CatalogProductFilter, CatalogProductSort
from schema.catalog.staff_product import CatalogProduct, CatalogProductConnection
from schema.catalog.stock_movement import StockMovementConnection
from schema.info import Info
from schema.node import PageAfter, PageSize
from schema.permissions import permission_field
from schema.selection import rows_of_connection, selection_of


@strawberry.type
class StaffCatalogQuery:
    @permission_field(
        Permission.CATALOG_READ_INTERNAL,
        description=(
            "Products in every status (draft, active, archived), a page at a time. Pass "
            "`pageInfo.endCursor` as `after` for the next page, with the same arguments."
        ),
    )
    async def catalog_products(
        self,
        info: Info,
        first: PageSize = 20,
        after: PageAfter = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "Only products one of whose SKUs, or whose name, starts with this text, in "
                    "any case (an exact SKU matches too); at most 64 characters."
                )
            ),
        ] = None,
        filter: Annotated[
            CatalogProductFilter | None,
            strawberry.argument(description="Only products meeting these conditions."),
        ] = None,
        sort_by: Annotated[
            CatalogProductSort, strawberry.argument(description="The order of the products.")
        ] = CatalogProductSort.NAME,
    ) -> CatalogProductConnection | None:
        page = await staff_catalog.list_catalog_products(
            info.context,
            first=first,
            after=after,
            search=search,
            product_filter=(filter or CatalogProductFilter()).to_resolver(),
            sort=staff_catalog.StaffProductSort(cast(str, sort_by.value)),
        )
        products = [found.product for found in page.rows]
        selected = rows_of_connection(selection_of(info))
        await look_ahead(info.context, "CatalogProduct", products, selected)
        return CatalogProductConnection.from_page(page)

    @permission_field(
        Permission.CATALOG_READ_INTERNAL,
        description="A product in any status by its global id; null if there is none.",
    )
    async def catalog_product(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The product's global id.")],
    ) -> CatalogProduct | None:
        found = await staff_catalog.catalog_product(info.context, id)
        return None if found is None else CatalogProduct.from_staff_row(found)

    @permission_field(
        Permission.CATALOG_READ_INTERNAL,
        description=(
            "A variant's stock movements, newest first, a page at a time; null if the variant "
            "does not exist."
        ),
    )
    async def catalog_stock_movements(
        self,
        info: Info,
        variant_id: Annotated[
            strawberry.ID, strawberry.argument(description="The variant's global id.")
        ],
        first: PageSize = 20,
        after: PageAfter = None,
    ) -> StockMovementConnection | None:
        page = await staff_catalog.variant_stock_movements(
            info.context, variant_id=variant_id, first=first, after=after
        )
        return None if page is None else StockMovementConnection.from_page(page)
