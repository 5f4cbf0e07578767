"""Text that PostgreSQL or UTF-8 cannot hold is refused at the input boundary, for every argument.

A NUL (PostgreSQL text cannot store it) or a lone surrogate (JSON's `"\\ud800"` carries one;
it is not Unicode text and cannot be encoded) in any String or ID argument, at any depth, as a
variable or a literal, gets BAD_USER_INPUT naming the argument, before any resolver runs.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.graphql_client import GraphQLClient

NUL = "a\u0000b"
LONE_SURROGATE = "a\ud800b"

PRODUCT = "query($s: String!) { product(slug: $s) { id } }"
LOGIN = """mutation($email: String!) {
  login(email: $email, password: "irrelevant") { __typename }
}"""
CREATE_COMPANY = """mutation($input: ClientCompanyInput!) {
  createClientCompany(input: $input) { userErrors { code } }
}"""
PLACE_ORDER = """mutation($input: PlaceOrderInput!, $key: String!) {
  placeOrder(input: $input, idempotencyKey: $key) { userErrors { code } }
}"""
NODE = "query($id: ID!) { node(id: $id) { id } }"


def _order(**fields: Any) -> dict[str, Any]:
    address = {"name": "Hanse Textil", "line1": "Kai 1", "city": "Hamburg", "country": "DE"}
    line = {"variantId": "VmFyaWFudDox", "quantity": 10}
    order = {
        "currency": "USD",
        "incoterm": "FOB",
        "namedPlace": "Hamburg",
        "shippingAddress": address,
        "lines": [line],
        "note": "",
    }
    return {**order, **fields}


def _cases(bad: str) -> list[tuple[str, dict[str, Any], str]]:
    """(document, variables, the variable the error must name) for each entry point."""
    return [
        (PRODUCT, {"s": bad}, "s"),
        (LOGIN, {"email": bad}, "email"),
        (CREATE_COMPANY, {"input": {"name": bad, "country": "DE"}}, "input"),
        (PLACE_ORDER, {"input": _order(note=bad), "key": "k-1"}, "input"),
        (
            PLACE_ORDER,
            {
                "input": _order(
                    shippingAddress={"name": bad, "line1": "x", "city": "y", "country": "DE"}
                ),
                "key": "k-2",
            },
            "input",
        ),
        (PLACE_ORDER, {"input": _order(), "key": bad}, "key"),
        (NODE, {"id": bad}, "id"),
    ]


def _assert_refused(response_status: int, body: dict[str, Any], argument: str) -> None:
    assert response_status == 200, body
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["argument"] == argument


@pytest.mark.parametrize("bad", [NUL, LONE_SURROGATE], ids=["nul", "lone-surrogate"])
@pytest.mark.parametrize("case", range(7))
async def test_bad_text_in_a_variable_is_refused_naming_it(
    admin: GraphQLClient, bad: str, case: int
) -> None:
    document, variables, argument = _cases(bad)[case]
    response = await admin.response(document, variables)
    _assert_refused(response.status_code, response.json(), argument)


@pytest.mark.parametrize(
    ("document", "argument"),
    [
        ('{ product(slug: "a\\u0000") { id } }', "slug"),
        (
            '{ products(first: 2, filter: {categorySlug: "\\u0000"}) { totalCount } }',
            "filter.categorySlug",
        ),
        ('mutation { login(email: "a\\u0000@b.c", password: "x") { __typename } }', "email"),
        (
            'mutation { createClientCompany(input: {name: "A\\u{0}", country: "DE"}) '
            "{ userErrors { code } } }",
            "input.name",
        ),
        ('{ node(id: "\\u0000") { id } }', "id"),
        ('query($s: String! = "\\u0000") { product(slug: $s) { id } }', "s"),
    ],
)
async def test_a_nul_in_a_literal_is_refused_naming_the_argument(
    admin: GraphQLClient, document: str, argument: str
) -> None:
    response = await admin.response(document)
    _assert_refused(response.status_code, response.json(), argument)


async def test_a_lone_surrogate_escaped_in_a_literal_is_a_syntax_error(
    client: GraphQLClient,
) -> None:
    body = await client.post('{ product(slug: "\\ud800") { id } }')
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize(
    "payload",
    [
        {"query": '{ product(slug: "\ud800") { id } }'},
        {"query": "{ __typename }", "operationName": "\ud800"},
    ],
    ids=["in-the-document", "in-operation-name"],
)
async def test_a_lone_surrogate_in_the_document_or_operation_name_is_a_bad_request(
    client: GraphQLClient, payload: dict[str, str]
) -> None:
    response = await client.http.post(
        "/graphql", content=json.dumps(payload), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_ordinary_text_still_passes(client: GraphQLClient) -> None:
    body = await client.post(PRODUCT, {"s": "çay-bardağ-日本"})
    assert body == {"data": {"product": None}}
