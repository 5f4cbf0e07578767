"""Mutations of the catalog's taxonomy: the category tree, product types and their attributes.
All need `catalog:write`; refusals come back as `userErrors` and change nothing."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from auth.policy import Permission
from resolvers.catalog import attribute_writes, categories_writes, product_types_writes
from schema.catalog.taxonomy_inputs import (
    AttributeInput,
    AttributePatchInput,
    CategoryInput,
    CategoryPatch,
    ProductTypeInput,
    ProductTypePatch,
    ValueMappingInput,
)
from schema.catalog.taxonomy_payloads import (
    AttributeChangePayload,
    CategoryPayload,
    DeleteCategoryPayload,
    ProductTypePayload,
)
from schema.info import Info
from schema.permissions import permission_field

WRITE = Permission.CATALOG_WRITE
VERSION = strawberry.argument(
    description="The `version` the change is based on; a stale one changes nothing (CONFLICT)."
)
TYPE_VERSION = strawberry.argument(
    description=(
        "The product type's `version` the change is based on; a stale one changes nothing "
        "(CONFLICT). Every attribute change bumps it."
    )
)
IDEMPOTENCY_KEY = strawberry.argument(
    description=(
        "Up to 100 characters, yours to choose. Sent again with the same input, the create "
        "answers what the first call made; with another input, IDEMPOTENCY_KEY_REUSED."
    )
)
FILL = strawberry.argument(
    description=(
        "The value, of the attribute's kind, for every product of the type that would "
        "otherwise have no valid one (a new required attribute, a changed kind, a removed "
        "allowed value); it also fills products that have none yet."
    )
)
ATTRIBUTE_KEY = strawberry.argument(description="The key of the attribute, as it is now.")


def _id(what: str) -> Any:
    return strawberry.argument(description=f"Global id of the {what}.")


@strawberry.type
class TaxonomyMutation:
    @permission_field(WRITE, description="Create a category in the tree.")
    async def create_category(
        self,
        info: Info,
        input: Annotated[CategoryInput, strawberry.argument(description="The category.")],
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> CategoryPayload | None:
        result = await categories_writes.create_category(
            info.context,
            input.to_details(),
            parent_id=input.parent_id,
            position=input.position,
            idempotency_key=idempotency_key,
        )
        return CategoryPayload.from_result(result)

    @permission_field(WRITE, description="Rename a category, or change its slug or description.")
    async def update_category(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("category")],
        expected_version: Annotated[int, VERSION],
        input: Annotated[CategoryPatch, strawberry.argument(description="The changes.")],
    ) -> CategoryPayload | None:
        result = await categories_writes.update_category(
            info.context,
            category_id=id,
            expected_version=expected_version,
            details=input.to_details(),
        )
        return CategoryPayload.from_result(result)

    @permission_field(
        WRITE,
        description=(
            "Move a category under another parent (or to the top), at a position among its new "
            "siblings; with its own parent, reorder it among its siblings. Its sub-categories "
            "and products move with it. A move into itself or a descendant is CATEGORY_CYCLE."
        ),
    )
    async def move_category(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("category")],
        expected_version: Annotated[int, VERSION],
        parent_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The new parent; null moves it to the top."),
        ] = None,
        position: Annotated[
            int | None,
            strawberry.argument(
                description="Place among the new siblings, 0 first; null puts it last."
            ),
        ] = None,
    ) -> CategoryPayload | None:
        result = await categories_writes.move_category(
            info.context,
            category_id=id,
            expected_version=expected_version,
            parent_id=parent_id,
            position=position,
        )
        return CategoryPayload.from_result(result)

    @permission_field(
        WRITE,
        description=(
            "Delete an empty category: one with sub-categories is CATEGORY_HAS_CHILDREN, one "
            "with products in any status CATEGORY_HAS_PRODUCTS."
        ),
    )
    async def delete_category(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("category")],
        expected_version: Annotated[int, VERSION],
    ) -> DeleteCategoryPayload | None:
        result = await categories_writes.delete_category(
            info.context, category_id=id, expected_version=expected_version
        )
        return DeleteCategoryPayload.from_result(result)

    @permission_field(WRITE, description="Create a product type with its attributes.")
    async def create_product_type(
        self,
        info: Info,
        input: Annotated[ProductTypeInput, strawberry.argument(description="The product type.")],
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> ProductTypePayload | None:
        result = await product_types_writes.create_product_type(
            info.context,
            input.to_details(),
            [attribute.to_spec() for attribute in input.attributes],
            idempotency_key=idempotency_key,
        )
        return ProductTypePayload.from_result(result)

    @permission_field(
        WRITE, description="Rename a product type, or change its slug or description."
    )
    async def update_product_type(
        self,
        info: Info,
        id: Annotated[strawberry.ID, _id("product type")],
        expected_version: Annotated[int, VERSION],
        input: Annotated[ProductTypePatch, strawberry.argument(description="The changes.")],
    ) -> ProductTypePayload | None:
        result = await product_types_writes.update_product_type(
            info.context,
            product_type_id=id,
            expected_version=expected_version,
            details=input.to_details(),
        )
        return ProductTypePayload.from_result(result)

    @permission_field(
        WRITE,
        description=(
            "Add an attribute to a product type. A required one is refused "
            "(WOULD_INVALIDATE_PRODUCTS) while products of the type exist, unless "
            "`valueForExistingProducts` gives them a value."
        ),
    )
    async def add_product_type_attribute(
        self,
        info: Info,
        product_type_id: Annotated[strawberry.ID, _id("product type")],
        expected_version: Annotated[int, TYPE_VERSION],
        input: Annotated[AttributeInput, strawberry.argument(description="The attribute.")],
        value_for_existing_products: Annotated[JSON | None, FILL] = None,
    ) -> AttributeChangePayload | None:
        result = await attribute_writes.add_attribute(
            info.context,
            product_type_id=product_type_id,
            expected_version=expected_version,
            spec=input.to_spec(),
            fill=value_for_existing_products,
        )
        return AttributeChangePayload.from_result(result)

    @permission_field(
        WRITE,
        description=(
            "Change an attribute of a product type. A change that would leave products "
            "without a valid value (now required, a changed kind, a removed allowed value in "
            "use) is refused with WOULD_INVALIDATE_PRODUCTS and `affectedProducts`; sent with "
            "`valueMapping` and/or `valueForExistingProducts`, it converts all of them in one "
            "transaction. A new key moves the products' values to it."
        ),
    )
    async def update_product_type_attribute(
        self,
        info: Info,
        product_type_id: Annotated[strawberry.ID, _id("product type")],
        expected_version: Annotated[int, TYPE_VERSION],
        key: Annotated[str, ATTRIBUTE_KEY],
        input: Annotated[AttributePatchInput, strawberry.argument(description="The changes.")],
        value_for_existing_products: Annotated[JSON | None, FILL] = None,
        value_mapping: Annotated[
            list[ValueMappingInput] | None,
            strawberry.argument(
                description="For an ENUM or MULTI_ENUM: the kept value for each removed one."
            ),
        ] = None,
    ) -> AttributeChangePayload | None:
        result = await attribute_writes.update_attribute(
            info.context,
            product_type_id=product_type_id,
            expected_version=expected_version,
            key=key,
            patch=input.to_patch(),
            fill=value_for_existing_products,
            value_mapping=[pair.to_mapping() for pair in value_mapping or []],
        )
        return AttributeChangePayload.from_result(result)

    @permission_field(
        WRITE,
        description=(
            "Remove an attribute from a product type; its values are dropped from every "
            "product of the type (listed in `affectedProducts`)."
        ),
    )
    async def remove_product_type_attribute(
        self,
        info: Info,
        product_type_id: Annotated[strawberry.ID, _id("product type")],
        expected_version: Annotated[int, TYPE_VERSION],
        key: Annotated[str, ATTRIBUTE_KEY],
    ) -> AttributeChangePayload | None:
        result = await attribute_writes.remove_attribute(
            info.context,
            product_type_id=product_type_id,
            expected_version=expected_version,
            key=key,
        )
        return AttributeChangePayload.from_result(result)
