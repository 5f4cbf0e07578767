"""`tradeql seed-demo`: load the demo import-export catalog of `app.demo_catalog`, and with
`--orders N` an order book of N orders from `app.demo_orders` (docs/design/demo-orders.md).

Bulk Core inserts in one transaction, with the catalog's write rules and discovery rows applied
by hand because Core inserts skip the ORM flush hook; why, and what it costs, is in
docs/design/demo-seed.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.cli.arguments import Commands, positive
from app.demo_catalog.categories import CATEGORIES
from app.demo_catalog.drafting import ProductDraft, draft_product
from app.demo_catalog.product_types import PRODUCT_TYPES
from app.demo_catalog.trade import USD_RATES
from core.catalog_index.facet_counts import add_facet_counts, facet_contributions
from core.catalog_index.product_rows import (
    ProductSpecs,
    write_from_prices,
    write_search_documents,
    write_spec_values,
)
from core.db import CATALOG_CHANGED, Database, create_engine
from core.kv import close, create_key_value_stores
from core.settings import get_settings
from models.base import metadata
from models.catalog import AttributeDefinition, Product, Variant
from models.catalog.rules import check_currency, check_product, check_variant
from models.catalog.stock import StockMovementKind

# Large enough that statement overhead vanishes, small enough that a batch's rows (about
# 17,000 price tiers) stay a few megabytes of Python objects.
BATCH_PRODUCTS = 2_000
# Arbitrary but fixed: the key of the PostgreSQL advisory lock that serialises seeders.
SEED_LOCK_KEY = 0x74_72_61_64_65_71_6C  # "tradeql" in ASCII

CATEGORIES_TABLE = metadata.tables["categories"]
TYPES_TABLE = metadata.tables["product_types"]
ATTRIBUTES_TABLE = metadata.tables["attribute_definitions"]
PRODUCTS_TABLE = metadata.tables["products"]
VARIANTS_TABLE = metadata.tables["variants"]
TIERS_TABLE = metadata.tables["price_tiers"]
MOVEMENTS_TABLE = metadata.tables["stock_movements"]
# The ledger's first row of a seeded variant: its stock on hand is explained from the start.
OPENING_STOCK = "opening stock (seed-demo)"


def add_commands(commands: Commands) -> None:
    seed = commands.add_parser("seed-demo", help="load a demo import-export catalog")
    seed.add_argument("--products", type=positive, default=200, help="products (default 200)")
    seed.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing when products (with --orders: orders) already exist",
    )
    seed.add_argument(
        "--orders",
        type=positive,
        help="also write an order book of N orders over three years, selling the catalog "
        "(seeded first when it has no products)",
    )
    seed.add_argument(
        "--seed", type=int, default=7, help="the order book's random seed (default 7)"
    )
    seed.set_defaults(handler=_seed_demo)


def _seed_demo(args: argparse.Namespace) -> int:
    from app.read_cache import invalidate_cached_reads_on_commit

    settings = get_settings()

    async def run() -> str:
        engine = create_engine(settings)
        stores = create_key_value_stores(settings)
        try:
            database = Database(engine)
            # The servers' cached catalog reads must not outlive the seed (shared via Redis).
            invalidate_cached_reads_on_commit(database, stores)
            await database.check_connection()
            if args.orders is not None:
                return await _seed_order_book(database, args)
            report = await seed_demo(database, products=args.products, if_empty=args.if_empty)
        finally:
            await close(stores)
            await engine.dispose()
        if report.skipped:
            return "catalog already has products; nothing seeded"
        return _catalog_summary(report)

    print(asyncio.run(run()), file=sys.stderr)
    return 0


def _catalog_summary(report: SeedReport) -> str:
    return (
        f"seeded {report.products} products, {report.variants} variants, "
        f"{report.price_tiers} price tiers in {report.categories} categories"
    )


async def _seed_order_book(database: Database, args: argparse.Namespace) -> str:
    """The catalog where there is none, then the order book (refused over existing orders)."""
    from app.cli.command_database import OperatorError
    from app.demo_orders.seeding import OrderBookRefused, seed_order_book

    lines = []
    catalog = await seed_demo(database, products=args.products, if_empty=True)
    if not catalog.skipped:
        lines.append(_catalog_summary(catalog))
    started = time.perf_counter()

    def progress(done: int) -> None:
        print(f"{done:,} of {args.orders:,} orders written", file=sys.stderr)

    try:
        book = await seed_order_book(
            database, orders=args.orders, seed=args.seed, if_empty=args.if_empty, progress=progress
        )
    except OrderBookRefused as refusal:
        raise OperatorError(str(refusal)) from None
    if book.skipped:
        lines.append("the database already has orders; no order book seeded")
    else:
        counts = ", ".join(f"{count:,} {table}" for table, count in book.rows.items() if count)
        lines.append(
            f"seeded {book.orders:,} orders in {time.perf_counter() - started:.1f} s: {counts}"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class SeedReport:
    """What a seed did. Categories and product types count the demo tree, whether this run
    created those rows or found them from an earlier seed; the rest count inserted rows."""

    categories: int = 0
    product_types: int = 0
    products: int = 0
    variants: int = 0
    price_tiers: int = 0
    skipped: bool = False


async def seed_demo(
    database: Database, *, products: int = 200, if_empty: bool = False, seed: int = 7
) -> SeedReport:
    """Insert `products` demo products (with their categories, types, variants and tiers).

    With `if_empty`, a database that already has any product is left alone (skipped=True).
    Otherwise the demo categories and product types are created where missing and reused where
    present, so seeding twice adds products instead of failing on duplicate slugs.
    """
    if products < 0:
        raise ValueError("products must not be negative")
    for currency in USD_RATES:  # every tier and cost currency of the demo comes from here
        check_currency("currency", currency)
    async with database.transaction() as session:
        if not database.is_sqlite:
            # Two `--if-empty` starts at once (replicas booting) must not both seed. SQLite
            # needs no lock: its write transaction begins IMMEDIATE and so runs alone.
            await session.execute(select(func.pg_advisory_xact_lock(SEED_LOCK_KEY)))
        if if_empty and await session.scalar(select(PRODUCTS_TABLE.c.id).limit(1)) is not None:
            return SeedReport(skipped=True)
        # Core inserts pass no ORM flush hook: mark the write so the commit invalidates cached
        # catalog reads (`Database.transaction`).
        session.info[CATALOG_CHANGED] = True
        category_ids = await _ensure_categories(session)
        type_ids = await _ensure_product_types(session)
        attributes = await _attributes_by_type(session, type_ids)
        # Slugs and SKUs end in the product's ordinal; starting above every existing id keeps
        # them unique across repeated seeds as well as within this one.
        last_id = int(await session.scalar(select(func.max(PRODUCTS_TABLE.c.id))) or 0)
        rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
        variants = tiers = 0
        for start in range(0, products, BATCH_PRODUCTS):
            stop = min(start + BATCH_PRODUCTS, products)
            drafts = [draft_product(rng, last_id + n + 1) for n in range(start, stop)]
            batch_variants, batch_tiers = await _insert_batch(
                session, drafts, category_ids, type_ids, attributes
            )
            variants += batch_variants
            tiers += batch_tiers
        # Once for the whole run: one pass over the new tiers, and one count of the new
        # products' values and value pairs, instead of one per batch (the pair counts of a
        # batch touch most rows of the table).
        new_products = select(PRODUCTS_TABLE.c.id).where(PRODUCTS_TABLE.c.id > last_id)
        await session.run_sync(lambda sync: _index_run(sync.connection(), new_products))
    return SeedReport(
        categories=len(category_ids),
        product_types=len(type_ids),
        products=products,
        variants=variants,
        price_tiers=tiers,
    )


async def _ids_by_slug(session: AsyncSession, table: Table, slugs: Iterable[str]) -> dict[str, int]:
    rows = await session.execute(select(table.c.slug, table.c.id).where(table.c.slug.in_(slugs)))
    return {slug: row_id for slug, row_id in rows}


async def _insert_one(session: AsyncSession, table: Table, values: dict[str, Any]) -> int:
    result = await session.execute(insert(table).values(values).returning(table.c.id))
    return int(result.scalar_one())


async def _ensure_categories(session: AsyncSession) -> dict[str, int]:
    """Create the demo category tree where missing, parents first; return ids by slug."""
    ids = await _ids_by_slug(session, CATEGORIES_TABLE, [c.slug for c in CATEGORIES])
    siblings: dict[str | None, int] = {}
    for category in CATEGORIES:
        position = siblings[category.parent] = siblings.get(category.parent, -1) + 1
        if category.slug in ids:
            continue
        ids[category.slug] = await _insert_one(
            session,
            CATEGORIES_TABLE,
            {
                "parent_id": ids[category.parent] if category.parent else None,
                "name": category.name,
                "slug": category.slug,
                "description": category.description,
                "position": position,
            },
        )
    return ids


async def _ensure_product_types(session: AsyncSession) -> dict[str, int]:
    """Create the demo product types and their attributes where missing; ids by slug."""
    ids = await _ids_by_slug(session, TYPES_TABLE, [t.slug for t in PRODUCT_TYPES])
    for demo_type in PRODUCT_TYPES:
        if demo_type.slug in ids:
            continue
        type_id = await _insert_one(
            session,
            TYPES_TABLE,
            {"name": demo_type.name, "slug": demo_type.slug, "description": demo_type.description},
        )
        ids[demo_type.slug] = type_id
        await session.execute(
            insert(ATTRIBUTES_TABLE),
            [
                {
                    "product_type_id": type_id,
                    "key": attribute.key,
                    "label": attribute.label,
                    "kind": attribute.kind.value,
                    "unit": attribute.unit,
                    "required": attribute.required,
                    "filterable": attribute.filterable,
                    "allowed_values": list(attribute.values),
                    "position": position,
                }
                for position, attribute in enumerate(demo_type.attributes)
            ],
        )
    return ids


async def _attributes_by_type(
    session: AsyncSession, type_ids: dict[str, int]
) -> dict[str, list[AttributeDefinition]]:
    """The attribute rows as stored: specs are validated against these, not the demo tables."""
    slugs = {type_id: slug for slug, type_id in type_ids.items()}
    rows = await session.scalars(
        select(AttributeDefinition).where(
            AttributeDefinition.product_type_id.in_(slugs)  # type: ignore[attr-defined]
        )
    )
    by_type: dict[str, list[AttributeDefinition]] = {slug: [] for slug in type_ids}
    for attribute in rows:
        by_type[slugs[attribute.product_type_id]].append(attribute)
    return by_type


async def _insert_batch(
    session: AsyncSession,
    drafts: Sequence[ProductDraft],
    category_ids: dict[str, int],
    type_ids: dict[str, int],
    attributes: dict[str, list[AttributeDefinition]],
) -> tuple[int, int]:
    """Insert one batch of products, then their variants, then their tiers and the variants'
    opening stock movements: four statements (paged by SQLAlchemy), each returning ids in
    parameter order for the next."""
    product_rows, product_specs = [], []
    for draft in drafts:
        references: dict[str, Any] = {
            "product_type_id": type_ids[draft.type_slug],
            "category_id": category_ids[draft.category_slug],
            "status": draft.status.value,
        }
        product = Product(**references, **{c: getattr(draft, c) for c in _PRODUCT_COLUMNS})
        check_product(product, attributes[draft.type_slug])  # normalises hs_code and specs
        product_rows.append(references | {c: getattr(product, c) for c in _PRODUCT_COLUMNS})
        product_specs.append((product.product_type_id, product.specs))
    product_ids = await _insert_returning_ids(session, PRODUCTS_TABLE, product_rows)

    variant_rows, variant_drafts = [], []
    for product_id, draft in zip(product_ids, drafts, strict=True):
        for variant_draft in draft.variants:
            values = {c: getattr(variant_draft, c) for c in _VARIANT_COLUMNS}
            check_variant(Variant(product_id=product_id, **values))
            variant_rows.append({"product_id": product_id, **values})
            variant_drafts.append(variant_draft)
    variant_ids = await _insert_returning_ids(session, VARIANTS_TABLE, variant_rows)

    tier_rows = [
        {
            "variant_id": variant_id,
            "currency": tier.currency,
            "min_quantity": tier.min_quantity,
            "unit_price": tier.unit_price,
        }
        for variant_id, variant_draft in zip(variant_ids, variant_drafts, strict=True)
        for tier in variant_draft.tiers
    ]
    await session.execute(insert(TIERS_TABLE), tier_rows)
    opening = [
        {
            "variant_id": variant_id,
            "kind": StockMovementKind.RECEIVED.value,
            "on_hand_change": row["stock_on_hand"],
            # The demo reserves some stock without orders, as if for orders placed before.
            "reserved_change": row.get("stock_reserved", 0),
            "on_hand_after": row["stock_on_hand"],
            "reserved_after": row.get("stock_reserved", 0),
            "reason": OPENING_STOCK,
        }
        for variant_id, row in zip(variant_ids, variant_rows, strict=True)
        if row.get("stock_on_hand", 0) > 0
    ]
    if opening:
        await session.execute(insert(MOVEMENTS_TABLE), opening)
    specs = [
        (product_id, type_id, values)
        for product_id, (type_id, values) in zip(product_ids, product_specs, strict=True)
    ]
    await session.run_sync(_index_batch, specs)
    return len(variant_rows), len(tier_rows)


def _index_batch(session: Session, specs: list[ProductSpecs]) -> None:
    """Write the batch's spec values and search documents, which the ORM flush hook writes
    for ORM writes; from-prices and facet counts follow once for the whole run."""
    connection = session.connection()
    write_spec_values(connection, specs)
    write_search_documents(connection, [product_id for product_id, _, _ in specs])


def _index_run(connection: Connection, new_products: Select[tuple[int]]) -> None:
    write_from_prices(connection, new_products)
    add_facet_counts(connection, facet_contributions(connection, new_products))


async def _insert_returning_ids(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]]
) -> list[int]:
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list((await session.execute(statement, rows)).scalars())


_PRODUCT_COLUMNS = (
    "name", "slug", "description", "hs_code", "country_of_origin", "moq", "lead_time_days",
    "incoterms", "specs",
)  # fmt: skip
_VARIANT_COLUMNS = (
    "sku", "name", "option_values", "units_per_carton", "carton_weight_kg", "carton_volume_m3",
    "stock_on_hand", "stock_reserved", "cost_price", "cost_currency",
)  # fmt: skip
