"""Alembic revisions build exactly the schema the models declare, on both dialects.

Alembic's env.py runs its own event loop (`asyncio.run`), so upgrades and downgrades run in a
worker thread; the schema is then compared with the models on this test's loop.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    TableClause,
    bindparam,
    column,
    create_engine,
    inspect,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from core.migration_filters import include_object, render_item
from models import metadata
from tests.databases import alembic_config, create_pg_database, database_url, drop_pg_database

GIN_INDEX = "ix_products_specs_gin"
SEARCH_INDEX = "ix_product_search_search_vector"


def _described(diff: Any) -> tuple[str, str]:
    """An autogenerate diff as (operation, object): add_column diffs are 4-tuples."""
    if diff[0] == "add_column":
        return diff[0], f"{diff[2]}.{diff[3].name}"
    return diff[0], diff[1].name


def schema_drift(connection: Connection, *, filtered: bool = True) -> list[Any]:
    """What autogenerate would write to bring this database to the models; empty when in step."""
    opts: dict[str, Any] = {"compare_type": True}
    if filtered:
        opts["include_object"] = partial(include_object, dialect=connection.dialect.name)
    with sqlite_leaves_expression_indexes_out():
        context = MigrationContext.configure(connection, opts=opts)
        diffs: list[Any] = compare_metadata(context, metadata)
    return diffs


@contextmanager
def sqlite_leaves_expression_indexes_out() -> Iterator[None]:
    """SQLite cannot reflect an index on an expression (`lower(sku)`), and SQLAlchemy and
    Alembic warn that they skip it; include_object leaves it out there, PostgreSQL compares it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        yield


def table_names(connection: Connection) -> list[str]:
    return sorted(inspect(connection).get_table_names())


def index_names(connection: Connection, table: str) -> set[str]:
    return {str(index["name"]) for index in inspect(connection).get_indexes(table)}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            yield connection
    finally:
        await engine.dispose()


async def migrate(url: str, action: str, revision: str) -> None:
    migration = command.upgrade if action == "upgrade" else command.downgrade
    await asyncio.to_thread(migration, alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


async def test_postgresql_migrations_match_the_models_and_downgrade_to_nothing() -> None:
    # given a fresh, empty PostgreSQL database
    name = await asyncio.to_thread(create_pg_database, "migrations")
    url = database_url(name)
    try:
        # when it is upgraded to head
        await migrate(url, "upgrade", "head")
        async with connect(url) as connection:
            # then the schema is exactly what the models declare
            assert await connection.run_sync(schema_drift) == []
            assert await connection.run_sync(current_revision) == head_revision(url)
            # and the PostgreSQL-only GIN index on specs exists
            definition = await connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                {"name": GIN_INDEX},
            )
            assert definition is not None
            assert "USING gin (specs jsonb_path_ops)" in definition
            # and so does the full-text index over the generated search vector
            definition = await connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                {"name": SEARCH_INDEX},
            )
            assert definition is not None
            assert "USING gin (search_vector)" in definition
        # when it is downgraded to base
        await migrate(url, "downgrade", "base")
        async with connect(url) as connection:
            # then only Alembic's bookkeeping table remains, and the models are all missing
            assert await connection.run_sync(table_names) == ["alembic_version"]
            assert await connection.run_sync(current_revision) is None
            drift = await connection.run_sync(schema_drift)
            added = {diff[1].name for diff in drift if diff[0] == "add_table"}
            assert added == set(metadata.tables)
    finally:
        await asyncio.to_thread(drop_pg_database, name)


async def test_sqlite_migrations_match_the_models_without_postgresql_only_objects(
    tmp_path: Path,
) -> None:
    # given a fresh SQLite file
    url = f"sqlite+aiosqlite:///{tmp_path}/t.db"
    # when it is upgraded to head
    await migrate(url, "upgrade", "head")
    async with connect(url) as connection:
        # then the schema is what the models declare for SQLite
        assert await connection.run_sync(schema_drift) == []
        assert await connection.run_sync(current_revision) == head_revision(url)
        # and the PostgreSQL-only GIN indexes, covering and pattern indexes and search vector
        # are absent, which the dialect filter accounts for
        assert GIN_INDEX not in await connection.run_sync(index_names, "products")
        assert "ix_products_status_name_id" in await connection.run_sync(index_names, "products")
        unfiltered = await connection.run_sync(partial(schema_drift, filtered=False))
        assert sorted(map(_described, unfiltered)) == [
            ("add_column", "product_search.search_vector"),
            ("add_index", SEARCH_INDEX),
            ("add_index", "ix_products_id_discovery"),
            ("add_index", GIN_INDEX),
            # A text_pattern_ops index on a plain column (the users list's email search).
            ("add_index", "ix_users_email_prefix"),
        ]
        # and every column default is an expression SQLite can evaluate (a default
        # autogenerated as PostgreSQL's `now()` would fail every insert there)
        for table, column, default in await connection.run_sync(column_defaults):
            try:
                await connection.execute(text(f"SELECT {default}"))
            except Exception as error:  # report which default is broken
                raise AssertionError(f"{table}.{column} DEFAULT {default}: {error}") from error
    # when it is downgraded to base, then only Alembic's table remains
    await migrate(url, "downgrade", "base")
    async with connect(url) as connection:
        assert await connection.run_sync(table_names) == ["alembic_version"]


def test_a_revision_autogenerated_from_the_models_imports_no_model_code() -> None:
    # given an empty database and the models
    with create_engine("sqlite://").connect() as connection, sqlite_leaves_expression_indexes_out():
        context = MigrationContext.configure(connection, opts={"render_item": render_item})
        # when autogenerate writes the revision that creates them all
        script = produce_migrations(context, metadata)
    assert script.upgrade_ops is not None
    code = render_python_code(script.upgrade_ops, render_item=render_item)
    # then moments are written as the plain type they store, and nothing refers to our modules
    assert "sa.Column('created_at', sa.DateTime(timezone=True)" in code
    assert "models." not in code


def column_defaults(connection: Connection) -> list[tuple[str, str, str]]:
    inspector = inspect(connection)
    return [
        (table, column["name"], str(column["default"]))
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if column.get("default") is not None
    ]


def _as_of_then(name: str, *columns: str) -> TableClause:
    """The named columns of a table as the models type them: a row written at an old revision
    must not carry columns later revisions added (the models' defaults would add them)."""
    current = metadata.tables[name]
    return table(name, *(column(key, current.c[key].type) for key in columns))


async def _insert(connection: AsyncConnection, name: str, values: dict[str, Any]) -> Any:
    then = _as_of_then(name, "id", *values)
    return await connection.scalar(then.insert().values(**values).returning(then.c.id))


async def _catalog_before_discovery(url: str) -> None:
    """A product with specs, a variant and tiers, written at revision 0001."""
    async with connect(url) as connection:
        category = await _insert(
            connection,
            "categories",
            {"name": "Textiles", "slug": "textiles", "description": "", "position": 0},
        )
        product_type = await _insert(
            connection, "product_types", {"name": "Fabric", "slug": "fabric", "description": ""}
        )
        product = await _insert(connection, "products", {
            "product_type_id": product_type, "category_id": category, "name": "Cotton Twill",
            "slug": "cotton-twill", "description": "Woven in Erode.", "hs_code": "520832",
            "country_of_origin": "IN", "moq": 100, "lead_time_days": 30, "incoterms": ["FOB"],
            "specs": {"gsm": 220, "weave": "twill", "certifications": ["GOTS", "BCI"]},
            "status": "active",
        })  # fmt: skip
        variant = await _insert(connection, "variants", {
            "product_id": product, "sku": "TW-220-NAVY", "name": "Navy", "option_values": {},
            "units_per_carton": 1, "stock_on_hand": 10, "stock_reserved": 0,
        })  # fmt: skip
        tiers = _as_of_then("price_tiers", "variant_id", "currency", "min_quantity", "unit_price")
        await connection.execute(
            tiers.insert(),
            [
                {"variant_id": variant, "currency": "USD", "min_quantity": 1, "unit_price": 4.2},
                {"variant_id": variant, "currency": "USD", "min_quantity": 500, "unit_price": 3.9},
            ],
        )
        await connection.commit()


async def _discovery_rows(url: str) -> tuple[set[tuple[Any, ...]], list[Any], list[Any]]:
    async with connect(url) as connection:
        specs = await connection.execute(
            text("SELECT attribute_key, value_text, value_number FROM product_spec_values")
        )
        prices = await connection.execute(text("SELECT currency, from_price FROM product_prices"))
        search = await connection.execute(text("SELECT title, body FROM product_search"))
        return {tuple(row) for row in specs}, [tuple(r) for r in prices], [tuple(r) for r in search]


async def _facet_count_rows(url: str) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    async with connect(url) as connection:
        values = await connection.execute(
            text("SELECT attribute_key, value_key, products FROM facet_value_counts")
        )
        pairs = await connection.execute(
            text(
                "SELECT picked_key, picked_value_key, attribute_key, value_key, products "
                "FROM facet_pair_counts"
            )
        )
        return {tuple(row) for row in values}, {tuple(row) for row in pairs}


async def test_discovery_revision_backfills_existing_products(tmp_path: Path) -> None:
    # given a catalog created before revision 0002, on each dialect
    name = await asyncio.to_thread(create_pg_database, "backfill")
    pg_url = database_url(name)
    try:
        for url in (pg_url, f"sqlite+aiosqlite:///{tmp_path}/backfill.db"):
            await migrate(url, "upgrade", "0001")
            await _catalog_before_discovery(url)
            # when it is upgraded to 0002
            await migrate(url, "upgrade", "0002")
            # then its product is findable by its specs, price and words at once
            specs, prices, search = await _discovery_rows(url)
            assert specs == {
                ("gsm", None, 220.0),
                ("weave", "twill", None),
                ("certifications", "GOTS", None),
                ("certifications", "BCI", None),
            }
            assert [(currency, float(price)) for currency, price in prices] == [("USD", 4.2)]
            assert search == [("cotton twill tw 220 navy", "woven in erode")]
            # and at head the facet count tables count it, its country included
            await migrate(url, "upgrade", "head")
            values, pairs = await _facet_count_rows(url)
            assert values == {
                ("gsm", "n:220.0", 1),
                ("weave", "t:twill", 1),
                ("certifications", "t:GOTS", 1),
                ("certifications", "t:BCI", 1),
                ("@country", "t:IN", 1),
            }
            assert len(pairs) == 5 * 5 - 5 - 2  # all but a value with itself, GOTS with BCI
            assert ("weave", "t:twill", "@country", "t:IN", 1) in pairs
            assert ("certifications", "t:GOTS", "gsm", "n:220.0", 1) in pairs
            # and its spec rows now include its country (0013)
            at_head, _, _ = await _discovery_rows(url)
            assert at_head == {*specs, ("@country", "IN", None)}
            # and its search row carries its name
            async with connect(url) as connection:
                names = await connection.execute(text("SELECT name FROM product_search"))
                assert [tuple(row) for row in names] == [("Cotton Twill",)]
    finally:
        await asyncio.to_thread(drop_pg_database, name)


async def _books_before_standing(url: str, today: date) -> None:
    """A client (credit in USD) with open, part-paid, cancelled and EUR-credit orders, and
    receivables overdue, due later, paid and reversed, as they stood at revision 0019."""
    orders = [  # id, status, total, paid, credit currency, fx rate
        (1, "confirmed", "1000", "250", "USD", "1"),
        (2, "cancelled", "500", "0", "USD", "1"),
        (3, "confirmed", "200", "0", "EUR", "0.9"),
        (4, "paid", "300", "300", "USD", "1"),
    ]
    receivables = [  # order, balance, due date, status
        (1, "750", today - timedelta(days=3), "partly_settled"),
        (2, "0", today - timedelta(days=9), "reversed"),
        (3, "200", today + timedelta(days=30), "open"),
        (4, "0", today - timedelta(days=9), "settled"),
    ]
    async with connect(url) as connection:
        await connection.execute(
            text(
                "INSERT INTO client_companies (id, name, country, tax_id, credit_limit, "
                "credit_currency, advance_percent, balance_due_on, net_days, preferred_currency, "
                "preferred_incoterm, version) VALUES (1, 'Hanse', 'DE', '', 5000, 'USD', 0, "
                "'invoice', 30, 'USD', 'FOB', 1)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO fx_rates (id, base_currency, quote_currency, rate, effective_at, "
                "source) VALUES (1, 'USD', 'EUR', 0.8, :at, '')"
            ).bindparams(bindparam("at", type_=DateTime(timezone=True))),
            {"at": datetime.now(UTC) - timedelta(days=1)},
        )
        for pk, status, total, paid, credit_currency, rate in orders:
            await connection.execute(
                text(
                    "INSERT INTO orders (id, client_company_id, request_hash, status, "
                    "payment_status, currency, incoterm, named_place, shipping_address, note, "
                    "total, amount_paid, credit_currency, fx_rate, cancel_reason, version) "
                    "VALUES (:id, 1, '', :status, 'unpaid', 'USD', 'FOB', '', '{}', '', :total, "
                    ":paid, :credit, :rate, '', 1)"
                ),
                {"id": pk, "status": status, "total": float(total), "paid": float(paid),
                 "credit": credit_currency, "rate": float(rate)},
            )  # fmt: skip
        for order, balance, due, status in receivables:
            await connection.execute(
                text(
                    "INSERT INTO receivables (order_id, client_company_id, currency, amount, "
                    "balance, advance_amount, due_date, status) VALUES (:order, 1, 'USD', 1, "
                    ":balance, 0, :due, :status)"
                ).bindparams(bindparam("due", type_=Date())),
                {
                    "order": order,
                    "balance": float(balance),
                    "due": due,
                    "status": status,
                },
            )
        await connection.commit()


async def test_the_credit_standing_revision_backfills_every_company(tmp_path: Path) -> None:
    # given books written before revision 0021, on each dialect
    name = await asyncio.to_thread(create_pg_database, "standing")
    pg_url = database_url(name)
    today = datetime.now(UTC).date()
    try:
        for url in (pg_url, f"sqlite+aiosqlite:///{tmp_path}/standing.db"):
            await migrate(url, "upgrade", "0019")
            await _books_before_standing(url, today)
            # when it is upgraded to 0021
            await migrate(url, "upgrade", "0021")
            async with connect(url) as connection:
                company = (
                    await connection.execute(
                        text(
                            "SELECT credit_used, overdue_amount, next_due_on FROM client_companies"
                        )
                    )
                ).one()
                dues = (
                    await connection.execute(text("SELECT due_date, amount FROM client_dues"))
                ).all()
            # then credit used is what open orders owe: 750 USD, and 180 EUR at 1 / 0.8
            assert Decimal(str(company[0])) == Decimal("975.00")
            # and overdue is the part-paid order's balance; the EUR one is due in 30 days
            assert Decimal(str(company[1])) == Decimal("750.00")
            due_on = today + timedelta(days=30)
            assert str(company[2])[:10] == due_on.isoformat()
            assert [(str(day)[:10], Decimal(str(amount))) for day, amount in dues] == [
                (due_on.isoformat(), Decimal("225.00"))
            ]
    finally:
        await asyncio.to_thread(drop_pg_database, name)
