"""What an answer actually cost: its objects, counted along the operation's selections."""

from __future__ import annotations

from typing import Any

from graphql import parse

from schema.build import build_schema
from schema.cost import operation_cost
from schema.response_cost import response_cost

SCHEMA = build_schema()._schema
LISTING = """{ products(first: 3) { totalCount edges { node { name specs variants { sku } } } } }"""


def node(name: str, variants: int) -> dict[str, Any]:
    # `specs` is a JSON scalar: an object in the answer, yet a scalar of the schema
    return {
        "name": name,
        "specs": {"gsm": 220},
        "variants": [{"sku": f"S{i}"} for i in range(variants)],
    }


def test_each_object_returned_costs_one_as_estimated_for_a_full_answer() -> None:
    data = {
        "products": {
            "totalCount": 3,
            "edges": [{"node": node("a", 10)}, {"node": node("b", 10)}, {"node": node("c", 10)}],
        }
    }

    # the same count as the estimate when every page and list is as full as assumed
    assert response_cost(parse(LISTING), None, data) == 1 + 3 * (1 + 1 + 10)
    assert response_cost(parse(LISTING), None, data) == operation_cost(
        SCHEMA, parse(LISTING), None, None
    )


def test_shorter_pages_and_lists_and_nulls_cost_less() -> None:
    data = {"products": {"totalCount": 1, "edges": [{"node": node("a", 2)}]}}
    assert response_cost(parse(LISTING), None, data) == 1 + (1 + 1 + 2)
    assert response_cost(parse(LISTING), None, {"products": None}) == 0
    assert response_cost(parse(LISTING), None, None) == 0


def test_aliases_and_fragments_count_each_object_once() -> None:
    document = parse(
        """query Twice { first: product(slug: "a") { ...Name variants { sku } }
        second: product(slug: "b") { name ... on Product { variants { sku } } } }
        fragment Name on Product { name variants { sku } }"""
    )
    data = {
        "first": {"name": "a", "variants": [{"sku": "1"}, {"sku": "2"}]},
        "second": {"name": "b", "variants": [{"sku": "3"}]},
    }

    assert response_cost(document, "Twice", data) == (1 + 2) + (1 + 1)


def test_introspection_costs_nothing() -> None:
    document = parse('{ __schema { queryType { name } } product(slug: "a") { __typename } }')
    data = {"__schema": {"queryType": {"name": "Query"}}, "product": {"__typename": "Product"}}

    assert response_cost(document, None, data) == 1
