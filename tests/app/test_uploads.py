"""File uploads over POST /graphql, end to end: the multipart specification's examples through
the real endpoint, with the same credentials, permissions, media types and headers as JSON."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest

from core.db import Database
from core.settings import Settings
from core.uploads import SPOOL_MEMORY_BYTES
from models.accounts import Role
from tests.app.uploads_support import RECEIVED, headers, http_to, multipart, upload_app
from tests.callers import token_for
from tests.graphql_client import graphql_client

RECEIVE = "mutation ($file: Upload!) { receive(file: $file) { filename contentType size sha256 } }"
RECEIVE_MANY = "mutation ($files: [Upload!]!) { receiveMany(files: $files) { filename size } }"
CSV = b"sku;name\nTW-100;Terry towel\n"


@pytest.fixture
async def http(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with upload_app(settings, db) as app, http_to(app) as client:
        yield client


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def test_a_single_file_reaches_the_resolver_whole(http: httpx.AsyncClient) -> None:
    body = multipart(
        {"query": RECEIVE, "variables": {"file": None}}, {"0": ["variables.file"]}, {"0": CSV}
    )
    response = await http.post("/graphql", content=body, headers=headers())
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": {
            "receive": {
                "filename": "0.csv",
                "contentType": "text/csv",
                "size": len(CSV),
                "sha256": _sha(CSV),
            }
        }
    }


async def test_a_file_list_keeps_its_order(http: httpx.AsyncClient) -> None:
    files = {"0": b"first", "1": b"second file"}
    body = multipart(
        {"query": RECEIVE_MANY, "variables": {"files": [None, None]}},
        {"0": ["variables.files.0"], "1": ["variables.files.1"]},
        files,
    )
    response = await http.post("/graphql", content=body, headers=headers())
    assert response.json() == {
        "data": {
            "receiveMany": [{"filename": "0.csv", "size": 5}, {"filename": "1.csv", "size": 11}]
        }
    }


async def test_several_files_in_several_variables_and_one_file_in_two_places(
    http: httpx.AsyncClient,
) -> None:
    query = (
        "mutation ($a: Upload!, $b: Upload!, $again: Upload!) {"
        " a: receive(file: $a) { sha256 } b: receive(file: $b) { sha256 }"
        " again: receive(file: $again) { sha256 } }"
    )
    body = multipart(
        {"query": query, "variables": {"a": None, "b": None, "again": None}},
        {"0": ["variables.a", "variables.again"], "1": ["variables.b"]},
        {"0": b"alpha", "1": b"beta"},
    )
    response = await http.post("/graphql", content=body, headers=headers())
    assert response.json()["data"] == {
        "a": {"sha256": _sha(b"alpha")},
        "b": {"sha256": _sha(b"beta")},
        "again": {"sha256": _sha(b"alpha")},
    }


async def test_a_large_file_is_spooled_to_disk_and_deleted_after_the_answer(
    http: httpx.AsyncClient,
) -> None:
    content = bytes(range(256)) * (3 * SPOOL_MEMORY_BYTES // 256)
    query = "mutation ($file: Upload!) { receive(file: $file) { size sha256 sha256AsRead onDisk } }"
    body = multipart(
        {"query": query, "variables": {"file": None}}, {"0": ["variables.file"]}, {"0": content}
    )
    RECEIVED.clear()
    response = await http.post("/graphql", content=body, headers=headers())
    assert response.json()["data"]["receive"] == {
        "size": len(content),
        "sha256": _sha(content),
        "sha256AsRead": _sha(content),
        "onDisk": True,
    }
    assert [file.closed for file in RECEIVED] == [True]


async def test_a_bad_token_gets_401_and_no_resolver_runs(http: httpx.AsyncClient) -> None:
    body = multipart(
        {"query": RECEIVE, "variables": {"file": None}}, {"0": ["variables.file"]}, {"0": CSV}
    )
    RECEIVED.clear()
    response = await http.post(
        "/graphql", content=body, headers=headers(authorization="Bearer tq_at_forged")
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert RECEIVED == []


async def test_a_protected_field_checks_the_callers_permission(
    http: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    query = "mutation ($file: Upload!) { receiveAsStaff(file: $file) { size } }"
    body = multipart(
        {"query": query, "variables": {"file": None}}, {"0": ["variables.file"]}, {"0": CSV}
    )
    anonymous = await http.post("/graphql", content=body, headers=headers())
    assert anonymous.json()["data"] == {"receiveAsStaff": None}
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.CATALOG_MANAGER)
    staff = await http.post(
        "/graphql", content=body, headers=headers(authorization=f"Bearer {token}")
    )
    assert staff.json() == {"data": {"receiveAsStaff": {"size": len(CSV)}}}


async def test_answers_come_in_the_media_type_asked_for_with_security_headers(
    http: httpx.AsyncClient,
) -> None:
    body = multipart(
        {"query": RECEIVE, "variables": {"file": None}}, {"0": ["variables.file"]}, {"0": CSV}
    )
    accept = {"accept": "application/graphql-response+json"}
    served = await http.post("/graphql", content=body, headers=headers(**accept))
    refused = await http.post("/graphql", content=body[:40], headers=headers(**accept))
    for response in (served, refused):
        assert response.headers["content-type"] == "application/graphql-response+json"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-request-id"]
    assert served.status_code == 200
    assert refused.status_code == 400


async def test_an_upload_variable_refuses_anything_but_a_file(http: httpx.AsyncClient) -> None:
    as_json = await http.post("/graphql", json={"query": RECEIVE, "variables": {"file": "x.csv"}})
    assert as_json.status_code == 200
    error = as_json.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "multipart" in error["message"]
    literal = await http.post(
        "/graphql", json={"query": 'mutation { receive(file: "x") { size } }'}
    )
    assert literal.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert literal.json()["data"] is None


async def test_json_requests_are_served_as_before_on_the_same_endpoint(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post("/graphql", json={"query": "{ ping }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"ping": True}}


async def test_a_file_in_a_string_variable_of_the_real_schema_is_a_plain_error(
    settings: Settings, db: Database
) -> None:
    """The production schema takes no Upload yet: a file where text goes is refused, not a 500."""
    body = multipart(
        {"query": "query ($q: String!) { product(slug: $q) { name } }", "variables": {"q": None}},
        {"0": ["variables.q"]},
        {"0": CSV},
    )
    async with graphql_client(settings, db) as client:
        response = await client.http.post("/graphql", content=body, headers=headers())
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "q"
