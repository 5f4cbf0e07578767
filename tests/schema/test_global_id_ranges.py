"""A global id whose number lies beyond its table's key gets what an unknown id gets.

Catalog keys are 32-bit, the others 64-bit: `Product:2147483648` or `Order:2^63` name no row,
and must be answered as such (null, a NOT_FOUND userError), never sent to the database.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from core.db import Database
from core.global_id import KEY_RANGES, encode_global_id
from core.settings import Settings
from resolvers.catalog.reads import NODE_RELATIONS
from schema.build import build_schema
from tests.graphql_client import GraphQLClient, graphql_client
from tests.orders.builders import PAY, PLACE, make_shop, move, order_input, place_one

ROOT = Path(__file__).resolve().parents[2]
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
BEYOND = [INT32_MAX + 1, INT64_MAX, INT64_MAX + 1, 10**30]


def test_every_type_a_global_id_can_name_has_a_known_key_range() -> None:
    schema = build_schema()
    node_types = {
        implementation.name
        for implementation in schema._schema.get_implementations(
            schema._schema.type_map["Node"]  # type: ignore[arg-type]
        ).objects
    }
    spelled = set()
    for path in ROOT.glob("[a-z]*/**/*.py"):
        if ".venv" not in path.parts and "tests" not in path.parts:
            text = path.read_text(encoding="utf-8")
            spelled |= set(re.findall(r'encode_global_id\(\s*"(\w+)"', text))
            spelled |= set(re.findall(r'decode_typed_id\([^,]+,\s*"(\w+)"', text))
    named = node_types | spelled | set(NODE_RELATIONS)
    assert named - set(KEY_RANGES) == set()
    assert {KEY_RANGES["Product"], KEY_RANGES["Variant"], KEY_RANGES["Order"]} == {
        INT32_MAX,
        INT64_MAX,
    }
    assert KEY_RANGES["Product"] == KEY_RANGES["Variant"] == INT32_MAX
    assert KEY_RANGES["Order"] == KEY_RANGES["User"] == INT64_MAX


@pytest.mark.parametrize("type_name", sorted(NODE_RELATIONS))
async def test_node_answers_null_for_a_key_beyond_the_table(
    client: GraphQLClient, type_name: str
) -> None:
    for pk in [KEY_RANGES[type_name] + 1, *BEYOND]:
        body = await client.post(
            "query($id: ID!) { node(id: $id) { id } }", {"id": encode_global_id(type_name, pk)}
        )
        assert body == {"data": {"node": None}}, (type_name, pk)


def _variant_errors(body: dict[str, Any]) -> Any:
    return body["placeOrder"]["userErrors"]


@pytest.mark.slow
async def test_an_order_line_of_a_variant_beyond_the_table_is_refused_as_unknown(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        buyer = http.as_(shop.client_token)

        async def place(variant_pk: int, key: str) -> Any:
            order = order_input([(shop.variant, 10)])
            order["lines"][0]["variantId"] = encode_global_id("Variant", variant_pk)
            return _variant_errors(await buyer.data(PLACE, {"input": order, "key": key}))

        unknown = await place(INT32_MAX, "unknown")
        beyond = [await place(pk, f"beyond-{pk}") for pk in BEYOND]
    assert unknown
    assert beyond == [unknown] * len(BEYOND)


async def test_a_payment_for_an_order_beyond_the_table_is_refused_as_unknown(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a")
        await move(http, shop.sales_token, "confirmOrder", order_id)
        finance = http.as_(shop.finance_token)

        async def pay(order_pk: int) -> Any:
            variables = {"id": encode_global_id("Order", order_pk), "amount": "1", "ref": "R"}
            return (await finance.data(PAY, variables))["recordPayment"]

        unknown = await pay(INT64_MAX - 1)
        beyond = [await pay(pk) for pk in BEYOND[2:]]
    assert unknown["userErrors"]
    assert beyond == [unknown] * len(BEYOND[2:])
