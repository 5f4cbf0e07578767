"""GraphQL over HTTP refuses malformed, oversized and abusive requests with a 4xx, never a 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from core.db import Database
from core.settings import Settings
from tests.graphql_client import graphql_client


@pytest.fixture
async def http(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """Raw HTTP to the app: these requests are not GraphQL documents a client would post."""
    limited = settings.model_copy(update={"max_body_bytes": 4_096, "debug_extensions": False})
    async with graphql_client(limited, db) as client:
        yield client.http


def _code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (b'{"query": "{ categories { slug } }"', "application/json", "not valid JSON"),
        (b'{"query": "\xff\xfe"}', "application/json", "not valid UTF-8"),
        (b"[" * 1_500 + b"]" * 1_500, "application/json", "nested more than"),
        (b'{"query": "{ categories { slug } }"}', "text/plain", "Content-Type"),
        (b'{"query": "{ categories { slug } }"}', "", "Content-Type"),
        (b'[{"query": "{ categories { slug } }"}]', "application/json", "Batched"),
        (b'"just a string"', "application/json", "JSON object"),
        (b'{"query": 42}', "application/json", "'query'"),
        (
            b'{"query": "{ categories { slug } }", "variables": [1]}',
            "application/json",
            "variables",
        ),
    ],
)
async def test_malformed_bodies_get_400(
    http: httpx.AsyncClient, content: bytes, content_type: str, message: str
) -> None:
    response = await http.post("/graphql", content=content, headers={"content-type": content_type})
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]
    assert _code(response) == "BAD_REQUEST"


async def test_a_json_nesting_bomb_inside_variables_gets_400(http: httpx.AsyncClient) -> None:
    bomb = (
        '{"query": "{ categories { slug } }", "variables": {"x": '
        + "[" * 100_000
        + "]" * 100_000
        + "}}"
    )
    response = await http.post(
        "/graphql", content=bomb.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413  # also larger than the limit: refused before parsing


async def test_deep_but_small_nesting_gets_400_not_a_recursion_error(
    settings: Settings, db: Database
) -> None:
    body = (
        '{"query": "{ categories { slug } }", "variables": {"x": '
        + "[" * 50_000
        + "]" * 50_000
        + "}}"
    )
    async with graphql_client(settings, db) as client:
        response = await client.http.post(
            "/graphql", content=body.encode(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    assert "nested" in response.json()["errors"][0]["message"]


async def test_oversized_bodies_get_413_with_or_without_content_length(
    http: httpx.AsyncClient,
) -> None:
    padding = " " * 5_000
    declared = await http.post(
        "/graphql",
        content=json.dumps({"query": "{ categories { slug } }" + padding}).encode(),
        headers={"content-type": "application/json"},
    )
    assert declared.status_code == 413
    assert _code(declared) == "PAYLOAD_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ categories { slug } }'
        for _ in range(10):
            yield b" " * 1_000
        yield b'"}'

    streamed = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


async def test_a_body_within_the_limit_is_served(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ categories { slug } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"categories": []}}


async def test_get_serves_queries_but_refuses_mutations(http: httpx.AsyncClient) -> None:
    query = await http.get("/graphql", params={"query": "{ categories { slug } }"})
    assert query.status_code == 200
    assert query.json()["data"] == {"categories": []}
    mutation = await http.get("/graphql", params={"query": "mutation { __typename }"})
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "HEAD", "TRACE", "BREW"])
async def test_other_methods_get_a_coded_405_with_the_true_allow(
    http: httpx.AsyncClient, method: str
) -> None:
    response = await http.request(method, "/graphql", json={"query": "{ categories { slug } }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST, OPTIONS"
    if method != "HEAD":
        assert response.headers["content-type"] == "application/json"
        assert _code(response) == "METHOD_NOT_ALLOWED"


async def test_options_is_answered_with_the_allowed_methods(http: httpx.AsyncClient) -> None:
    response = await http.options("/graphql")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, POST, OPTIONS"
    assert response.content == b""
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("document", "operation_name", "message"),
    [
        ("query A { categories { slug } }", "B", "Unknown operation named 'B'"),
        ("fragment F on Query { categories { slug } }", None, "no operation to run"),
    ],
)
async def test_an_operation_that_is_not_in_the_document_is_named(
    http: httpx.AsyncClient, document: str, operation_name: str | None, message: str
) -> None:
    response = await http.post(
        "/graphql", json={"query": document, "operationName": operation_name}
    )
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]
    assert _code(response) == "BAD_REQUEST"


async def test_two_operations_without_an_operation_name_are_refused(
    http: httpx.AsyncClient,
) -> None:
    document = "query A { categories { slug } } query B { categories { name } }"
    ambiguous = (await http.post("/graphql", json={"query": document})).json()
    assert ambiguous["data"] is None
    assert "operationName" in ambiguous["errors"][0]["message"]
    chosen = await http.post("/graphql", json={"query": document, "operationName": "B"})
    assert chosen.json() == {"data": {"categories": []}}


async def test_graphiql_is_served_to_browsers_when_enabled(
    settings: Settings, db: Database
) -> None:
    for enabled in (True, False):
        configured = settings.model_copy(update={"graphiql": enabled})
        async with graphql_client(configured, db) as client:
            response = await client.http.get("/graphql", headers={"accept": "text/html"})
        if enabled:
            assert response.status_code == 200
            assert "graphiql" in response.text.lower()
        else:
            # Only HTML is accepted and, GraphiQL off, nothing here is HTML.
            assert response.status_code == 406


async def test_every_response_carries_a_request_id(http: httpx.AsyncClient) -> None:
    generated = await http.post("/graphql", json={"query": "{ categories { slug } }"})
    assert len(generated.headers["x-request-id"]) == 32
    echoed = await http.post(
        "/graphql",
        json={"query": "{ categories { slug } }"},
        headers={"x-request-id": "edge-1234-abcd"},
    )
    assert echoed.headers["x-request-id"] == "edge-1234-abcd"
    forged = await http.post(
        "/graphql",
        json={"query": "{ categories { slug } }"},
        headers={"x-request-id": "bad id\twith\ttabs"},
    )
    assert forged.headers["x-request-id"] != "bad id\twith\ttabs"
