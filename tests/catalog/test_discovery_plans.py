"""On a catalog big enough for PostgreSQL to choose, listings use indexes, not a scan of products.

The statements explained are the ones the resolvers send (built by the same functions), on a
database of its own seeded with 20,000 demo products and vacuumed, so the planner weighs real
statistics. Counts of a whole catalog read every row by nature and are not checked here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import pytest
from alembic import command
from sqlalchemy import Select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.cli.seed_commands import seed_demo
from core.db import Database, create_engine
from core.settings import Settings
from models.catalog import AttributeDefinition
from resolvers.catalog.facet_groups import sidebar_groups
from resolvers.catalog.facet_keys import facetable_attributes
from resolvers.catalog.facet_values import value_counts_statement
from resolvers.catalog.product_filters import ProductFilter, compile_filter
from resolvers.catalog.reads import listing_count, listing_page
from resolvers.catalog.sorting import ProductSort, sort_plan
from resolvers.catalog.spec_filters import (
    AttributeCatalog,
    NumberRange,
    SpecFilter,
    SpecValue,
    attribute_catalog_statement,
)
from tests.databases import alembic_config, create_pg_database, database_url, drop_pg_database

pytestmark = pytest.mark.slow

PRODUCTS = 20_000
SPEC_INDEX = "ix_product_spec_values_attribute_key_value_{}_product_id"
SEARCH_INDEX = "ix_product_search_search_vector"


@pytest.fixture(scope="module")
async def seeded() -> AsyncIterator[AsyncConnection]:
    name = await asyncio.to_thread(create_pg_database, "plans")
    url = database_url(name)
    engine = create_engine(Settings(env="test", database_url=url))
    try:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        await seed_demo(Database(engine), products=PRODUCTS)
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        async with autocommit.connect() as connection:
            # What autovacuum does soon after a bulk load: statistics for the planner, and
            # the visibility map that makes index-only scans (the covering indexes) cheap.
            await connection.execute(text("VACUUM ANALYZE"))
        async with engine.connect() as connection:
            yield connection
    finally:
        await engine.dispose()
        await asyncio.to_thread(drop_pg_database, name)


async def _statements(
    connection: AsyncConnection,
    product_filter: ProductFilter,
    sort: ProductSort,
    *,
    total: bool = False,
) -> tuple[Select[Any], Select[Any]]:
    """The page and count statements `products(filter:, sortBy:)` sends; with `total`, the
    first page that counts its matches too."""
    catalog = await _catalog(connection)
    conditions = compile_filter(product_filter, catalog=catalog)
    plan = sort_plan(sort, currency="USD", search_words=conditions.search_words)
    page = listing_page(conditions, plan, after=None, first=20, total=total)
    return page, listing_count(conditions, plan)


async def _catalog(connection: AsyncConnection) -> AttributeCatalog:
    async with AsyncSession(bind=connection) as session:
        rows = (await session.execute(attribute_catalog_statement())).all()
    return AttributeCatalog.of((cast(AttributeDefinition, row), row.type_slug) for row in rows)


async def _plan(connection: AsyncConnection, statement: Select[Any]) -> list[dict[str, Any]]:
    """Every node of the statement's plan, flattened."""
    return list(_nodes(await _root(connection, statement)))


async def _root(connection: AsyncConnection, statement: Select[Any]) -> dict[str, Any]:
    sql = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    explained = await connection.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))
    assert explained is not None
    plan: dict[str, Any] = explained[0]["Plan"]
    return plan


def _limited(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes under the page's LIMIT: how the page's rows are chosen, before the chosen
    few are read whole and put back in order."""
    if node["Node Type"] == "Limit":
        return list(_nodes(node))
    return [found for child in node.get("Plans", []) for found in _limited(child)]


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _scans_products_sequentially(nodes: list[dict[str, Any]]) -> bool:
    return any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "products" for n in nodes)


def _indexes(nodes: list[dict[str, Any]]) -> set[str]:
    return {n["Index Name"] for n in nodes if "Index Name" in n}


BORE_20 = ProductFilter(specs=[SpecFilter("bore_mm", equals=SpecValue(number=20))])
TWILL_200_240 = ProductFilter(
    specs=[
        SpecFilter("gsm", range=NumberRange(min=200, max=240)),
        SpecFilter("weave", one_of=["twill"]),
    ]
)
GSM_200_240 = ProductFilter(
    product_type_slug="fabric", specs=[SpecFilter("gsm", range=NumberRange(min=200, max=240))]
)
SEARCH = ProductFilter(search="deep groove 6204")


@pytest.mark.parametrize(
    ("product_filter", "index"),
    [
        pytest.param(BORE_20, SPEC_INDEX.format("number"), id="spec-equals-number"),
        pytest.param(TWILL_200_240, SPEC_INDEX.format("text"), id="spec-range-and-enum"),
        pytest.param(SEARCH, SEARCH_INDEX, id="search"),
    ],
)
async def test_spec_filters_and_search_find_products_through_indexes(
    seeded: AsyncConnection, product_filter: ProductFilter, index: str
) -> None:
    page, count = await _statements(seeded, product_filter, ProductSort.NAME)
    counted, _ = await _statements(seeded, product_filter, ProductSort.NAME, total=True)
    for statement in (page, count, counted):
        nodes = await _plan(seeded, statement)
        assert not _scans_products_sequentially(nodes), nodes
        assert index in _indexes(nodes)


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        pytest.param(ProductSort.NAME, "ix_products_status_name_id", id="default-by-name"),
        pytest.param(ProductSort.NEWEST, "ix_products_status_created_at_id", id="newest"),
        pytest.param(
            ProductSort.PRICE_ASC, "ix_product_prices_currency_from_price_product_id", id="price"
        ),
    ],
)
async def test_an_unfiltered_page_reads_an_index_in_order(
    seeded: AsyncConnection, sort: ProductSort, index: str
) -> None:
    page, _count = await _statements(seeded, ProductFilter(), sort)
    nodes = await _plan(seeded, page)
    assert not _scans_products_sequentially(nodes), nodes
    assert index in _indexes(nodes)
    chosen = _limited(await _root(seeded, page))
    assert chosen, nodes
    assert not any(node["Node Type"] == "Sort" for node in chosen), "the index gives the order"


async def test_a_page_of_one_attributes_values_by_name_reads_no_product_but_its_own(
    seeded: AsyncConnection,
) -> None:
    # given bearings with a 20 mm bore, or fabrics of 200 to 240 g/m², by name
    for product_filter, value in ((BORE_20, "number"), (GSM_200_240, "number")):
        page, _count = await _statements(seeded, product_filter, ProductSort.NAME, total=True)
        chosen = _limited(await _root(seeded, page))
        # then the page's products are chosen, sorted and counted from one spec value index
        assert _indexes(chosen) == {SPEC_INDEX.format(value)}, chosen
        assert not [n for n in chosen if n.get("Relation Name") == "products"], chosen
        assert all(n["Node Type"] != "Index Scan" for n in chosen), "index only"


async def test_a_page_of_several_attributes_values_by_name_reads_spec_indexes_alone(
    seeded: AsyncConnection,
) -> None:
    # given fabrics of 200 to 240 g/m² woven twill, by name, within a type or not
    twill_fabrics = ProductFilter(product_type_slug="fabric", specs=TWILL_200_240.specs)
    for product_filter in (TWILL_200_240, twill_fabrics):
        page, count = await _statements(seeded, product_filter, ProductSort.NAME, total=True)
        # then one attribute's rows are listed and the other's are matched beside them, each
        # from its own spec value index, without reading a product row to choose the page
        chosen = _limited(await _root(seeded, page))
        indexes = {SPEC_INDEX.format("number"), SPEC_INDEX.format("text")}
        assert _indexes(chosen) == indexes, chosen
        assert not [n for n in chosen if n.get("Relation Name") == "products"], chosen
        assert all(n["Node Type"] != "Index Scan" for n in chosen), "index only"
        # and a later page's count reads the same indexes
        counted = await _plan(seeded, count)
        assert _indexes(counted) == indexes, counted


async def test_a_relevance_page_and_its_count_read_the_search_index_once_each(
    seeded: AsyncConnection,
) -> None:
    page, count = await _statements(seeded, SEARCH, ProductSort.RELEVANCE)
    for statement in (page, count):
        nodes = await _plan(seeded, statement)
        assert not _scans_products_sequentially(nodes), nodes
        # the matches come from the full-text index, and no match is looked up a second time
        # by product id in the search table
        searches = [n for n in nodes if n.get("Index Name") == SEARCH_INDEX]
        assert len(searches) == 1, nodes
        assert "pk_product_search" not in _indexes(nodes)
        # and the query text is parsed once per statement, not once per ranked match
        assert any(n.get("Subplan Name", "").startswith("InitPlan") for n in nodes), nodes
    # and the page ranks its matches from the search rows alone: only the chosen page's
    # products are read
    chosen = _limited(await _root(seeded, page))
    assert chosen
    assert not [n for n in chosen if n.get("Relation Name") == "products"], chosen
    assert not [n for n in _indexes(chosen) if "products" in n and "search" not in n], chosen


async def test_a_counted_page_counts_its_matches_by_their_sort_keys_alone(
    seeded: AsyncConnection,
) -> None:
    # given the first page of a search by relevance that also counts its matches
    page, _count = await _statements(seeded, SEARCH, ProductSort.RELEVANCE, total=True)
    sql = page.compile(dialect=seeded.dialect, compile_kwargs={"literal_binds": True})
    explained = await seeded.scalar(text(f"EXPLAIN (FORMAT JSON, VERBOSE) {sql}"))
    assert explained is not None
    windows = [n for n in _nodes(explained[0]["Plan"]) if n["Node Type"] == "WindowAgg"]
    assert len(windows) == 1, explained
    # then the count stores each match as its sort keys, ranked before it is counted, not
    # as the search row it was found in
    counted = [column for child in windows[0]["Plans"] for column in child["Output"]]
    assert any("ts_rank" in column for column in counted), counted
    assert not any(column.endswith(".search_vector") for column in counted), counted


async def test_a_sidebar_of_several_attributes_and_countries_reads_spec_rows_alone(
    seeded: AsyncConnection,
) -> None:
    # given twill fabrics of 200 to 240 g/m² from India: each facet is counted under the
    # other conditions, so every product set has two or three picked keys
    catalog = await _catalog(seeded)
    product_filter = ProductFilter(
        product_type_slug="fabric", country_of_origin=["IN"], specs=TWILL_200_240.specs
    )
    conditions = compile_filter(product_filter, catalog=catalog)
    scope = catalog.scoped(type_id=None, type_slug="fabric")
    groups = sidebar_groups(conditions, facetable_attributes(scope), countries=True)
    # when the sidebar counts them, countries included
    nodes = await _plan(seeded, value_counts_statement(groups))
    # then the sets are found, and their values and countries counted, from spec value
    # indexes alone: no product row, nor a products index, is read
    assert not [n for n in nodes if n.get("Relation Name") == "products"], nodes
    assert not [name for name in _indexes(nodes) if name.startswith("ix_products_")], nodes
    assert "ix_product_spec_values_product_rows" in _indexes(nodes)


async def test_a_sidebar_beside_a_search_reads_spec_value_indexes_not_the_table(
    seeded: AsyncConnection,
) -> None:
    # given a search for cotton among fabrics of 200 to 240 g/m²: the weight facet counts
    # every cotton fabric's weight, thousands of them
    catalog = await _catalog(seeded)
    product_filter = ProductFilter(search="cotton", specs=GSM_200_240.specs)
    conditions = compile_filter(product_filter, catalog=catalog)
    groups = sidebar_groups(conditions, facetable_attributes(catalog), countries=True)
    # when the sidebar counts them
    nodes = await _plan(seeded, value_counts_statement(groups))
    # then each key's values come from the partial value indexes or the product rows index
    # alone, never from a scan of all spec rows nor the table
    scans = [n for n in nodes if n.get("Relation Name") == "product_spec_values"]
    assert scans, nodes
    assert all(n["Node Type"] != "Seq Scan" for n in scans), scans
    assert all(n["Node Type"] == "Index Only Scan" for n in scans), scans
