"""The whole-response cache of public catalog reads: what it serves, to whom, and until when.

Against real Redis (a key prefix of its own per test, so no entry outlives its test's rolled-
back rows) and real PostgreSQL. To prove an answer came from the cache, tests change a row
behind the cache's back (a plain commit, which bumps no version) and see the old answer.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import redis.asyncio as redis_async
from sqlalchemy import update

from app.cli.seed_commands import seed_demo
from app.read_cache import CATALOG_NAMESPACE, cache_key, cacheable
from auth.policy import Permission
from auth.principal import ANONYMOUS, Principal, PrincipalKind
from core.cache import Cache
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.catalog import Product, ProductType
from tests.builders import make_category, make_fabric_type, make_product, make_variant, unique
from tests.callers import error_codes, token_for
from tests.graphql_client import GraphQLClient, calling
from tests.graphql_client import served as serving

PRODUCT = """query($slug: String!) { product(slug: $slug) { name } }"""
LISTING = """query($type: String!) { products(first: 10, filter: {productTypeSlug: $type}) {
    totalCount edges { node { name } } } }"""
COSTS = """query($slug: String!) { product(slug: $slug) {
    variants { sku costPrice { amount currency } } } }"""


@dataclass
class App:
    client: GraphQLClient
    cache: Cache
    prefix: str


@pytest.fixture
def cache_settings(settings: Settings, redis_prefix: str) -> Settings:
    return settings.model_copy(
        update={
            "debug_extensions": False,
            "catalog_cache_seconds": 300,
            "redis_prefix": f"{redis_prefix}read-cache-{uuid.uuid4().hex[:8]}:",
        }
    )


@asynccontextmanager
async def running(settings: Settings, database: Database) -> AsyncIterator[App]:
    async with serving(settings, database) as app, calling(app) as client:
        yield App(client, app.state.stores.cache, settings.redis_prefix)


@pytest.fixture
async def served(cache_settings: Settings, db: Database) -> AsyncIterator[App]:
    async with running(cache_settings, db) as app:
        yield app


async def _product(db: Database, **variant_fields: Any) -> Product:
    async with db.transaction() as session:
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
            name="Navy twill",
        )
        await make_variant(session, product=product, sku=unique("TW"), **variant_fields)
    return product


async def _rename_behind_the_cache(db: Database, product: Product, name: str) -> None:
    """A committed write that bumps no version: only a cached answer still shows the old name."""
    async with db.session() as session:
        await session.execute(update(Product).where(Product.id == product.id).values(name=name))  # type: ignore[arg-type]
        await session.commit()


async def _entries(redis_client: redis_async.Redis, prefix: str) -> int:
    return len([key async for key in redis_client.scan_iter(match=f"{prefix}cache:*")])


async def test_a_repeated_query_is_answered_from_the_cache(
    served: App, db: Database, redis_client: redis_async.Redis
) -> None:
    product = await _product(db)
    variables = {"type": (await _type_slug(db, product))}
    first = await served.client.response(LISTING, variables)
    await _rename_behind_the_cache(db, product, "Renamed")
    second = await served.client.response(LISTING, variables)

    assert (second.status_code, second.content) == (200, first.content)
    assert second.json()["data"]["products"]["edges"] == [{"node": {"name": "Navy twill"}}]
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    assert await _entries(redis_client, served.prefix) == 1


async def test_a_lone_surrogate_in_a_variable_is_refused_not_a_server_error(
    served: App,
) -> None:
    response = await served.client.response(PRODUCT, {"slug": "a\ud800"})

    assert response.status_code == 200
    assert error_codes(response.json()) == [("", "BAD_USER_INPUT")]


async def test_other_variables_get_their_own_entry(served: App, db: Database) -> None:
    one, other = await _product(db), await _product(db)
    await served.client.data(PRODUCT, {"slug": one.slug})
    await _rename_behind_the_cache(db, other, "Renamed")

    data = await served.client.data(PRODUCT, {"slug": other.slug})

    assert data == {"product": {"name": "Renamed"}}


async def test_cost_prices_never_reach_a_caller_without_the_permission(
    served: App, db: Database, cache_settings: Settings
) -> None:
    product = await _product(db, cost_price=Decimal("2.5000"), cost_currency="USD")
    async with db.transaction() as session:
        manager = await token_for(session, cache_settings, Role.CATALOG_MANAGER)
    variables = {"slug": product.slug}

    for _ in range(2):  # the second round finds the manager's answer cached
        seen = await served.client.as_(manager).data(COSTS, variables)
        assert seen["product"]["variants"][0]["costPrice"] == {
            "amount": "2.5000",
            "currency": "USD",
        }
        anonymous = await served.client.post(COSTS, variables)
        assert "2.5" not in str(anonymous)
        assert error_codes(anonymous) == [("product.variants.0.costPrice", "FORBIDDEN")]


async def test_what_the_caller_may_see_is_part_of_the_key() -> None:
    def key(
        principal: Principal = ANONYMOUS, version: int = 1, variables: dict[str, Any] | None = None
    ) -> str:
        return cache_key(
            version=version,
            document=PRODUCT,
            operation_name=None,
            variables=variables,
            principal=principal,
        )

    costs = Principal(
        kind=PrincipalKind.USER, permissions=frozenset({Permission.CATALOG_READ_COST})
    )
    company = Principal(kind=PrincipalKind.USER, client_company_id=7)
    other_company = Principal(kind=PrincipalKind.USER, client_company_id=8)
    assert len({key(), key(costs), key(company), key(other_company)}) == 4
    # The version and the variables as well; the order of the variables does not matter.
    assert key(version=2) != key()
    assert key(variables={"a": 1, "b": 2}) == key(variables={"b": 2, "a": 1}) != key()


@pytest.mark.parametrize(
    ("document", "operation_name", "expected"),
    [
        ("{ products(first: 1) { totalCount } }", None, True),
        ("{ facets { countriesOfOrigin { value } } categories { slug } }", None, True),
        ('query A { ...F } fragment F on Query { productType(slug: "x") { name } }', "A", True),
        ("query A { categories { slug } } query B { products { totalCount } }", "B", True),
        ("query A { categories { slug } } query B { products { totalCount } }", None, False),
        ('{ node(id: "x") { id } }', None, False),
        ('{ products { totalCount } node(id: "x") { id } }', None, False),
        ("{ ... on Query { products { totalCount } me { __typename } } }", None, False),
        ("{ __schema { queryType { name } } }", None, False),
        ("{ __typename }", None, False),
        ("mutation { logout }", None, False),
        ("{ products(", None, False),
    ],
)
def test_only_queries_of_public_catalog_fields_are_cacheable(
    document: str, operation_name: str | None, *, expected: bool
) -> None:
    assert cacheable(document, operation_name, 3_000) is expected


async def test_a_node_query_is_never_cached(
    served: App, db: Database, redis_client: redis_async.Redis
) -> None:
    product = await _product(db)
    query = """query($id: ID!) { node(id: $id) { ... on Product { name } } }"""
    found = await served.client.data(PRODUCT.replace("name", "id"), {"slug": product.slug})
    variables = {"id": found["product"]["id"]}
    await served.client.data(query, variables)
    await _rename_behind_the_cache(db, product, "Renamed")

    assert await served.client.data(query, variables) == {"node": {"name": "Renamed"}}
    assert await _entries(redis_client, served.prefix) == 1  # the product(slug:) lookup only


async def test_a_mutation_is_never_cached(served: App, redis_client: redis_async.Redis) -> None:
    for _ in range(2):
        body = await served.client.post("mutation { logout { __typename } }")
        assert "data" in body
    assert await _entries(redis_client, served.prefix) == 0


async def test_a_catalog_write_bumps_the_version_and_the_next_read_sees_it(
    served: App, db: Database
) -> None:
    product = await _product(db)
    variables = {"slug": product.slug}
    await served.client.data(PRODUCT, variables)
    before = await served.cache.version(CATALOG_NAMESPACE)

    async with db.transaction() as session:
        stored = await session.get(Product, product.id)
        assert stored is not None
        stored.name = "Indigo twill"

    assert await served.cache.version(CATALOG_NAMESPACE) == before + 1
    assert await served.client.data(PRODUCT, variables) == {"product": {"name": "Indigo twill"}}


async def test_only_committed_catalog_writes_bump(served: App, db: Database) -> None:
    product = await _product(db)
    before = await served.cache.version(CATALOG_NAMESPACE)

    async with db.transaction() as session:
        await token_for(session, Settings(env="test"), Role.CLIENT)  # no catalog rows
    with pytest.raises(RuntimeError, match="abandon"):
        await _rename_then_fail(db, product)

    assert await served.cache.version(CATALOG_NAMESPACE) == before


async def _rename_then_fail(db: Database, product: Product) -> None:
    async with db.transaction() as session:
        stored = await session.get(Product, product.id)
        assert stored is not None
        stored.name = "Never committed"
        await session.flush()  # the flush marks the session; the rollback must still not bump
        raise RuntimeError("abandon the transaction")


async def test_the_seeder_bumps_after_it_commits(served: App, db: Database) -> None:
    before = await served.cache.version(CATALOG_NAMESPACE)

    report = await seed_demo(db, products=2)

    assert report.products == 2
    assert await served.cache.version(CATALOG_NAMESPACE) == before + 1


async def test_an_answer_with_errors_is_not_cached(
    served: App, db: Database, redis_client: redis_async.Redis
) -> None:
    product = await _product(db, cost_price=Decimal("2.5000"), cost_currency="USD")
    for _ in range(2):
        body = await served.client.post(COSTS, {"slug": product.slug})
        assert error_codes(body) == [("product.variants.0.costPrice", "FORBIDDEN")]
        assert body["errors"][0]["extensions"]["requestId"]
    assert await _entries(redis_client, served.prefix) == 0


async def test_zero_seconds_turns_the_cache_off(
    cache_settings: Settings, db: Database, redis_client: redis_async.Redis
) -> None:
    off = cache_settings.model_copy(update={"catalog_cache_seconds": 0})
    product = await _product(db)
    async with running(off, db) as app:
        await app.client.data(PRODUCT, {"slug": product.slug})
        await _rename_behind_the_cache(db, product, "Renamed")
        data = await app.client.data(PRODUCT, {"slug": product.slug})
    assert data == {"product": {"name": "Renamed"}}
    assert await _entries(redis_client, off.redis_prefix) == 0


async def test_debug_extensions_turn_the_cache_off(
    cache_settings: Settings, db: Database, redis_client: redis_async.Redis
) -> None:
    debugging = cache_settings.model_copy(update={"debug_extensions": True})
    product = await _product(db)
    async with running(debugging, db) as app:
        for _ in range(2):
            body = await app.client.response(PRODUCT, {"slug": product.slug})
            assert body.json()["extensions"]["sqlStatements"] == 1
    assert await _entries(redis_client, debugging.redis_prefix) == 0


async def _type_slug(db: Database, product: Product) -> str:
    async with db.session() as session:
        product_type = await session.get(ProductType, product.product_type_id)
        assert product_type is not None
        return product_type.slug
