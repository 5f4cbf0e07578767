"""Bad filters are rejected before any product is read, with the attribute or field named."""

from __future__ import annotations

from typing import Any

import pytest

from core.db import Database
from tests.catalog.discovery_catalog import seed_discovery_catalog
from tests.graphql_client import GraphQLClient

QUERY = """
query($filter: ProductFilter) {
  products(first: 5, filter: $filter) { totalCount edges { node { name } } }
}
"""
FACETS = """
query($filter: ProductFilter) { facets(filter: $filter) { attributes { key } } }
"""


def spec(attribute: str, **operator: Any) -> dict[str, Any]:
    return {"specs": [{"attribute": attribute, **operator}]}


BAD_FILTERS = [
    pytest.param(
        spec("thread_count", equals={"number": 300}),
        "filter.specs.thread_count",
        "is not an attribute of any product type",
        id="unknown-attribute",
    ),
    pytest.param(spec("mill", equals={"text": "Tiruppur"}), "filter.specs.mill",
                 "is not filterable", id="not-filterable"),
    pytest.param(spec("gsm", equals={"text": "heavy"}), "filter.specs.gsm",
                 "NUMBER attribute", id="text-value-for-a-number"),
    pytest.param(spec("weave", equals={"number": 2}), "filter.specs.weave",
                 "ENUM attribute", id="number-value-for-an-enum"),
    pytest.param(spec("organic", oneOf=["yes"]), "filter.specs.organic",
                 "BOOLEAN attribute", id="one-of-on-a-boolean"),
    pytest.param(spec("weave", range={"min": 1}), "filter.specs.weave",
                 "ENUM attribute", id="range-on-an-enum"),
    pytest.param(spec("organic", equals={"text": "true"}), "filter.specs.organic",
                 "BOOLEAN attribute", id="text-for-a-boolean"),
    pytest.param(spec("weave", equals={"text": "denim"}), "filter.specs.weave",
                 "has no value 'denim'", id="enum-value-not-allowed"),
    pytest.param(spec("certifications", oneOf=["GOTS", "FAIRTRADE"]),
                 "filter.specs.certifications", "has no value 'FAIRTRADE'",
                 id="multi-enum-value-not-allowed"),
    pytest.param(spec("gsm"), "filter.specs.gsm", "exactly one of", id="no-operator"),
    pytest.param(spec("gsm", equals={"number": 220}, range={"min": 200}), "filter.specs.gsm",
                 "exactly one of", id="two-operators"),
    pytest.param(spec("gsm", range={}), "filter.specs.gsm", "min, max or both",
                 id="empty-range"),
    pytest.param(spec("gsm", range={"min": 300, "max": 200}), "filter.specs.gsm",
                 "min above max", id="inverted-range"),
    pytest.param(spec("weave", oneOf=[]), "filter.specs.weave", "1 to 100", id="empty-one-of"),
    pytest.param({"specs": [{"attribute": "gsm", "range": {"min": 1}}] * 21}, "filter.specs",
                 "at most 20", id="too-many-conditions"),
    pytest.param({"productTypeSlug": "bearing", **spec("gsm", equals={"number": 220})},
                 "filter.specs.gsm", "is not an attribute of product type 'bearing'",
                 id="attribute-of-another-type"),
    pytest.param({"search": "--"}, "filter.search", "letter or digit", id="search-no-words"),
    pytest.param({"search": " ".join(f"w{n}" for n in range(11))}, "filter.search",
                 "at most 10 words", id="search-too-many-words"),
    pytest.param({"countryOfOrigin": ["XX"]}, "filter.countryOfOrigin", "ISO 3166-1",
                 id="unknown-country"),
    pytest.param({"countryOfOrigin": []}, "filter.countryOfOrigin", "1 to 50",
                 id="no-country"),
    pytest.param({"price": {"currency": "usd"}}, "filter.price.currency", "ISO 4217",
                 id="unknown-currency"),
    pytest.param({"price": {"currency": "USD", "min": "-1"}}, "filter.price.min",
                 "0 or more", id="negative-price"),
    pytest.param({"price": {"currency": "USD", "min": "5", "max": "2"}}, "filter.price",
                 "min above max", id="inverted-price-range"),
    pytest.param({"productType": "not-an-id"}, "filter.productType", "global id",
                 id="bad-product-type-id"),
]  # fmt: skip


@pytest.mark.parametrize(("product_filter", "argument", "message"), BAD_FILTERS)
async def test_a_bad_filter_is_rejected_naming_what_is_wrong(
    any_db: Database,
    any_client: GraphQLClient,
    product_filter: dict[str, Any],
    argument: str,
    message: str,
) -> None:
    catalog = await seed_discovery_catalog(any_db)
    if product_filter.get("productTypeSlug") == "bearing":
        product_filter = {**product_filter, "productTypeSlug": catalog.bearing_slug}
        message = message.replace("'bearing'", f"'{catalog.bearing_slug}'")

    for query in (QUERY, FACETS):
        body = await any_client.post(query, {"filter": product_filter})

        assert body["data"] is None, "no product is listed for a rejected filter"
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["argument"] == argument
        assert error["message"].startswith(f"Argument '{argument}' ")
        assert message in error["message"]


@pytest.mark.parametrize("inline", [False, True])
async def test_equals_takes_exactly_one_value(any_client: GraphQLClient, inline: bool) -> None:
    # SpecValueInput is @oneOf: the schema refuses two values before any resolver runs,
    # whether they come in a variable or inline in the document.
    if inline:
        body = await any_client.post(
            '{ products(filter: {specs: [{attribute: "gsm", '
            'equals: {number: 220, text: "220"}}]}) { totalCount } }'
        )
    else:
        body = await any_client.post(
            QUERY, {"filter": spec("gsm", equals={"number": 220, "text": "220"})}
        )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "SpecValueInput" in body["errors"][0]["message"]


async def test_a_shared_key_is_checked_against_every_type_unless_one_is_named(
    any_db: Database, any_client: GraphQLClient
) -> None:
    # given `grade` is an ENUM on both types: equals.text fits both, a range fits neither
    catalog = await seed_discovery_catalog(any_db)
    body = await any_client.post(QUERY, {"filter": spec("grade", range={"min": 1})})
    assert body["errors"][0]["extensions"]["argument"] == "filter.specs.grade"
    # and with the type named, the key is checked against that type alone
    ok = await any_client.data(
        QUERY,
        {"filter": {"productTypeSlug": catalog.bearing_slug, **spec("grade", oneOf=["C"])}},
    )
    assert [edge["node"]["name"] for edge in ok["products"]["edges"]] == [
        "Hybrid Ball Bearing 6205-ZZ"
    ]
