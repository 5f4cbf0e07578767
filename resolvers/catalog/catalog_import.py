"""Applying a catalog file's records: upserts by natural key, through the mutations themselves.

Each record calls the mutation a member of staff would (createProduct, updateVariant,
setPriceTiers, adjustStock, ...), so a row of a file meets the same rules, writes the same
audit rows and events, and changes stock only through the ledger. A batch runs in one
transaction; each mutation in it runs in a savepoint of its own, so a refused row is reported
and rolls back alone. An update that changes nothing bumps no version, audits nothing and
emits nothing: a file applied twice changes nothing the second time.

`apply_batch` is what a background job calls, batch by batch; `dry_run` runs every record the
same way inside one transaction that is rolled back, so it reports what a real run would.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import col, select

from auth.principal import ANONYMOUS, Principal
from core.cache import InMemoryCache
from core.db import Database
from core.deferred_writes import DeferredWrites
from core.global_id import encode_global_id
from core.kv import KeyValueStores
from core.outcomes import Issue, UserErrorCode
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings
from models.catalog import (
    AttributeDefinition,
    AttributeKind,
    Category,
    Product,
    ProductStatus,
    ProductType,
    Variant,
)
from resolvers.catalog.attribute_writes import add_attribute, update_attribute
from resolvers.catalog.catalog_file import FileError, split_list
from resolvers.catalog.catalog_rows import (
    OPTION,
    SPEC,
    AttributeRecord,
    CatalogFile,
    CategoryRecord,
    LadderRecord,
    ProductRecord,
    ProductTypeRecord,
    Record,
    StatusRecord,
    StockRecord,
    VariantRecord,
)
from resolvers.catalog.categories_writes import (
    CategoryDetails,
    create_category,
    move_category,
    update_category,
)
from resolvers.catalog.price_writes import set_price_tiers
from resolvers.catalog.product_rules import ProductDetails, SpecValue
from resolvers.catalog.product_types_writes import (
    ProductTypeDetails,
    create_product_type,
    update_product_type,
)
from resolvers.catalog.product_writes import (
    archive_product,
    create_product,
    publish_product,
    unpublish_product,
    update_product,
)
from resolvers.catalog.stock_writes import Adjustment, adjust_stock
from resolvers.catalog.taxonomy_rules import AttributePatch, check_attribute
from resolvers.catalog.variant_writes import create_variant, update_variant
from resolvers.checks import Checker
from resolvers.context import Context

STOCK_REASON = "catalog import"
CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"
# API fields of the mutations' issues, as the file's columns.
COLUMN_OF = {
    "parentId": "parent_slug",
    "categoryId": "category_slug",
    "productTypeId": "product_type_slug",
    "variantId": "sku",
    "adjustment": "stock_on_hand",
}


# Records a transaction; progress is kept per batch. Each record runs in a savepoint of its
# own (a subtransaction), and PostgreSQL keeps at most 64 of a transaction's subtransactions
# in shared memory: past that, every other session's visibility checks read pg_subtrans, and
# the storefront's reads slow down for as long as the import's transaction is open.
BATCH_RECORDS = 50


@dataclass(frozen=True)
class Actor:
    """Who applies the file: a member of staff, or the system (`label`, such as "cli")."""

    principal: Principal = ANONYMOUS
    label: str = ""
    request_id: str = ""


@dataclass
class BatchOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[FileError] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def failed(self) -> int:
        return len({(error.file, error.row) for error in self.errors})

    def merge(self, other: BatchOutcome) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors += other.errors


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
class _Batch:
    ctx: Context
    # Lookups read on the batch's connection itself: a session would hold a savepoint open,
    # and closing it would roll back the mutations run since.
    db: AsyncConnection
    written: _Written = field(default_factory=_Written)


class RowRefused(Exception):
    def __init__(self, *errors: FileError) -> None:
        self.errors = list(errors)


class _RollBack(Exception):
    pass


async def apply_batch(
    database: Database, settings: Settings, actor: Actor, records: Sequence[Record]
) -> BatchOutcome:
    """Apply the records in one transaction; refused ones are reported, the others commit."""
    async with _transaction(database) as connection:
        outcome = await _apply_all(Database(connection), settings, actor, records)
    if outcome.created or outcome.updated:
        if database.on_catalog_committed is not None:
            await database.on_catalog_committed()
        if database.on_outbox_committed is not None:
            database.on_outbox_committed()
    return outcome


async def apply_in_batches(
    database: Database, settings: Settings, actor: Actor, catalog: CatalogFile
) -> BatchOutcome:
    """The whole file, BATCH_RECORDS records a transaction, and what reading it refused."""
    outcome = BatchOutcome(errors=list(catalog.errors))
    for start in range(0, len(catalog.records), BATCH_RECORDS):
        batch = catalog.records[start : start + BATCH_RECORDS]
        outcome.merge(await apply_batch(database, settings, actor, batch))
    return outcome


async def dry_run(
    database: Database, settings: Settings, actor: Actor, catalog: CatalogFile
) -> BatchOutcome:
    """What applying the whole file would do and refuse; nothing of it is kept."""
    outcome = BatchOutcome(errors=list(catalog.errors))
    try:
        async with _transaction(database) as connection:
            outcome.merge(await _apply_all(Database(connection), settings, actor, catalog.records))
            raise _RollBack
    except _RollBack:
        return outcome


@asynccontextmanager
async def _transaction(database: Database) -> AsyncIterator[AsyncConnection]:
    bind = database.bind
    if isinstance(bind, AsyncConnection):  # already inside a transaction (tests)
        async with bind.begin_nested():
            yield bind
        return
    assert isinstance(bind, AsyncEngine)
    engine = bind.execution_options(sqlite_write=True) if database.is_sqlite else bind
    async with engine.connect() as connection, connection.begin():
        yield connection


async def _apply_all(
    database: Database, settings: Settings, actor: Actor, records: Sequence[Record]
) -> BatchOutcome:
    ctx = Context.for_request(
        request_id=actor.request_id,
        settings=settings,
        database=database,
        stores=KeyValueStores(InMemoryCache(), InMemoryRateLimiter(), None),
        principal=actor.principal,
    )
    ctx.actor_label = actor.label
    outcome = BatchOutcome()
    assert isinstance(database.bind, AsyncConnection)
    batch = _Batch(ctx, database.bind)
    # The storefront's derived rows (spec values, search, from-prices, facet counts), the
    # audit rows and the events are written once for the batch, not once per record.
    deferred = database.deferred = DeferredWrites()
    try:
        for record in records:
            kept = deferred.checkpoint()
            try:
                result = await _apply(batch, record)
            except RowRefused as refused:
                deferred.roll_back_to(kept)
                outcome.errors += refused.errors
                continue
            if result == CREATED:
                outcome.created += 1
            elif result == UPDATED:
                outcome.updated += 1
            elif result == UNCHANGED:
                outcome.unchanged += 1
        await deferred.write(batch.db)
    finally:
        database.deferred = None
        await ctx.close()
    return outcome


async def _apply(batch: _Batch, record: Record) -> str:
    ctx, db = batch.ctx, batch.db
    if isinstance(record, CategoryRecord):
        return await _category(ctx, db, record)
    if isinstance(record, ProductTypeRecord):
        return await _product_type(ctx, db, record)
    if isinstance(record, AttributeRecord):
        return await _attribute(ctx, db, record)
    if isinstance(record, ProductRecord):
        return await _product(batch, record)
    if isinstance(record, StatusRecord):
        return await _status(batch, record)
    if isinstance(record, VariantRecord):
        return await _variant(batch, record)
    if isinstance(record, LadderRecord):
        return await _ladder(batch, record)
    return await _stock(batch, record)


def _refused(record: Record, issues: Sequence[Issue]) -> RowRefused:
    return RowRefused(*(_error_at(record, issue) for issue in issues))


def _error_at(record: Record, issue: Issue) -> FileError:
    parts = [part for part in issue.field or () if part != "input"]
    row, column = record.at.row, _column(record, parts)
    if isinstance(record, LadderRecord) and parts[:1] == ["tiers"] and len(parts) > 1:
        row = record.rows[int(parts[1])]
    return FileError(record.at.file, row, column, issue.code, issue.message)


def _column(record: Record, parts: list[str]) -> str | None:
    if not parts:
        return None
    head = parts[0]
    if head == "id":
        return "status" if isinstance(record, StatusRecord) else _key_column(record)
    if head == "specs" and len(parts) > 1:
        return SPEC + parts[1]
    if head == "optionValues" and isinstance(record, VariantRecord):
        options = record.details.option_values or []
        index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        return OPTION + options[index][0] if index < len(options) else None
    if head == "cost":
        return "cost_price" if parts[1:2] == ["amount"] else "cost_currency"
    if head == "tiers" and len(parts) > 2:
        return _snake(parts[2])
    return COLUMN_OF.get(head) or _snake(head)


def _key_column(record: Record) -> str:
    return "sku" if isinstance(record, VariantRecord | LadderRecord | StockRecord) else "slug"


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", r"_\1", name).lower()


def _missing(record: Record, column: str, what: str) -> RowRefused:
    message = f"no {what} has this {'SKU' if column == 'sku' else 'slug'}"
    return RowRefused(
        FileError(record.at.file, record.at.row, column, UserErrorCode.NOT_FOUND, message)
    )


async def _found(db: AsyncConnection, statement: Any) -> Any:
    return (await db.execute(statement)).first()


def _moved(before: int, after: int) -> str:
    return UPDATED if after != before else UNCHANGED


async def _category(ctx: Context, db: AsyncConnection, record: CategoryRecord) -> str:
    parent_id = None
    if record.parent_slug is not None:
        parent = await _found(
            db, select(col(Category.id)).where(col(Category.slug) == record.parent_slug)
        )
        if parent is None:
            raise _missing(record, "parent_slug", "category")
        parent_id = encode_global_id("Category", parent[0])
    details = CategoryDetails(record.name, record.slug, record.description)
    stored = await _found(
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
            raise _refused(record, created.issues)
        return CREATED
    pk, version, stored_parent, stored_position = stored
    category_id = encode_global_id("Category", pk)
    updated = await update_category(
        ctx, category_id=category_id, expected_version=version, details=details
    )
    if updated.issues or updated.row is None:
        raise _refused(record, updated.issues)
    new_parent = None if parent_id is None else parent[0]
    position_moves = record.position is not None and record.position != stored_position
    if new_parent == stored_parent and not position_moves:
        return _moved(version, updated.row.version)
    moved = await move_category(
        ctx,
        category_id=category_id,
        expected_version=updated.row.version,
        parent_id=parent_id,
        position=record.position,
    )
    if moved.issues or moved.row is None:
        raise _refused(record, moved.issues)
    return _moved(version, moved.row.version)


async def _product_type(ctx: Context, db: AsyncConnection, record: ProductTypeRecord) -> str:
    details = ProductTypeDetails(record.name, record.slug, record.description)
    stored = await _found(
        db,
        select(col(ProductType.id), col(ProductType.version)).where(
            col(ProductType.slug) == record.slug
        ),
    )
    if stored is None:
        created = await create_product_type(ctx, details, [], idempotency_key=None)
        if created.issues:
            raise _refused(record, created.issues)
        return CREATED
    updated = await update_product_type(
        ctx,
        product_type_id=encode_global_id("ProductType", stored[0]),
        expected_version=stored[1],
        details=details,
    )
    if updated.issues or updated.row is None:
        raise _refused(record, updated.issues)
    return _moved(stored[1], updated.row.version)


async def _attribute(ctx: Context, db: AsyncConnection, record: AttributeRecord) -> str:
    owner = await _found(
        db,
        select(col(ProductType.id), col(ProductType.version)).where(
            col(ProductType.slug) == record.product_type_slug
        ),
    )
    if owner is None:
        raise _missing(record, "product_type_slug", "product type")
    type_id = encode_global_id("ProductType", owner[0])
    columns = ("key", "label", "kind", "unit", "required", "filterable", "allowed_values")
    stored = await _found(
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
            raise _refused(record, result.issues)
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
        raise _refused(record, result.issues)
    return UPDATED


async def _product(batch: _Batch, record: ProductRecord) -> str:
    ctx, db = batch.ctx, batch.db
    category = await _found(
        db, select(col(Category.id)).where(col(Category.slug) == record.category_slug)
    )
    if category is None:
        raise _missing(record, "category_slug", "category")
    owner = await _found(
        db, select(col(ProductType.id)).where(col(ProductType.slug) == record.product_type_slug)
    )
    if owner is None:
        raise _missing(record, "product_type_slug", "product type")
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
            raise _refused(record, created.issues)
        batch.written.product(created.row)
        return CREATED
    updated = await update_product(
        ctx,
        product_id=encode_global_id("Product", stored.pk),
        expected_version=stored.version,
        details=details,
    )
    if updated.issues or updated.row is None:
        raise _refused(record, updated.issues)
    batch.written.product(updated.row)
    return _moved(stored.version, updated.row.version)


async def _product_of(batch: _Batch, slug: str) -> _StoredProduct | None:
    if slug in batch.written.products:
        return batch.written.products[slug]
    stored = await _found(
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


async def _status(batch: _Batch, record: StatusRecord) -> str:
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
        raise _refused(record, result.issues)
    batch.written.product(result.row)
    return UPDATED


async def _variant_of(batch: _Batch, sku: str) -> _StoredVariant | None:
    if sku.lower() in batch.written.variants:
        return batch.written.variants[sku.lower()]
    stored = await _found(
        batch.db,
        select(col(Variant.id), col(Variant.version), col(Variant.product_id)).where(
            func.lower(col(Variant.sku)) == sku.lower()
        ),
    )
    return None if stored is None else _StoredVariant(stored[0], stored[1], stored[2])


async def _existing_variant(batch: _Batch, record: Record, sku: str) -> _StoredVariant:
    stored = await _variant_of(batch, sku)
    if stored is None:
        raise _missing(record, "sku", "variant")
    return stored


async def _variant(batch: _Batch, record: VariantRecord) -> str:
    product = await _product_of(batch, record.product_slug)
    if product is None:
        raise _missing(record, "product_slug", "product")
    stored = await _variant_of(batch, record.details.sku or "")
    if stored is None:
        created = await create_variant(
            batch.ctx, product_id=encode_global_id("Product", product.pk), details=record.details
        )
        if created.issues:
            raise _refused(record, created.issues)
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
        raise _refused(record, updated.issues)
    batch.written.variant(updated.row)
    return _moved(stored.version, updated.row.version)


async def _ladder(batch: _Batch, record: LadderRecord) -> str:
    stored = await _existing_variant(batch, record, record.sku)
    result = await set_price_tiers(
        batch.ctx,
        variant_id=encode_global_id("Variant", stored.pk),
        expected_version=stored.version,
        currency=record.currency,
        tiers=record.tiers,
    )
    if result.issues or result.row is None:
        raise _refused(record, result.issues)
    batch.written.variant(result.row)
    return _moved(stored.version, result.row.version)


async def _stock(batch: _Batch, record: StockRecord) -> str:
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
        raise _refused(record, result.issues)
    return UNCHANGED if result.row.movement is None else UPDATED
