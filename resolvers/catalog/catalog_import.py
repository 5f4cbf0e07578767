"""Applying a catalog file's records: upserts by natural key, through the mutations themselves.

Each record calls the mutation a member of staff would (createProduct, updateVariant,
setPriceTiers, adjustStock, ...), so a row of a file meets the same rules, writes the same
audit rows and events, and changes stock only through the ledger. A batch runs in one
transaction; each mutation in it runs in a savepoint of its own, so a refused row is reported
and rolls back alone. An update that changes nothing bumps no version, audits nothing and
emits nothing: a file applied twice changes nothing the second time.

`apply_batch` is what a background job calls, batch by batch; `dry_run` runs every record the
same way inside one transaction that is rolled back, so it reports what a real run would.
Each kind of record is applied in `catalog_import_taxonomy` or `catalog_import_products`, and
`catalog_import_results` maps a refused record's issues to the cells of the file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from auth.principal import ANONYMOUS, Principal
from core.cache import InMemoryCache
from core.db import Database
from core.deferred_writes import DeferredWrites
from core.kv import KeyValueStores
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings
from resolvers.catalog.catalog_file import FileError
from resolvers.catalog.catalog_file_records import (
    AttributeRecord,
    CatalogFile,
    CategoryRecord,
    LadderRecord,
    ProductRecord,
    ProductTypeRecord,
    Record,
    StatusRecord,
    VariantRecord,
)
from resolvers.catalog.catalog_import_products import (
    ImportBatch,
    apply_ladder,
    apply_product,
    apply_status,
    apply_stock,
    apply_variant,
)
from resolvers.catalog.catalog_import_results import CREATED, UNCHANGED, UPDATED, RowRefused
from resolvers.catalog.catalog_import_taxonomy import (
    apply_attribute,
    apply_category,
    apply_product_type,
)
from resolvers.context import Context

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
    batch = ImportBatch(ctx, database.bind)
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


async def _apply(batch: ImportBatch, record: Record) -> str:
    ctx, db = batch.ctx, batch.db
    if isinstance(record, CategoryRecord):
        return await apply_category(ctx, db, record)
    if isinstance(record, ProductTypeRecord):
        return await apply_product_type(ctx, db, record)
    if isinstance(record, AttributeRecord):
        return await apply_attribute(ctx, db, record)
    if isinstance(record, ProductRecord):
        return await apply_product(batch, record)
    if isinstance(record, StatusRecord):
        return await apply_status(batch, record)
    if isinstance(record, VariantRecord):
        return await apply_variant(batch, record)
    if isinstance(record, LadderRecord):
        return await apply_ladder(batch, record)
    return await apply_stock(batch, record)
