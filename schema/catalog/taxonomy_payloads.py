"""Payloads of the category, product type and attribute mutations."""

from __future__ import annotations

from typing import Self

import strawberry

from core.global_id import encode_global_id
from core.outcomes import UserErrorCode, WriteResult
from models import catalog as rows
from resolvers.catalog.attribute_writes import AffectedProducts as AffectedProductsResult
from resolvers.catalog.attribute_writes import AttributeChangeResult
from schema.catalog.category import Category
from schema.catalog.product_type import ProductType
from schema.user_errors import UserError, one_of, user_errors

SHAPE_CODES = (
    UserErrorCode.REQUIRED,
    UserErrorCode.TOO_LONG,
    UserErrorCode.OUT_OF_RANGE,
    UserErrorCode.INVALID_SLUG,
    UserErrorCode.NOT_FOUND,
    UserErrorCode.CONFLICT,
)
CATEGORY_CODES = (
    *SHAPE_CODES,
    UserErrorCode.SLUG_TAKEN,
    UserErrorCode.CATEGORY_CYCLE,
    UserErrorCode.CATEGORY_HAS_CHILDREN,
    UserErrorCode.CATEGORY_HAS_PRODUCTS,
    UserErrorCode.IDEMPOTENCY_KEY_REUSED,
)
PRODUCT_TYPE_CODES = (
    *SHAPE_CODES,
    UserErrorCode.SLUG_TAKEN,
    UserErrorCode.INVALID,
    UserErrorCode.INVALID_ATTRIBUTE_KEY,
    UserErrorCode.ATTRIBUTE_KEY_TAKEN,
    UserErrorCode.NO_ITEMS,
    UserErrorCode.TOO_MANY_ITEMS,
    UserErrorCode.DUPLICATE_ITEM,
    UserErrorCode.INVALID_SPEC,
    UserErrorCode.WOULD_INVALIDATE_PRODUCTS,
    UserErrorCode.IDEMPOTENCY_KEY_REUSED,
)
WHY = (
    "Why nothing was changed; empty on success. `code` is one of {codes}; CONFLICT means "
    "`expectedVersion` is stale: reload and apply the change again."
)


@strawberry.type(description="The result of a change to a category.")
class CategoryPayload:
    category: Category | None = strawberry.field(
        description="The category as it is now; null when the change was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description=WHY.format(codes=one_of(CATEGORY_CODES))
    )

    @classmethod
    def from_result(cls, result: WriteResult[rows.Category]) -> Self:
        category = None if result.row is None else Category.from_row(result.row)
        return cls(category=category, user_errors=user_errors(result.issues))


@strawberry.type(description="The result of deleting a category.")
class DeleteCategoryPayload:
    deleted_category_id: strawberry.ID | None = strawberry.field(
        description="Global id of the deleted category; null when nothing was deleted."
    )
    user_errors: list[UserError] = strawberry.field(
        description=WHY.format(codes=one_of(CATEGORY_CODES))
    )

    @classmethod
    def from_result(cls, result: WriteResult[int]) -> Self:
        deleted = None if result.row is None else encode_global_id("Category", result.row)
        return cls(
            deleted_category_id=None if deleted is None else strawberry.ID(deleted),
            user_errors=user_errors(result.issues),
        )


@strawberry.type(description="The result of creating or editing a product type.")
class ProductTypePayload:
    product_type: ProductType | None = strawberry.field(
        description="The product type as it is now; null when the change was refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description=WHY.format(codes=one_of(PRODUCT_TYPE_CODES))
    )

    @classmethod
    def from_result(cls, result: WriteResult[rows.ProductType]) -> Self:
        product_type = None if result.row is None else ProductType.from_row(result.row)
        return cls(product_type=product_type, user_errors=user_errors(result.issues))


@strawberry.type(description="A product named by a product type change, in any status.")
class ProductSummary:
    id: strawberry.ID = strawberry.field(description="Global id of the product.")
    name: str = strawberry.field(description="Its name.")
    slug: str = strawberry.field(description="Its slug.")

    @classmethod
    def from_row(cls, row: rows.Product) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_global_id("Product", row.id)), name=row.name, slug=row.slug
        )


@strawberry.type(description="How many products an attribute change touches, and a few of them.")
class AffectedProducts:
    count: int = strawberry.field(description="How many products in all, in any status.")
    sample: list[ProductSummary] = strawberry.field(
        description="The first few of them (by id), at most 5."
    )

    @classmethod
    def from_result(cls, affected: AffectedProductsResult) -> Self:
        return cls(
            count=affected.count, sample=[ProductSummary.from_row(row) for row in affected.sample]
        )


@strawberry.type(description="The result of adding, editing or removing an attribute.")
class AttributeChangePayload:
    product_type: ProductType | None = strawberry.field(
        description="The product type as it is now (its version bumped); null when refused."
    )
    affected_products: AffectedProducts | None = strawberry.field(
        description=(
            "On success, the products whose specs were converted (version bumped, a "
            "product.updated event each). Refused with WOULD_INVALIDATE_PRODUCTS, the "
            "products that would be left without a valid value. Null otherwise."
        )
    )
    user_errors: list[UserError] = strawberry.field(
        description=WHY.format(codes=one_of(PRODUCT_TYPE_CODES))
    )

    @classmethod
    def from_result(cls, result: AttributeChangeResult) -> Self:
        row = result.product_type
        affected = result.affected
        return cls(
            product_type=None if row is None else ProductType.from_row(row),
            affected_products=None if affected is None else AffectedProducts.from_result(affected),
            user_errors=user_errors(result.issues),
        )
