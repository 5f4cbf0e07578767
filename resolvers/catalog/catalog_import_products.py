"""Applying a catalog file's product records: products, their status, variants, price ladders
and stock, upserted by slug and SKU through the mutations staff use."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from core.global_id import encode_global_id
from core.outcomes import UserErrorCode
from models.catalog import (
    AttributeDefinition,
    AttributeKind,
    Category,
    Product,
    ProductStatus,
    ProductType,
    Variant,
)
from resolvers.catalog.catalog_file import FileError, split_list
from resolvers.catalog.catalog_file_records import (
    LadderRecord,
    ProductRecord,
    Record,
    StatusRecord,
    StockRecord,
    VariantRecord,
)
from resolvers.catalog.catalog_import_results import (
    CREATED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    RowRefused,
    found_row,
    missing_row,
    moved,
    refused_row,
)
from resolvers.catalog.price_writes import set_price_tiers
from resolvers.catalog.product_rules import ProductDetails, SpecValue
from resolvers.catalog.product_writes import (
    archive_product,
    create_product,
    publish_product,
    unpublish_product,
    update_product,
)
from resolvers.catalog.stock_writes import Adjustment, adjust_stock
from resolvers.catalog.variant_writes import create_variant, update_variant
from resolvers.context import Context

STOCK_REASON = "catalog import"


@dataclass(frozen=True)
class _StoredProduct:
    pk: int
    version: int
    status: ProductStatus


@dataclass(frozen=True)
class _StoredVariant:
    pk: int
    version: int
    product_pk: int


@dataclass
class _Written:
    """The products and variants this batch's mutations wrote, as they left them.

    A mutation keeps its row locked until the batch commits, so what it returned stays
    true for the rest of the batch, and the next record of the same row needs no lookup.
    Rows the batch only read are looked up each time: another writer may change them.
    """

    products: dict[str, _StoredProduct] = field(default_factory=dict)  # by slug
    variants: dict[str, _StoredVariant] = field(default_factory=dict)  # by lower-case SKU

    def product(self, row: Product | None) -> None:
        if row is not None and row.id is not None:
            self.products[row.slug] = _StoredProduct(row.id, row.version, ProductStatus(row.status))

    def variant(self, row: Variant | None) -> None:
        if row is not None and row.id is not None:
            self.variants[row.sku.lower()] = _StoredVariant(row.id, row.version, row.product_id)


@dataclass
class ImportBatch:
    ctx: Context
    # Lookups read on the batch's connection itself: a session would hold a savepoint open,
    # and closing it would roll back the mutations run since.
    db: AsyncConnection
    written: _Written = field(default_factory=_Written)


async def apply_product(batch: ImportBatch, record: ProductRecord) -> str:
    ctx, db = batch.ctx, batch.db
    category = await found_row(
        db, select(col(Category.id)).where(col(Category.slug) == record.category_slug)
    )
    if category is None:
        raise missing_row(record, "category_slug", "category")
    owner = await found_row(
        db, select(col(ProductType.id)).where(col(ProductType.slug) == record.product_type_slug)
    )
    if owner is None:
        raise missing_row(record, "product_type_slug", "product type")
    specs = None
    if record.specs is not None:
        found = await db.execute(
            select(col(AttributeDefinition.key), col(AttributeDefinition.kind)).where(
                col(AttributeDefinition.product_type_id) == owner[0]
            )
        )
        kinds = {str(key): str(kind) for key, kind in found.all()}
        specs = [_spec_value(key, cell, kinds.get(key)) for key, cell in record.specs.items()]
    details = ProductDetails(
        name=record.name,
        slug=record.slug,
        description=record.description,
        category_id=encode_global_id("Category", category[0]),
        product_type_id=encode_global_id("ProductType", owner[0]),
        specs=specs,
        hs_code=record.hs_code,
        country_of_origin=record.country_of_origin,
        moq=record.moq,
        lead_time_days=record.lead_time_days,
        incoterms=record.incoterms,
    )
    stored = await _product_of(batch, record.slug)
    if stored is None:
        created = await create_product(ctx, details)
        if created.issues:
            raise refused_row(record, created.issues)
        batch.written.product(created.row)
        return CREATED
    updated = await update_product(
        ctx,
        product_id=encode_global_id("Product", stored.pk),
        expected_version=stored.version,
        details=details,
    )
    if updated.issues or updated.row is None:
        raise refused_row(record, updated.issues)
    batch.written.product(updated.row)
    return moved(stored.version, updated.row.version)


async def _product_of(batch: ImportBatch, slug: str) -> _StoredProduct | None:
    if slug in batch.written.products:
        return batch.written.products[slug]
    stored = await found_row(
        batch.db,
        select(col(Product.id), col(Product.version), col(Product.status)).where(
            col(Product.slug) == slug
        ),
    )
    return None if stored is None else _StoredProduct(stored[0], stored[1], stored[2])


def _spec_value(key: str, cell: str, kind: str | None) -> SpecValue:
    """A spec cell as the mutation takes it; a cell of the wrong kind goes as text, so the
    rule reports it as a value of the wrong kind."""
    if kind == AttributeKind.NUMBER:
        try:
            return SpecValue(key, number=float(Decimal(cell)))
        except (InvalidOperation, ValueError):
            return SpecValue(key, text=cell)
    if kind == AttributeKind.BOOLEAN and cell.lower() in ("true", "false"):
        return SpecValue(key, boolean=cell.lower() == "true")
    if kind == AttributeKind.MULTI_ENUM:
        return SpecValue(key, values=split_list(cell))
    return SpecValue(key, text=cell)


async def apply_status(batch: ImportBatch, record: StatusRecord) -> str:
    stored = await _product_of(batch, record.slug)
    if stored is None:
        return SKIPPED  # the product's own row was refused, and reported
    if stored.status == record.status:
        return SKIPPED
    change = {
        ProductStatus.ACTIVE: publish_product,
        ProductStatus.DRAFT: unpublish_product,
        ProductStatus.ARCHIVED: archive_product,
    }[record.status]
    result = await change(
        batch.ctx,
        product_id=encode_global_id("Product", stored.pk),
        expected_version=stored.version,
    )
    if result.issues:
        raise refused_row(record, result.issues)
    batch.written.product(result.row)
    return UPDATED


async def _variant_of(batch: ImportBatch, sku: str) -> _StoredVariant | None:
    if sku.lower() in batch.written.variants:
        return batch.written.variants[sku.lower()]
    stored = await found_row(
        batch.db,
        select(col(Variant.id), col(Variant.version), col(Variant.product_id)).where(
            func.lower(col(Variant.sku)) == sku.lower()
        ),
    )
    return None if stored is None else _StoredVariant(stored[0], stored[1], stored[2])


async def _existing_variant(batch: ImportBatch, record: Record, sku: str) -> _StoredVariant:
    stored = await _variant_of(batch, sku)
    if stored is None:
        raise missing_row(record, "sku", "variant")
    return stored


async def apply_variant(batch: ImportBatch, record: VariantRecord) -> str:
    product = await _product_of(batch, record.product_slug)
    if product is None:
        raise missing_row(record, "product_slug", "product")
    stored = await _variant_of(batch, record.details.sku or "")
    if stored is None:
        created = await create_variant(
            batch.ctx, product_id=encode_global_id("Product", product.pk), details=record.details
        )
        if created.issues:
            raise refused_row(record, created.issues)
        batch.written.variant(created.row)
        return CREATED
    if stored.product_pk != product.pk:
        message = "a variant of another product has this SKU (in any letter case)"
        raise RowRefused(
            FileError(record.at.file, record.at.row, "sku", UserErrorCode.SKU_TAKEN, message)
        )
    updated = await update_variant(
        batch.ctx,
        variant_id=encode_global_id("Variant", stored.pk),
        expected_version=stored.version,
        details=record.details,
    )
    if updated.issues or updated.row is None:
        raise refused_row(record, updated.issues)
    batch.written.variant(updated.row)
    return moved(stored.version, updated.row.version)


async def apply_ladder(batch: ImportBatch, record: LadderRecord) -> str:
    stored = await _existing_variant(batch, record, record.sku)
    result = await set_price_tiers(
        batch.ctx,
        variant_id=encode_global_id("Variant", stored.pk),
        expected_version=stored.version,
        currency=record.currency,
        tiers=record.tiers,
    )
    if result.issues or result.row is None:
        raise refused_row(record, result.issues)
    batch.written.variant(result.row)
    return moved(stored.version, result.row.version)


async def apply_stock(batch: ImportBatch, record: StockRecord) -> str:
    stored = await _existing_variant(batch, record, record.sku)
    result = await adjust_stock(
        batch.ctx,
        Adjustment(
            variant_id=encode_global_id("Variant", stored.pk),
            reason=STOCK_REASON,
            counted_on_hand=record.on_hand,
        ),
    )
    if result.issues or result.row is None:
        raise refused_row(record, result.issues)
    return UNCHANGED if result.row.movement is None else UPDATED
