"""Every filter operator against answers worked out by hand, on PostgreSQL and on SQLite.

The catalog is `tests.catalog.discovery_catalog`; its docstring has the table the expectations read.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.db import Database
from tests.catalog.discovery_catalog import seed_discovery_catalog
from tests.graphql_client import GraphQLClient

LISTING = """
query Listing($filter: ProductFilter) {
  products(first: 100, filter: $filter) { totalCount edges { node { name } } }
}
"""

BLEACHED, COTTON, DUCK = "Bleached Organic Cotton Twill 220", "Cotton Poplin 120", "Duck Canvas 340"
SILK, TWILL = "Silk Satin Drape 90", "Twill Workwear Fabric 260"
GROOVE, HYBRID = "Groove Ball Bearing 6204-2RS", "Hybrid Ball Bearing 6205-ZZ"
OPEN, ROLLER = "Open Ball Bearing 6204", "Roller Bearing 30206 Tapered"


async def listed(client: GraphQLClient, product_filter: dict[str, Any]) -> list[str]:
    data = await client.data(LISTING, {"filter": product_filter})
    names = [edge["node"]["name"] for edge in data["products"]["edges"]]
    assert data["products"]["totalCount"] == len(names), "totalCount is exact for the filter"
    return names


def spec(attribute: str, **operator: Any) -> dict[str, Any]:
    return {"specs": [{"attribute": attribute, **operator}]}


SPEC_CASES = [
    pytest.param(spec("gsm", equals={"number": 220}), [BLEACHED], id="number-equals"),
    pytest.param(spec("gsm", range={"min": 200, "max": 300}), [BLEACHED, TWILL], id="range"),
    pytest.param(spec("gsm", range={"min": 260}), [DUCK, TWILL], id="range-min-inclusive"),
    pytest.param(spec("gsm", range={"max": 120}), [COTTON, SILK], id="range-max-inclusive"),
    pytest.param(spec("weave", equals={"text": "twill"}), [BLEACHED, TWILL], id="enum-equals"),
    pytest.param(spec("weave", oneOf=["plain", "satin"]), [COTTON, DUCK, SILK], id="enum-one-of"),
    pytest.param(spec("organic", equals={"boolean": True}), [BLEACHED, SILK], id="boolean-true"),
    pytest.param(
        spec("organic", equals={"boolean": False}), [COTTON, DUCK, TWILL], id="boolean-false"
    ),
    pytest.param(
        spec("certifications", equals={"text": "GOTS"}), [BLEACHED, SILK], id="multi-enum-has"
    ),
    pytest.param(
        spec("certifications", oneOf=["OEKO-TEX", "BCI"]),
        [BLEACHED, COTTON],
        id="multi-enum-has-any",
    ),
    pytest.param(
        spec("composition", equals={"text": "100% cotton"}),
        [BLEACHED, COTTON, DUCK],
        id="text-equals",
    ),
    pytest.param(
        spec("composition", oneOf=["100% silk", "65% polyester 35% cotton"]),
        [SILK, TWILL],
        id="text-one-of",
    ),
    pytest.param(
        # Bearings have black ones too, but colour is not filterable on bearings.
        spec("colour", equals={"text": "black"}),
        [DUCK, SILK],
        id="key-filterable-on-one-type-only",
    ),
    pytest.param(
        spec("grade", equals={"text": "A"}),
        [BLEACHED, DUCK, GROOVE, ROLLER, TWILL],
        id="key-shared-by-two-types",
    ),
    pytest.param(spec("bore_mm", equals={"number": 20}), [GROOVE, OPEN], id="bearing-bore"),
    pytest.param(spec("width", range={"min": 17, "max": 17.5}), [ROLLER], id="fractional-number"),
]


@pytest.mark.parametrize(("product_filter", "expected"), SPEC_CASES)
async def test_each_spec_operator_lists_exactly_the_matching_products(
    any_db: Database,
    any_client: GraphQLClient,
    product_filter: dict[str, Any],
    expected: list[str],
) -> None:
    # given the hand-made catalog (its draft product matches several filters but is hidden)
    await seed_discovery_catalog(any_db)
    # when the storefront filters on one spec, then exactly the expected products are listed
    assert await listed(any_client, product_filter) == expected


async def test_conditions_on_one_attribute_and_on_several_combine_with_and(
    any_db: Database, any_client: GraphQLClient
) -> None:
    await seed_discovery_catalog(any_db)
    both_certificates = {
        "specs": [
            {"attribute": "certifications", "equals": {"text": "GOTS"}},
            {"attribute": "certifications", "equals": {"text": "OEKO-TEX"}},
        ]
    }
    assert await listed(any_client, both_certificates) == [BLEACHED]
    twill_from_india = {
        "countryOfOrigin": ["IN"],
        "specs": [
            {"attribute": "weave", "equals": {"text": "twill"}},
            {"attribute": "gsm", "range": {"min": 250}},
        ],
    }
    assert await listed(any_client, twill_from_india) == [TWILL]
    # one attribute's values listed, the other attributes (several conditions on one
    # multi-valued key among them) checked beside it
    twill_with_both = {
        "specs": [*both_certificates["specs"], *spec("weave", oneOf=["twill"])["specs"]]
    }
    assert await listed(any_client, twill_with_both) == [BLEACHED]
    organic_gots = {
        "specs": [
            {"attribute": "organic", "equals": {"boolean": True}},
            {"attribute": "certifications", "equals": {"text": "GOTS"}},
        ]
    }
    assert await listed(any_client, organic_gots) == [BLEACHED, SILK]


PAGED = """
query Paged($filter: ProductFilter, $after: String) {
  products(first: 2, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name } }
  }
}
"""


async def test_several_attributes_page_by_name_with_the_same_total_on_every_page(
    any_db: Database, any_client: GraphQLClient
) -> None:
    # given fabrics woven plain or twill of at least 100 g/m²
    catalog = await seed_discovery_catalog(any_db)
    product_filter = {
        "productTypeSlug": catalog.fabric_slug,
        "specs": [
            {"attribute": "weave", "oneOf": ["twill", "plain"]},
            {"attribute": "gsm", "range": {"min": 100}},
        ],
    }
    # when the storefront pages through them two at a time
    first = await any_client.data(PAGED, {"filter": product_filter})
    after = first["products"]["pageInfo"]["endCursor"]
    second = await any_client.data(PAGED, {"filter": product_filter, "after": after})
    # then every match is listed once, in name order, and each page counts them all
    pages = [first["products"], second["products"]]
    names = [edge["node"]["name"] for page in pages for edge in page["edges"]]
    assert names == [BLEACHED, COTTON, DUCK, TWILL]
    assert [page["totalCount"] for page in pages] == [4, 4]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, False]


@pytest.mark.parametrize(
    "value",
    ["it's 100% cotton", "back\\slash", "'; DROP TABLE products; --", "%", "_"],
)
async def test_spec_values_with_quotes_and_wildcards_are_only_values(
    any_db: Database, any_client: GraphQLClient, value: str
) -> None:
    # given the catalog, whose compositions hold none of these values
    await seed_discovery_catalog(any_db)
    # when a buyer filters on one (values are written into the SQL as quoted constants),
    # then it matches nothing, alone or beside a value that matches
    assert await listed(any_client, spec("composition", equals={"text": value})) == []
    assert await listed(any_client, spec("composition", oneOf=[value, "100% silk"])) == [SILK]
    # and the catalog is intact
    assert await listed(any_client, spec("composition", equals={"text": "100% silk"})) == [SILK]


@pytest.mark.parametrize(
    ("product_filter", "expected"),
    [
        pytest.param({"search": "twill"}, [BLEACHED, TWILL], id="name-and-description"),
        pytest.param({"search": "cotton TWILL"}, [BLEACHED, TWILL], id="all-words-any-case"),
        pytest.param({"search": "6204"}, [GROOVE, OPEN], id="name-and-sku"),
        pytest.param({"search": "brg-6204-2rs"}, [GROOVE], id="whole-sku"),
        pytest.param({"search": "BRG 30206"}, [ROLLER], id="sku-parts"),
        pytest.param({"search": "bear"}, [GROOVE, HYBRID, OPEN, ROLLER], id="word-prefix"),
        # the last word may be unfinished (the buyer is typing it), the others are whole
        pytest.param({"search": "6204 bear"}, [GROOVE, OPEN], id="last-word-prefix"),
        pytest.param({"search": "bear 6204"}, [], id="earlier-words-whole"),
        pytest.param({"search": "earing"}, [], id="not-inside-a-word"),
        pytest.param({"search": "tiruppur"}, [BLEACHED], id="description-only"),
        pytest.param({"search": "g/m²"}, [BLEACHED], id="symbols-fold-to-words"),
    ],
)
async def test_search_finds_words_in_name_description_and_sku(
    any_db: Database,
    any_client: GraphQLClient,
    product_filter: dict[str, Any],
    expected: list[str],
) -> None:
    await seed_discovery_catalog(any_db)
    assert await listed(any_client, product_filter) == expected


@pytest.mark.parametrize(
    ("product_filter", "expected"),
    [
        pytest.param({"countryOfOrigin": ["IN"]}, [BLEACHED, DUCK, OPEN, TWILL], id="country"),
        pytest.param({"countryOfOrigin": ["CN", "JP"]}, [GROOVE, HYBRID, SILK], id="countries"),
        pytest.param(
            # from-prices: the lowest quantity break, cheapest over variants (Duck: 5.20)
            {"price": {"currency": "USD", "min": "1.80", "max": "4.20"}},
            [BLEACHED, COTTON, HYBRID, TWILL],
            id="price-range-inclusive",
        ),
        pytest.param(
            {"price": {"currency": "USD", "min": "5.20", "max": "5.20"}},
            [DUCK],
            id="price-lowest-break-cheapest-variant",
        ),
        pytest.param({"price": {"currency": "EUR"}}, [DUCK, SILK], id="has-a-price-in-currency"),
        pytest.param({"price": {"currency": "GBP"}}, [], id="no-price-in-currency"),
        pytest.param({"productTypeSlug": "bearing"}, [GROOVE, HYBRID, OPEN, ROLLER], id="type"),
        pytest.param(
            {"productTypeSlug": "bearing", **spec("seal", oneOf=["2RS", "ZZ"])},
            [GROOVE, HYBRID],
            id="type-and-spec",
        ),
        pytest.param(
            {
                "productTypeSlug": "fabric",
                "search": "cotton",
                "countryOfOrigin": ["IN"],
                "price": {"currency": "USD", "max": "5"},
                **spec("gsm", range={"min": 100, "max": 250}),
            },
            [BLEACHED],
            id="everything-at-once",
        ),
    ],
)
async def test_country_price_and_type_filters(
    any_db: Database,
    any_client: GraphQLClient,
    product_filter: dict[str, Any],
    expected: list[str],
) -> None:
    catalog = await seed_discovery_catalog(any_db)
    if "productTypeSlug" in product_filter:
        slugs = {"bearing": catalog.bearing_slug, "fabric": catalog.fabric_slug}
        product_filter = {
            **product_filter,
            "productTypeSlug": slugs[product_filter["productTypeSlug"]],
        }
    assert await listed(any_client, product_filter) == expected
