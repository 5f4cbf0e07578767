"""Every order of the listing, paged with its cursors: stable, with no product repeated or
skipped, on PostgreSQL and on SQLite. Expected orders come from
`tests.catalog.discovery_catalog`."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from core.db import Database
from tests.catalog.discovery_catalog import seed_discovery_catalog
from tests.catalog.test_product_filters import (
    BLEACHED,
    COTTON,
    DUCK,
    GROOVE,
    HYBRID,
    OPEN,
    ROLLER,
    SILK,
    TWILL,
)
from tests.graphql_client import GraphQLClient

PAGE = """
query Page($first: Int!, $after: String, $filter: ProductFilter, $sortBy: ProductSort!,
           $currency: String) {
  products(first: $first, after: $after, filter: $filter, sortBy: $sortBy,
           sortCurrency: $currency) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { name } }
  }
}
"""


async def walk(client: GraphQLClient, *, page_size: int, **variables: Any) -> tuple[list[str], int]:
    """Every page of a listing, following endCursor; the names in order and the total, which
    every page states alike (a first page may count in its own statement, later ones apart)."""
    names: list[str] = []
    totals: set[int] = set()
    after = None
    while True:
        data = await client.data(PAGE, {"first": page_size, "after": after, **variables})
        connection = data["products"]
        names += [edge["node"]["name"] for edge in connection["edges"]]
        totals.add(connection["totalCount"])
        if not connection["pageInfo"]["hasNextPage"]:
            (total,) = totals
            return names, total
        after = connection["pageInfo"]["endCursor"]


ORDERS = [
    pytest.param(
        {"sortBy": "NAME"},
        [BLEACHED, COTTON, DUCK, GROOVE, HYBRID, OPEN, ROLLER, SILK, TWILL],
        id="name",
    ),
    pytest.param(
        # Hybrid and Open were created at the same moment: the later id comes first.
        {"sortBy": "NEWEST"},
        [ROLLER, OPEN, HYBRID, GROOVE, TWILL, SILK, DUCK, COTTON, BLEACHED],
        id="newest",
    ),
    pytest.param(
        # Silk has no USD price, so it is not listed; Cotton and Hybrid tie at 1.80 (id order).
        {"sortBy": "PRICE_ASC", "currency": "USD"},
        [OPEN, GROOVE, COTTON, HYBRID, TWILL, BLEACHED, DUCK, ROLLER],
        id="price-ascending",
    ),
    pytest.param(
        {"sortBy": "PRICE_DESC", "currency": "USD"},
        [ROLLER, DUCK, BLEACHED, TWILL, HYBRID, COTTON, GROOVE, OPEN],
        id="price-descending",
    ),
    pytest.param(
        {"sortBy": "PRICE_ASC", "filter": {"price": {"currency": "EUR"}}},
        [SILK, DUCK],
        id="price-currency-from-the-price-filter",
    ),
    pytest.param(
        # Name (and SKU) matches rank above description-only matches; ties go by name.
        {"sortBy": "RELEVANCE", "filter": {"search": "cotton"}},
        [BLEACHED, COTTON, DUCK, TWILL],
        id="relevance",
    ),
    pytest.param(
        {"sortBy": "NAME", "filter": {"specs": [{"attribute": "grade", "oneOf": ["A", "B"]}]}},
        [BLEACHED, COTTON, DUCK, GROOVE, OPEN, ROLLER, SILK, TWILL],
        id="name-with-a-spec-filter",
    ),
    pytest.param(
        {"sortBy": "NAME", "filter": {"specs": [{"attribute": "bore_mm",
                                                 "range": {"min": 20, "max": 25}}]}},
        [GROOVE, HYBRID, OPEN],
        id="name-with-a-number-range",
    ),
    pytest.param(
        {"sortBy": "NAME", "filter": {"specs": [{"attribute": "certifications",
                                                 "equals": {"text": "GOTS"}}]}},
        [BLEACHED, SILK],
        id="name-with-one-value-of-a-list",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("variables", "expected"), ORDERS)
@pytest.mark.parametrize("page_size", [1, 3])
async def test_every_order_pages_through_each_product_exactly_once(
    any_db: Database,
    any_client: GraphQLClient,
    variables: dict[str, Any],
    expected: list[str],
    page_size: int,
) -> None:
    # given the catalog, when a storefront pages through an order page by page
    await seed_discovery_catalog(any_db)
    names, total = await walk(any_client, page_size=page_size, **variables)
    # then it sees every matching product once, in the order, and the total agrees
    assert names == expected
    assert total == len(expected)


async def test_a_cursor_only_continues_the_order_it_came_from(
    any_db: Database, any_client: GraphQLClient
) -> None:
    await seed_discovery_catalog(any_db)
    first = await any_client.data(PAGE, {"first": 2, "sortBy": "PRICE_ASC", "currency": "USD"})
    cursor = first["products"]["pageInfo"]["endCursor"]

    for other in (
        {"sortBy": "NAME"},
        {"sortBy": "NEWEST"},
        {"sortBy": "PRICE_DESC", "currency": "USD"},
        {"sortBy": "PRICE_ASC", "currency": "EUR"},
    ):
        body = await any_client.post(PAGE, {"first": 2, "after": cursor, **other})
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert body["errors"][0]["extensions"]["argument"] == "after"

    same = await any_client.data(
        PAGE, {"first": 2, "after": cursor, "sortBy": "PRICE_ASC", "currency": "USD"}
    )
    assert [edge["node"]["name"] for edge in same["products"]["edges"]] == [COTTON, HYBRID]


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        pytest.param({"sortBy": "PRICE_ASC"}, "sortCurrency", id="price-without-currency"),
        pytest.param(
            {"sortBy": "PRICE_DESC", "currency": "usd"}, "sortCurrency", id="unknown-currency"
        ),
        pytest.param({"sortBy": "RELEVANCE"}, "sortBy", id="relevance-without-search"),
    ],
)
async def test_an_order_that_cannot_apply_is_rejected(
    any_client: GraphQLClient, variables: dict[str, Any], argument: str
) -> None:
    body = await any_client.post(PAGE, {"first": 5, **variables})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["argument"] == argument


@pytest.mark.parametrize(
    ("sort_by", "key"),
    [
        pytest.param("NAME", ["name", 1, 1], id="name-not-text"),
        pytest.param("NEWEST", ["newest", "yesterday", 1], id="newest-not-a-moment"),
        pytest.param("PRICE_ASC", ["price_asc:USD", "cheap", 1], id="price-not-a-number"),
        pytest.param("PRICE_ASC", ["price_asc:USD", "NaN", 1], id="price-not-finite"),
    ],
)
async def test_a_forged_cursor_with_the_right_order_but_a_bad_key_is_rejected(
    any_client: GraphQLClient, sort_by: str, key: list[Any]
) -> None:
    forged = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
    body = await any_client.post(
        PAGE, {"first": 2, "after": forged, "sortBy": sort_by, "currency": "USD"}
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["argument"] == "after"
