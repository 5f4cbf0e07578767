"""The staff product listing's filter and orders."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import cast

import strawberry

from admin_queries import catalog as staff_catalog
from models.catalog import ProductStatus as ProductStatusModel
from schema.catalog.enums import ProductStatus

Sort = staff_catalog.StaffProductSort


@strawberry.enum(description="Orders of the staff product listing; each pages with cursors.")
class CatalogProductSort(Enum):
    NAME = strawberry.enum_value(Sort.NAME.value, description="By name, A to Z (the default).")
    UPDATED = strawberry.enum_value(
        Sort.UPDATED.value, description="Most recently changed first (`updatedAt`)."
    )
    STOCK_ASC = strawberry.enum_value(
        Sort.STOCK_ASC.value,
        description="Least stock on hand first, all variants together (`stockOnHand`).",
    )
    STOCK_DESC = strawberry.enum_value(
        Sort.STOCK_DESC.value, description="Most stock on hand first, all variants together."
    )


@strawberry.input(description="Conditions on products of any status; all given must hold.")
class CatalogProductFilter:
    status: list[ProductStatus] | None = strawberry.field(
        default=None, description="Only products in one of these statuses."
    )
    product_type: strawberry.ID | None = strawberry.field(
        default=None, description="Only products of this product type (a global id)."
    )
    category: strawberry.ID | None = strawberry.field(
        default=None, description="Only products in this category (a global id)."
    )
    include_subcategories: bool = strawberry.field(
        default=True,
        description="With `category`: also products of its subcategories, at any depth.",
    )
    stock_below: int | None = strawberry.field(
        default=None,
        description=(
            "Only products with at least one variant whose stock on hand is below this "
            "number (from 1): the ones to restock."
        ),
    )
    no_price_in: str | None = strawberry.field(
        default=None,
        description=(
            "Only products with at least one variant that has no price tier in this ISO 4217 "
            "currency (products without variants have nothing to price and are left out)."
        ),
    )
    updated_since: datetime | None = strawberry.field(
        default=None, description="Only products whose row changed at or after this moment."
    )

    def to_resolver(self) -> staff_catalog.StaffProductFilter:
        return staff_catalog.StaffProductFilter(
            statuses=(
                None
                if self.status is None
                else [ProductStatusModel(cast(str, status.value)) for status in self.status]
            ),
            product_type_id=self.product_type,
            category_id=self.category,
            include_subcategories=self.include_subcategories,
            stock_below=self.stock_below,
            no_price_in=self.no_price_in,
            updated_since=self.updated_since,
        )
