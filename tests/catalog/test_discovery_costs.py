"""Filtered listings and facets cost a fixed number of statements, whatever the page or catalog."""

from __future__ import annotations

from core.db import Database
from tests.builders import make_category, make_product, make_variant
from tests.catalog.discovery_catalog import FABRIC_ATTRIBUTES, make_product_type
from tests.graphql_client import GraphQLClient

FILTERED_PAGE = """
query($first: Int!) {
  products(first: $first, sortBy: PRICE_ASC, filter: {
    search: "cotton", countryOfOrigin: ["IN"], price: {currency: "USD", max: "1000"},
    specs: [{attribute: "gsm", range: {min: 100}}, {attribute: "weave", oneOf: ["twill"]}]
  }) {
    totalCount
    edges { cursor node { name variants { sku } } }
  }
}
"""
FACETS = """
{
  facets(filter: {search: "cotton", specs: [{attribute: "weave", equals: {text: "twill"}},
                                             {attribute: "gsm", range: {max: 400}}]}) {
    attributes { key values { value count } numbers { min max buckets { from to count } } }
    countriesOfOrigin { value count }
  }
}
"""


async def _seed_twills(db: Database, count: int, *, weights: int = 1_000) -> None:
    """`count` twills whose weights take `weights` distinct values at most."""
    async with db.session() as session:
        fabric = await make_product_type(session, "Fabric", FABRIC_ATTRIBUTES)
        category = await make_category(session)
        for index in range(count):
            product = await make_product(
                session,
                product_type=fabric,
                category=category,
                name=f"Cotton Twill {index:03d}",
                specs={"gsm": 100 + index % weights, "weave": "twill", "organic": index % 2 == 0},
            )
            await make_variant(session, product=product, prices={"USD": [(1, f"{1 + index}")]})
        await session.commit()


async def test_a_filtered_sorted_page_of_100_costs_what_a_page_of_1_costs(
    db: Database, client: GraphQLClient
) -> None:
    await _seed_twills(db, 100)
    one = await client.post_with_extensions(FILTERED_PAGE, {"first": 1})
    hundred = await client.post_with_extensions(FILTERED_PAGE, {"first": 100})
    assert "errors" not in hundred
    assert len(hundred["data"]["products"]["edges"]) == 100
    # attribute catalog, page with its count (a first page found through filters), variants
    assert one["extensions"]["sqlStatements"] == hundred["extensions"]["sqlStatements"] == 3


async def test_facets_cost_the_same_for_sixty_products_as_for_two_hundred(
    db: Database, client: GraphQLClient
) -> None:
    # given weights that take more distinct values than a facet lists (50)
    await _seed_twills(db, 60)
    few = await client.post_with_extensions(FACETS)
    await _seed_twills(db, 140)
    many = await client.post_with_extensions(FACETS)
    assert "errors" not in many
    gsm = {facet["key"]: facet for facet in many["data"]["facets"]["attributes"]}["gsm"]
    assert gsm["numbers"]["max"] == 239
    assert sum(bucket["count"] for bucket in gsm["numbers"]["buckets"]) == 200
    # the attribute catalog, value and country counts (one statement for both fields), bucket
    # counts
    assert few["extensions"]["sqlStatements"] == many["extensions"]["sqlStatements"] == 3


async def test_number_facets_with_few_distinct_values_need_no_second_pass(
    db: Database, client: GraphQLClient
) -> None:
    await _seed_twills(db, 100, weights=7)
    body = await client.post_with_extensions(FACETS)
    gsm = {facet["key"]: facet for facet in body["data"]["facets"]["attributes"]}["gsm"]
    assert (gsm["numbers"]["min"], gsm["numbers"]["max"]) == (100, 106)
    assert sum(bucket["count"] for bucket in gsm["numbers"]["buckets"]) == 100
    # the buckets come from the value counts: catalog, value and country counts
    assert body["extensions"]["sqlStatements"] == 2
