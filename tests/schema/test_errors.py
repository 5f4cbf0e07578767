"""What clients see when things go wrong: stable codes, the request id, nothing internal."""

from __future__ import annotations

import logging

import pytest

from core.db import Database, create_engine
from core.global_id import encode_global_id
from core.settings import Settings
from tests.builders import make_category, make_fabric_type, make_product
from tests.graphql_client import GraphQLClient, graphql_client


async def test_page_size_out_of_range_names_the_argument(client: GraphQLClient) -> None:
    for first in (0, 101, 1000):
        body = await client.post(
            "query($f: Int!) { products(first: $f) { totalCount } }", {"f": first}
        )
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["argument"] == "first"
        assert error["extensions"]["requestId"]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WyJuYW1lIl0=", "eyJhIjogMX0=", ""])
async def test_a_bad_cursor_names_the_after_argument(client: GraphQLClient, cursor: str) -> None:
    body = await client.post(
        "query($a: String) { products(first: 2, after: $a) { totalCount } }", {"a": cursor}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["argument"] == "after"


async def test_an_id_of_another_type_is_rejected(db: Database, client: GraphQLClient) -> None:
    async with db.session() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        product = await make_product(session, product_type=product_type, category=category)
        await session.commit()
    product_id = encode_global_id("Product", product.id or 0)
    body = await client.post(
        "query($f: ProductFilter) { products(filter: $f) { totalCount } }",
        {"f": {"category": product_id}},
    )
    error = body["errors"][0]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "argument": "filter.category",
        "requestId": error["extensions"]["requestId"],
    }
    assert "Category" in error["message"]


@pytest.mark.parametrize("bad_id", ["garbage", encode_global_id("Teleporter", 1), "UHJvZHVjdDp4"])
async def test_node_refuses_malformed_or_unknown_type_ids(
    client: GraphQLClient, bad_id: str
) -> None:
    body = await client.post("query($id: ID!) { node(id: $id) { id } }", {"id": bad_id})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["argument"] == "id"


async def test_bad_variables_are_bad_user_input_naming_the_variable(
    client: GraphQLClient,
) -> None:
    body = await client.post("query($f: Int!) { products(first: $f) { totalCount } }", {"f": "x"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["argument"] == "f"


async def test_no_did_you_mean_outside_development(settings: Settings, db: Database) -> None:
    # A misspelt field, argument and type: each would otherwise suggest the real name.
    document = (
        "{ products { edges { node { nme } } } categories(slg: 1) { slug ...F } }"
        " fragment F on Categry { slug }"
    )
    for env, suggests in (("test", False), ("production", False), ("development", True)):
        configured = settings.model_copy(update={"env": env})
        async with graphql_client(configured, db) as client:
            body = await client.post(document)
        messages = " ".join(error["message"] for error in body["errors"])
        assert ("Did you mean" in messages) is suggests, (env, messages)
        assert "Categry" in messages
        assert {e["extensions"]["code"] for e in body["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # A real fault: the database the app points at was never migrated. (One it cannot reach
    # is no bug of ours but an outage: tests/app/test_database_outage.py.)
    broken = settings.model_copy(
        update={"database_url": settings.database_url.rsplit("/", 1)[0] + "/postgres"}
    )
    engine = create_engine(broken)
    try:
        async with graphql_client(broken, Database(engine)) as client:
            with caplog.at_level(logging.ERROR, logger="tradeql.graphql"):
                body = await client.post("{ categories { slug } }")
    finally:
        await engine.dispose()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_ERROR"
    assert "does not exist" not in str(body)
    request_id = error["extensions"]["requestId"]
    logged = [record for record in caplog.records if record.name == "tradeql.graphql"]
    assert logged
    assert logged[0].request_id == request_id  # type: ignore[attr-defined]
    assert logged[0].exc_info is not None
    assert 'relation "categories" does not exist' in str(logged[0].exc_info[1])


async def test_debug_extensions_only_when_enabled(settings: Settings, db: Database) -> None:
    for enabled in (True, False):
        configured = settings.model_copy(update={"debug_extensions": enabled})
        async with graphql_client(configured, db) as client:
            body = await client.post_with_extensions("{ categories { slug } }")
        if enabled:
            assert body["extensions"]["sqlStatements"] == 1
            assert body["extensions"]["durationMs"] >= 0
        else:
            assert "extensions" not in body


async def test_introspection_follows_the_public_introspection_setting(
    settings: Settings, db: Database
) -> None:
    for public, allowed in ((True, True), (False, False)):
        configured = settings.model_copy(update={"public_introspection": public})
        async with graphql_client(configured, db) as client:
            body = await client.post("{ __schema { queryType { name } } }")
        assert ("errors" not in body) is allowed
