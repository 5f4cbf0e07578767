"""Mutations of products, variants and price ladders (`catalog:write`).

Without the permission the caller gets FORBIDDEN and nothing changes; with it, refusals come
back as `userErrors`. Edits name the `version` they were based on (CONFLICT when stale).
"""

from __future__ import annotations

from typing import Annotated, Any, Self

import strawberry

from auth.policy import Permission
from core.outcomes import UserErrorCode, WriteResult
from models import catalog as rows
from resolvers.catalog import price_writes, product_writes, variant_writes
from schema.catalog.product import Product
from schema.catalog.product_inputs import (
    PriceTierInput,
    ProductInput,
    ProductPatch,
    VariantInput,
    VariantPatch,
)
from schema.catalog.variant import Variant
from schema.decimal_input import DecimalBounds
from schema.info import Info
from schema.permissions import permission_field
from schema.user_errors import UserError, one_of, user_errors

CATALOG_CODES = (
    UserErrorCode.REQUIRED,
    UserErrorCode.TOO_LONG,
    UserErrorCode.OUT_OF_RANGE,
    UserErrorCode.INVALID,
    UserErrorCode.INVALID_AMOUNT,
    UserErrorCode.INVALID_COUNTRY,
    UserErrorCode.INVALID_CURRENCY,
    UserErrorCode.INVALID_HS_CODE,
    UserErrorCode.INVALID_SLUG,
    UserErrorCode.INVALID_SPEC,
    UserErrorCode.DUPLICATE_ITEM,
    UserErrorCode.TOO_MANY_ITEMS,
    UserErrorCode.NOT_ASCENDING,
    UserErrorCode.SLUG_TAKEN,
    UserErrorCode.SKU_TAKEN,
    UserErrorCode.TIER_ABOVE_MOQ,
    UserErrorCode.NOT_SELLABLE,
    UserErrorCode.ILLEGAL_TRANSITION,
    UserErrorCode.VARIANT_IN_USE,
    UserErrorCode.IDEMPOTENCY_KEY_REUSED,
    UserErrorCode.NOT_FOUND,
    UserErrorCode.CONFLICT,
)
USER_ERRORS = (
    "Why nothing was changed; empty on success. `code` is one of "
    + one_of(CATALOG_CODES)
    + "; CONFLICT means `expectedVersion` is stale: reload and apply the change again."
)
VERSION = strawberry.argument(
    description="The `version` the change is based on; a stale one changes nothing (CONFLICT)."
)
KEY = strawberry.argument(
    description=(
        "Optional, up to 100 characters: a retry with the same key and input answers what the "
        "first call made; the same key with another input is IDEMPOTENCY_KEY_REUSED."
    )
)


def _id(what: str) -> Any:
    return strawberry.argument(description=f"Global id of the {what}.")


@strawberry.type(description="The result of a change to a product.")
class ProductPayload:
    product: Product | None = strawberry.field(
        description="The product as it is now, in any status; null when the change was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def from_result(cls, result: WriteResult[rows.Product]) -> Self:
        product = None if result.row is None else Product.from_row(result.row)
        return cls(product=product, user_errors=user_errors(result.issues))


@strawberry.type(description="The result of a change to a variant or its prices.")
class VariantPayload:
    variant: Variant | None = strawberry.field(
        description="The variant as it is now; null when the change was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def from_result(cls, result: WriteResult[rows.Variant]) -> Self:
        variant = None if result.row is None else Variant.from_row(result.row)
        return cls(variant=variant, user_errors=user_errors(result.issues))


@strawberry.type(description="The result of removing a variant.")
class RemoveVariantPayload:
    removed_variant_id: strawberry.ID | None = strawberry.field(
        description="Global id of the removed variant; null when nothing was removed."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type
class ProductMutation:
    @permission_field(
        Permission.CATALOG_WRITE,
        description="Create a product as a draft: the storefront sees it once it is published.",
    )
    async def create_product(
        self,
        info: Info,
        input: Annotated[ProductInput, strawberry.argument(description="The product.")],
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> ProductPayload | None:
        result = await product_writes.create_product(
            info.context, input.to_details(), idempotency_key
        )
        return ProductPayload.from_result(result)

    @permission_field(Permission.CATALOG_WRITE, description="Change any of a product's fields.")
    async def update_product(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("product")],
        expected_version: Annotated[int, VERSION],
        input: Annotated[ProductPatch, strawberry.argument(description="The changes.")],
    ) -> ProductPayload | None:
        result = await product_writes.update_product(
            info.context,
            product_id=id,
            expected_version=expected_version,
            details=input.to_details(),
        )
        return ProductPayload.from_result(result)

    @permission_field(
        Permission.CATALOG_WRITE,
        description=(
            "Put a draft or archived product on sale, at once for every storefront. Refused "
            "(NOT_SELLABLE) unless a variant of it has a price ladder."
        ),
    )
    async def publish_product(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("product")],
        expected_version: Annotated[int, VERSION],
    ) -> ProductPayload | None:
        result = await product_writes.publish_product(
            info.context, product_id=id, expected_version=expected_version
        )
        return ProductPayload.from_result(result)

    @permission_field(
        Permission.CATALOG_WRITE,
        description="Take an active product off sale, back to draft; placed orders stand.",
    )
    async def unpublish_product(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("product")],
        expected_version: Annotated[int, VERSION],
    ) -> ProductPayload | None:
        result = await product_writes.unpublish_product(
            info.context, product_id=id, expected_version=expected_version
        )
        return ProductPayload.from_result(result)

    @permission_field(
        Permission.CATALOG_WRITE,
        description="Withdraw a draft or active product from sale; placed orders stand.",
    )
    async def archive_product(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("product")],
        expected_version: Annotated[int, VERSION],
    ) -> ProductPayload | None:
        result = await product_writes.archive_product(
            info.context, product_id=id, expected_version=expected_version
        )
        return ProductPayload.from_result(result)

    @permission_field(
        Permission.CATALOG_WRITE,
        description="Add a variant to a product; it has no prices and no stock yet.",
        extensions=[DecimalBounds()],
    )
    async def create_variant(
        self,
        info: Info,
        product_id: Annotated[strawberry.ID, _id("product")],
        input: Annotated[VariantInput, strawberry.argument(description="The variant.")],
        idempotency_key: Annotated[str | None, KEY] = None,
    ) -> VariantPayload | None:
        result = await variant_writes.create_variant(
            info.context,
            product_id=product_id,
            details=input.to_details(),
            idempotency_key=idempotency_key,
        )
        return VariantPayload.from_result(result)

    @permission_field(
        Permission.CATALOG_WRITE,
        description="Change a variant's SKU, name, options, pack, carton or cost price.",
        extensions=[DecimalBounds()],
    )
    async def update_variant(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("variant")],
        expected_version: Annotated[int, VERSION],
        input: Annotated[VariantPatch, strawberry.argument(description="The changes.")],
    ) -> VariantPayload | None:
        result = await variant_writes.update_variant(
            info.context,
            variant_id=id,
            expected_version=expected_version,
            details=input.to_details(),
        )
        return VariantPayload.from_result(result)

    @permission_field(
        Permission.CATALOG_WRITE,
        description=(
            "Remove a variant that nothing refers to, with its prices. One with history "
            "(orders, quotes, inquiries, stock movements) is kept (VARIANT_IN_USE): remove its "
            "price ladders to stop selling it."
        ),
    )
    async def remove_variant(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("variant")],
        expected_version: Annotated[int, VERSION],
    ) -> RemoveVariantPayload | None:
        result = await variant_writes.remove_variant(
            info.context, variant_id=id, expected_version=expected_version
        )
        return RemoveVariantPayload(
            removed_variant_id=None if result.row is None else id,
            user_errors=user_errors(result.issues),
        )

    @permission_field(
        Permission.CATALOG_WRITE,
        description=(
            "Set a variant's whole price ladder in one currency: minimum quantities rising "
            "strictly, prices above 0, the first tier at or below the product's MOQ. An empty "
            "list removes the currency. The variant's version moves on."
        ),
        extensions=[DecimalBounds()],
    )
    async def set_price_tiers(
        self,
        info: Info,
        variant_id: Annotated[strawberry.ID, _id("variant")],
        currency: Annotated[str, strawberry.argument(description="ISO 4217 currency code.")],
        tiers: Annotated[
            list[PriceTierInput],
            strawberry.argument(description="The whole ladder, by rising minimum quantity."),
        ],
        expected_version: Annotated[int, VERSION],
    ) -> VariantPayload | None:
        result = await price_writes.set_price_tiers(
            info.context,
            variant_id=variant_id,
            expected_version=expected_version,
            currency=currency,
            tiers=[tier.to_tier() for tier in tiers],
        )
        return VariantPayload.from_result(result)
