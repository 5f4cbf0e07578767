"""GraphQL over HTTP (draft spec): the audits of npm's `graphql-http` (`serverAudits`), mirrored.

Each case below is one audit of graphql-http 1.23.1 `src/audits/server.ts`, by its id, so CI
needs no npm. The introspection audits need PUBLIC_INTROSPECTION on.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from graphql import GraphQLError
from strawberry.types import ExecutionResult

from app.media_types import GRAPHQL_RESPONSE_JSON, JSON, negotiate, status_for
from core.db import Database
from core.errors import BadUserInput
from core.settings import Settings
from tests.graphql_client import graphql_client

TYPENAME = {"query": "{ __typename }"}
TYPE_BY_NAME = "query Type($name: String!) { __type(name: $name) { name } }"
UNKNOWN_FIELD = {"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"}
COERCE_FAILURE = {"query": "query CoerceFailure($id: ID!){ __typename }", "variables": {"id": None}}


@dataclass(frozen=True)
class Audit:
    """One request and what the audit expects of its answer."""

    method: str = "POST"
    accept: str | None = None
    content_type: str | None = "application/json"
    body: Any = None  # JSON-encoded unless bytes or str
    params: dict[str, str] = field(default_factory=dict)
    status: tuple[int, int] = (200, 200)  # inclusive range
    media_type: str | None = None  # the response's Content-Type must contain it
    no_errors: bool = False
    no_data: bool = False


def _accepting(accept: str | None, **expected: Any) -> Audit:
    return Audit(accept=accept, body=TYPENAME, **expected)


AUDITS: dict[str, Audit] = {
    # Media types
    "22EB": _accepting(GRAPHQL_RESPONSE_JSON, media_type=GRAPHQL_RESPONSE_JSON),
    "4655": _accepting(JSON, media_type=JSON),
    "47DE": _accepting("*/*", media_type=JSON),
    "80D8": _accepting(None, media_type=JSON),
    "82A3": _accepting(None),
    "BF61": Audit(
        content_type="application/json; charset=utf-8",
        body={"query": '{ __type(name: "Run🏃Swim🏊") { name } }'},
    ),
    "78D5": _accepting(None),
    # Request
    "2C94": _accepting(None),
    "5A70": Audit(method="GET", content_type=None, params={"query": "{ __typename }"}),
    "9C48": Audit(
        method="GET",
        accept=GRAPHQL_RESPONSE_JSON,
        content_type=None,
        params={"query": "mutation { __typename }"},
        status=(400, 499),
    ),
    "9ABE": Audit(content_type=None, body=json.dumps(TYPENAME), status=(400, 499)),
    "03D4": _accepting(None),
    "A5BF": Audit(body=b"", status=(400, 400)),
    # Request parameters
    "423L": Audit(
        accept=GRAPHQL_RESPONSE_JSON, body={"notquery": "{ __typename }"}, status=(400, 400)
    ),
    **{
        f"LKJ{index}": Audit(body={"query": invalid}, status=(400, 400))
        for index, invalid in enumerate([{"obj": "ect"}, 0, False, ["array"]])
    },
    "34A2": _accepting(GRAPHQL_RESPONSE_JSON),
    "13EE": _accepting(JSON, no_errors=True),
    **{
        f"6C0{index}": Audit(body={**TYPENAME, "operationName": invalid}, status=(400, 400))
        for index, invalid in enumerate([{"obj": "ect"}, 0, False, ["array"]])
    },
    "8161": Audit(
        accept=GRAPHQL_RESPONSE_JSON,
        body={"operationName": "Query", "query": "query Query { __typename }"},
    ),
    "B8B3": Audit(
        accept=JSON,
        body={"operationName": "Query", "query": "query Query { __typename }"},
        no_errors=True,
    ),
    **{
        f"{prefix}{index}": Audit(accept=accept, body={**TYPENAME, parameter: None}, no_errors=True)
        for index, parameter in enumerate(["variables", "operationName", "extensions"])
        for prefix, accept in (("94B", GRAPHQL_RESPONSE_JSON), ("022", JSON))
    },
    **{
        f"476{index}": Audit(body={**TYPENAME, "variables": invalid}, status=(400, 400))
        for index, invalid in enumerate(["string", 0, False, ["array"]])
    },
    "2EA1": Audit(
        accept=GRAPHQL_RESPONSE_JSON,
        body={"query": TYPE_BY_NAME, "variables": {"name": "sometype"}},
    ),
    "28B9": Audit(
        accept=JSON, body={"query": TYPE_BY_NAME, "variables": {"name": "sometype"}}, no_errors=True
    ),
    **{
        audit_id: Audit(
            method="GET",
            accept=accept,
            content_type=None,
            params={"query": TYPE_BY_NAME, "variables": json.dumps({"name": "sometype"})},
            no_errors=True,
        )
        for audit_id, accept in (("D6D5", GRAPHQL_RESPONSE_JSON), ("6A70", JSON))
    },
    **{
        f"58B{index}": Audit(body={**TYPENAME, "extensions": invalid}, status=(400, 400))
        for index, invalid in enumerate(["string", 0, False, ["array"]])
    },
    "428F": Audit(accept=GRAPHQL_RESPONSE_JSON, body={**TYPENAME, "extensions": {"some": "v"}}),
    "1B7A": Audit(accept=JSON, body={**TYPENAME, "extensions": {"some": "v"}}, no_errors=True),
    "B6DC": Audit(accept=JSON, body='{ "not a JSON', status=(200, 599)),
    "BCF8": Audit(accept=JSON, body='{ "not a JSON', status=(400, 400)),
    "B7N8": Audit(accept=GRAPHQL_RESPONSE_JSON, body='{ "not a JSON', status=(400, 400)),
    "8764": Audit(body={"qeury": "{ __typename }"}, status=(400, 599)),
    "3E3A": Audit(body={"qeury": "{ __typename }"}, status=(400, 400)),
    # Response application/json: request errors are still 200
    "572B": Audit(accept=JSON, body={"query": "{"}),
    "FDE2": Audit(accept=JSON, body=UNKNOWN_FIELD),
    "7B9B": Audit(accept=JSON, body=COERCE_FAILURE),
    # Response application/graphql-response+json: request errors are 400, without data
    "865D": Audit(accept=GRAPHQL_RESPONSE_JSON, body={"query": "{"}, status=(400, 599)),
    "556A": Audit(accept=GRAPHQL_RESPONSE_JSON, body={"query": "{"}, status=(400, 400)),
    "D586": Audit(
        accept=GRAPHQL_RESPONSE_JSON, body={"query": "{"}, status=(400, 499), no_data=True
    ),
    "51FE": Audit(accept=GRAPHQL_RESPONSE_JSON, body=UNKNOWN_FIELD, status=(400, 599)),
    "74FF": Audit(accept=GRAPHQL_RESPONSE_JSON, body=UNKNOWN_FIELD, status=(400, 400)),
    "5E5B": Audit(
        accept=GRAPHQL_RESPONSE_JSON, body=UNKNOWN_FIELD, status=(400, 499), no_data=True
    ),
    "86EE": Audit(accept=GRAPHQL_RESPONSE_JSON, body=COERCE_FAILURE, status=(400, 400)),
}


@pytest.fixture
async def http(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    configured = settings.model_copy(update={"public_introspection": True})
    async with graphql_client(configured, db) as client:
        yield client.http


async def _send(http: httpx.AsyncClient, audit: Audit) -> httpx.Response:
    headers = {}
    if audit.accept is not None:
        headers["accept"] = audit.accept
    if audit.content_type is not None:
        headers["content-type"] = audit.content_type
    if audit.method == "GET":
        return await http.get("/graphql", params=audit.params, headers=headers)
    body = audit.body
    content = body if isinstance(body, bytes | str) else json.dumps(body)
    return await http.post("/graphql", content=content, headers=headers)


@pytest.mark.parametrize("audit_id", list(AUDITS))
async def test_graphql_http_server_audit(http: httpx.AsyncClient, audit_id: str) -> None:
    audit = AUDITS[audit_id]
    response = await _send(http, audit)
    low, high = audit.status
    assert low <= response.status_code <= high, response.text
    if audit.media_type is not None:
        assert audit.media_type in response.headers["content-type"]
    response.content.decode("utf-8")  # 82A3: the body is UTF-8
    if audit.no_errors:
        assert "errors" not in response.json(), response.text
    if audit.no_data:
        assert "data" not in response.json()


async def test_a_field_error_is_200_with_data_in_either_media_type(
    http: httpx.AsyncClient,
) -> None:
    # Execution started: `data` is present (here null, the error nulled it) and it is a 200.
    document = '{ node(id: "garbage") { id } }'
    for accept in (JSON, GRAPHQL_RESPONSE_JSON):
        response = await http.post("/graphql", json={"query": document}, headers={"accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"] == accept
        assert "data" in response.json()
        assert response.json()["errors"][0]["path"] == ["node"]


async def test_an_unacceptable_accept_gets_406_in_json(http: httpx.AsyncClient) -> None:
    for accept in ("text/plain", "application/xml", "application/json;q=0, */*;q=0"):
        response = await http.post("/graphql", json=TYPENAME, headers={"accept": accept})
        assert response.status_code == 406
        assert response.headers["content-type"] == JSON
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


async def test_request_errors_in_the_new_media_type_keep_their_code(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(
        "/graphql", json={"query": "{ nope }"}, headers={"accept": GRAPHQL_RESPONSE_JSON}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    mutation_over_get = await http.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers={"accept": GRAPHQL_RESPONSE_JSON},
    )
    assert mutation_over_get.status_code == 405


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, {JSON}", JSON),  # equal: the legacy default
        (f"{GRAPHQL_RESPONSE_JSON}, {JSON};q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"{JSON};q=0.5, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};charset=utf-8", GRAPHQL_RESPONSE_JSON),
        (f"*/*;q=0.1, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"*/*, {JSON};q=0", GRAPHQL_RESPONSE_JSON),  # the specific range wins over */*
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
        ("text/html", None),
        (f"{JSON};q=0", None),
        (f"{JSON};q=zero", None),
    ],
)
def test_negotiation_follows_quality_then_specificity(
    accept: str | None, chosen: str | None
) -> None:
    assert negotiate(accept) == chosen


async def test_extensions_that_are_not_an_object_are_refused_over_get(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get(
        "/graphql", params={"query": "{ __typename }", "extensions": '["array"]'}
    )
    assert response.status_code == 400
    assert "'extensions'" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("original", "status"),
    [(None, 400), (BadUserInput("is not valid", argument="x"), 400), (RuntimeError("ours"), 500)],
)
def test_an_answer_before_execution_is_400_unless_the_fault_was_ours(
    original: Exception | None, status: int
) -> None:
    error = GraphQLError("refused", original_error=original)
    result = ExecutionResult(data=None, errors=[error])
    assert status_for(GRAPHQL_RESPONSE_JSON, result) == status
    assert status_for(JSON, result) == 200  # the legacy type keeps errors in a 200
