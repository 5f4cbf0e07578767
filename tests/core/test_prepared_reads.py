"""A relation read on the driver's connection returns what SQLAlchemy returns for the same
statement, is counted, and leaves the driver's errors to SQLAlchemy (core.prepared_reads)."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, literal_column, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

import app.factory  # noqa: F401 - every model registered
import loaders
from app.cli.seed_commands import seed_demo
from app.demo_orders.seeding import seed_order_book
from core import request_session
from core.database_failures import DatabaseUnavailable
from core.db import Database, count_statements
from core.prepared_reads import prepare_read, prepared_statement
from core.request_session import RequestSession
from core.settings import Settings
from core.sql_literals import inline
from loaders.catalog import CATEGORY_BY_SLUG, PRICE_TIERS_BY_VARIANT
from loaders.relations import KEYS, Relation, _prepared_read, narrowed
from models.accounts import Role
from models.catalog import Category
from tests.catalog.staff_support import as_role
from tests.graphql_client import GraphQLClient

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _declared_relations() -> list[Relation]:
    """Every relation the loaders declare, and a narrowed one."""
    found: dict[str, Relation] = {}
    for module in pkgutil.iter_modules(loaders.__path__):
        for value in vars(importlib.import_module(f"loaders.{module.name}")).values():
            if isinstance(value, Relation):
                found[value.name] = value
    narrow = narrowed(PRICE_TIERS_BY_VARIANT, "currency", "USD")
    return [*found.values(), narrow]


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=repr)


async def test_every_prepared_relation_reads_what_sqlalchemy_reads(db: Database) -> None:
    # given the demo catalog and an order book
    await seed_demo(db, products=12)
    await seed_order_book(db, orders=20, now=NOW)
    reads = RequestSession(db)
    compared: dict[str, int] = {}
    try:
        for relation in _declared_relations():
            prepared = _prepared_read(relation, "postgresql")
            if prepared is None:
                continue
            # when each is read for every key its table holds, and one it does not
            keys = list(await reads.scalars(select(relation.match).distinct()))
            keys = [key for key in keys if key is not None]
            keys.append("no-such-key" if isinstance(keys[0], str) else 10**9)
            through_driver = await reads.prepared_rows(prepared, {KEYS: keys})
            through_sqlalchemy = await reads.core_rows(prepared.statement, {KEYS: keys})
            # then the rows hold the same values, of the same types, under the same names
            driver = _sorted([row._asdict() for row in through_driver])
            expected = _sorted([dict(row._mapping) for row in through_sqlalchemy])
            assert driver == expected, relation.name
            for got, want in zip(driver, expected, strict=True):
                assert {k: type(v) for k, v in got.items()} == {
                    k: type(v) for k, v in want.items()
                }, relation.name
            compared[relation.name] = len(driver)
    finally:
        await reads.close()
    # every relation all callers see alike is prepared (all are matched on an id or a slug),
    # and each had rows to compare
    assert compared.keys() == {
        "category_by_id",
        "category_by_slug",
        "product_type_by_slug",
        "category_children",
        "product_type_by_id",
        "attributes_by_product_type",
        "variants_by_product",
        "price_tiers_by_variant",
        "price_tiers_by_variant[currency=USD]",
    }
    assert all(compared.values()), compared


def test_a_statement_whose_text_depends_on_its_values_is_left_to_sqlalchemy() -> None:
    # a slug is matched against one array on PostgreSQL, like an id; SQLite keeps IN
    assert _prepared_read(CATEGORY_BY_SLUG, "postgresql") is not None
    assert _prepared_read(PRICE_TIERS_BY_VARIANT, "sqlite") is None
    # an expanding IN has one placeholder per value, an inlined value is in the text
    slugs = select(col(Category.id)).where(col(Category.slug).in_(["a", "b"]))
    assert prepare_read(slugs, runtime=()) is None
    assert prepared_statement(slugs) is None
    inlined = select(col(Category.id)).where(col(Category.slug) == inline("a"))
    assert prepared_statement(inlined) is None
    # a model selected whole is built by SQLAlchemy's ORM
    assert prepared_statement(select(Category)) is None
    assert prepared_statement(select(col(Category.id)).where(col(Category.slug) == "a")) is not None


async def test_a_prepared_read_counts_as_one_statement(db: Database) -> None:
    await seed_demo(db, products=3)
    prepared = _prepared_read(PRICE_TIERS_BY_VARIANT, "postgresql")
    assert prepared is not None
    reads = RequestSession(db)
    try:
        variant_ids = list(await reads.scalars(select(text("id")).select_from(text("variants"))))
        with count_statements() as counter:
            rows = await reads.prepared_rows(prepared, {KEYS: variant_ids})
    finally:
        await reads.close()
    assert rows
    assert counter[0] == 1


async def test_a_connection_lost_under_a_prepared_read_is_an_outage_and_is_replaced(
    committed_db: Database, committed_url: str
) -> None:
    # given a request whose connection has read once, and then dies
    prepared = _prepared_read(PRICE_TIERS_BY_VARIANT, "postgresql")
    assert prepared is not None
    reads = RequestSession(committed_db)
    try:
        assert await reads.prepared_rows(prepared, {KEYS: [1]}) == []
        pid = (await reads.rows(select(text("pg_backend_pid()"))))[0][0]
        admin = await asyncpg.connect(committed_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        # when it reads again, then the loss is the database's outage, as SQLAlchemy's is
        with pytest.raises(DatabaseUnavailable):
            await reads.prepared_rows(prepared, {KEYS: [1]})
    finally:
        await reads.close()
    # and the next request reads on a new connection
    after = RequestSession(committed_db)
    try:
        assert await after.prepared_rows(prepared, {KEYS: [1]}) == []
        assert (await after.rows(select(text("pg_backend_pid()"))))[0][0] != pid
    finally:
        await after.close()


# Reads of every kind the shape cache takes: pages in each order, filtered, searched, a second
# page, totals, a product page, categories, and a staff order book with lines and clients.
NAMES = "totalCount edges { node { name } }"
PAGE = "query($f: ProductFilter, $s: ProductSort!, $c: String) { products(first: 5, filter: $f, \
sortBy: $s, sortCurrency: $c) { %s } }"
LISTING = """query { products(first: 7) { totalCount edges { cursor node { id name slug moq
  category { name } variants { sku available price(currency: "USD", quantity: 5000) {
  unitPrice } } } } pageInfo { hasNextPage endCursor } } }"""
SPECS = {
    "productTypeSlug": "fabric",
    "specs": [{"attribute": "weave", "oneOf": ["twill", "plain"]}],
}
STOREFRONT: list[tuple[str, dict[str, Any]]] = [
    (LISTING, {}),
    (PAGE % NAMES, {"s": "NEWEST"}),
    (PAGE % "edges { node { name } }", {"s": "PRICE_ASC", "c": "USD"}),
    (PAGE % NAMES, {"s": "NAME", "f": {"search": "cotton"}}),
    (PAGE % NAMES, {"s": "NAME", "f": {"categorySlug": "woven-fabrics", "inStock": True}}),
    (
        PAGE % "totalCount edges { node { name specs { label display } } }",
        {"s": "NAME", "f": SPECS},
    ),
    ("query { categories { name slug children { name } } }", {}),
]
ORDERS = """query { orders(first: 6) { totalCount edges { node { number status
  total { amount currency } client { name country } lines { sku quantity lineTotal { amount } }
  } } } }"""


async def test_reads_through_the_driver_answer_as_sqlalchemy_does(
    db: Database,
    engine: AsyncEngine,
    settings: Settings,
    client: GraphQLClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given the demo catalog and order book
    await seed_demo(db, products=12)
    await seed_order_book(db, orders=20, now=NOW)
    staff = await as_role(db, settings, Role.ADMIN, client)
    second_page = (await client.data(LISTING))["products"]["pageInfo"]["endCursor"]
    documents = [
        *((client, query, variables) for query, variables in STOREFRONT),
        (
            client,
            "query($a: String) { products(first: 5, after: $a) { edges { node { name } } } }",
            {"a": second_page},
        ),
        (staff, ORDERS, {}),
    ]
    through_sqlalchemy: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(("SELECT", "WITH")):  # not the test's savepoints
            through_sqlalchemy.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        # when each is read with statements on the driver, then each SQLAlchemy's way
        answers = [[await who.post(query, variables) for who, query, variables in documents]]
        on_driver = len(through_sqlalchemy)
        monkeypatch.setattr(request_session, "prepared_statement", lambda _statement: None)
        answers.append([await who.post(query, variables) for who, query, variables in documents])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    # then the answers are the same, and hold data
    driver, sqlalchemy = answers
    assert driver == sqlalchemy
    # and the first pass sent most statements past SQLAlchemy (sign-in and inlined filter
    # values are its own)
    assert on_driver * 3 < len(through_sqlalchemy) - on_driver, (on_driver, through_sqlalchemy)
    for body in driver:
        assert "errors" not in body, body
        assert body["data"]


async def test_json_values_are_read_whatever_their_numbers(db: Database) -> None:
    # orjson reads JSON columns; an integer beyond 64 bits, which it refuses, still reads
    reads = RequestSession(db)
    try:
        found = await reads.rows(
            select(
                literal_column("""'{"a": [1, 2.5, "x"]}'::jsonb""", JSONB).label("small"),
                literal_column("""'{"big": 123456789012345678901234567890}'::jsonb""", JSONB).label(
                    "big"
                ),
            )
        )
    finally:
        await reads.close()
    assert found[0].small == {"a": [1, 2.5, "x"]}
    assert found[0].big == {"big": 123456789012345678901234567890}
