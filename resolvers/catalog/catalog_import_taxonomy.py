"""Applying a catalog file's taxonomy records: categories, product types and their attributes,
upserted by slug (and key) through the mutations staff use."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from core.global_id import encode_global_id
from models.catalog import (
    AttributeDefinition,
    Category,
    ProductType,
)
from resolvers.catalog.attribute_writes import add_attribute, update_attribute
from resolvers.catalog.catalog_file_records import (
    AttributeRecord,
    CategoryRecord,
    ProductTypeRecord,
)
from resolvers.catalog.catalog_import_results import (
    CREATED,
    UNCHANGED,
    UPDATED,
    found_row,
    missing_row,
    moved,
    refused_row,
)
from resolvers.catalog.categories_writes import (
    CategoryDetails,
    create_category,
    move_category,
    update_category,
)
from resolvers.catalog.product_types_writes import (
    ProductTypeDetails,
    create_product_type,
    update_product_type,
)
from resolvers.catalog.taxonomy_rules import AttributePatch, check_attribute
from resolvers.checks import Checker
from resolvers.context import Context


async def apply_category(ctx: Context, db: AsyncConnection, record: CategoryRecord) -> str:
    parent_id = None
    if record.parent_slug is not None:
        parent = await found_row(
            db, select(col(Category.id)).where(col(Category.slug) == record.parent_slug)
        )
        if parent is None:
            raise missing_row(record, "parent_slug", "category")
        parent_id = encode_global_id("Category", parent[0])
    details = CategoryDetails(record.name, record.slug, record.description)
    stored = await found_row(
        db,
        select(
            col(Category.id), col(Category.version), col(Category.parent_id), col(Category.position)
        )
        .where(col(Category.slug) == record.slug)
        .execution_options(populate_existing=True),
    )
    if stored is None:
        created = await create_category(
            ctx, details, parent_id=parent_id, position=record.position, idempotency_key=None
        )
        if created.issues:
            raise refused_row(record, created.issues)
        return CREATED
    pk, version, stored_parent, stored_position = stored
    category_id = encode_global_id("Category", pk)
    updated = await update_category(
        ctx, category_id=category_id, expected_version=version, details=details
    )
    if updated.issues or updated.row is None:
        raise refused_row(record, updated.issues)
    new_parent = None if parent_id is None else parent[0]
    position_moves = record.position is not None and record.position != stored_position
    if new_parent == stored_parent and not position_moves:
        return moved(version, updated.row.version)
    relocated = await move_category(
        ctx,
        category_id=category_id,
        expected_version=updated.row.version,
        parent_id=parent_id,
        position=record.position,
    )
    if relocated.issues or relocated.row is None:
        raise refused_row(record, relocated.issues)
    return moved(version, relocated.row.version)


async def apply_product_type(ctx: Context, db: AsyncConnection, record: ProductTypeRecord) -> str:
    details = ProductTypeDetails(record.name, record.slug, record.description)
    stored = await found_row(
        db,
        select(col(ProductType.id), col(ProductType.version)).where(
            col(ProductType.slug) == record.slug
        ),
    )
    if stored is None:
        created = await create_product_type(ctx, details, [], idempotency_key=None)
        if created.issues:
            raise refused_row(record, created.issues)
        return CREATED
    updated = await update_product_type(
        ctx,
        product_type_id=encode_global_id("ProductType", stored[0]),
        expected_version=stored[1],
        details=details,
    )
    if updated.issues or updated.row is None:
        raise refused_row(record, updated.issues)
    return moved(stored[1], updated.row.version)


async def apply_attribute(ctx: Context, db: AsyncConnection, record: AttributeRecord) -> str:
    owner = await found_row(
        db,
        select(col(ProductType.id), col(ProductType.version)).where(
            col(ProductType.slug) == record.product_type_slug
        ),
    )
    if owner is None:
        raise missing_row(record, "product_type_slug", "product type")
    type_id = encode_global_id("ProductType", owner[0])
    columns = ("key", "label", "kind", "unit", "required", "filterable", "allowed_values")
    stored = await found_row(
        db,
        select(*(getattr(AttributeDefinition, name) for name in columns)).where(
            col(AttributeDefinition.product_type_id) == owner[0],
            col(AttributeDefinition.key) == record.spec.key,
        ),
    )
    if stored is None:
        result = await add_attribute(
            ctx, product_type_id=type_id, expected_version=owner[1], spec=record.spec
        )
        if result.issues:
            raise refused_row(record, result.issues)
        return CREATED
    cleaned = check_attribute(Checker(), (), record.spec)
    wanted = {
        **vars(cleaned),
        "kind": str(cleaned.kind),
        "allowed_values": list(cleaned.allowed_values),
    }
    if dict(zip(columns, stored, strict=True)) == wanted:
        return UNCHANGED
    patch = AttributePatch(**vars(record.spec))
    result = await update_attribute(
        ctx, product_type_id=type_id, expected_version=owner[1], key=record.spec.key, patch=patch
    )
    if result.issues:
        raise refused_row(record, result.issues)
    return UPDATED
