"""Operations are costed before they run; one that would read too much runs nothing."""

from __future__ import annotations

from graphql import parse

from core.db import Database
from core.settings import Settings
from schema.build import build_schema
from schema.cost import LIST_ESTIMATE, operation_cost
from tests.graphql_client import GraphQLClient, graphql_client

SCHEMA = build_schema()._schema

LISTING = """query($n: Int) { products(first: $n) {
  totalCount edges { cursor node { name variants { sku } } } } }"""
# Orders, their lines, each line's product and every variant's tiers: shallow, no aliases.
FAN_OUT = """{ orders(first: 100) { nodes { lines { variant { product {
  variants { priceTiers { minQuantity } } } } } } } }"""


def cost(document: str, variables: dict[str, object] | None = None) -> int:
    found = operation_cost(SCHEMA, parse(document), None, variables)
    assert found is not None
    return found


def test_an_object_costs_one_a_scalar_nothing_and_a_list_multiplies_its_selection() -> None:
    # the connection 1, then per item of the page: the edge 1, its node 1, and the node's
    # variants, 10 objects of scalars only
    assert cost(LISTING, {"n": 5}) == 1 + 5 * (1 + 1 + LIST_ESTIMATE * 1)
    # the default page size when `first` is left out, and the same through a fragment
    assert cost(LISTING) == cost(LISTING, {"n": 20})
    spread = """query { products(first: 5) { ...Page } }
      fragment Page on ProductConnection { totalCount edges { cursor node { name
        variants { sku } } } }"""
    assert cost(spread) == cost(LISTING, {"n": 5})


def test_introspection_costs_nothing() -> None:
    assert cost("{ __schema { types { name fields { name } } } }") == 0


async def test_an_operation_over_the_limit_is_refused_whole(
    client: GraphQLClient, settings: Settings
) -> None:
    assert cost(FAN_OUT) > settings.max_query_cost
    body = await client.post(FAN_OUT)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert f"{settings.max_query_cost:,}" in error["message"]
    accepted = await client.post(LISTING, {"n": 100})
    assert "errors" not in accepted


async def test_the_limit_is_a_setting(settings: Settings, db: Database) -> None:
    strict = settings.model_copy(update={"max_query_cost": 100})
    async with graphql_client(strict, db) as tight:
        refused = await tight.post(LISTING, {"n": 100})
        accepted = await tight.post(LISTING, {"n": 2})
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "errors" not in accepted
