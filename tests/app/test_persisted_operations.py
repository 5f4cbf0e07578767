"""Persisted operations over HTTP, as Apollo clients send them: automatic persisted queries
(the hash first, the document on PERSISTED_QUERY_NOT_FOUND, then the hash alone), over POST and
GET; and `ANONYMOUS_OPERATIONS=registered`, which holds anonymous callers and storefront keys to
registered operations. Against real PostgreSQL and Redis (and a Redis that is not there).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from app.persisted_operations import REGISTRY_CACHE_SECONDS, RegistryLookups
from auth.api_keys import create_api_key
from core.db import Database
from core.operation_registry import (
    OperationToRegister,
    register_operations,
    remove_registered_operation,
)
from core.settings import Settings
from models.accounts import Role
from models.catalog import Product
from tests.builders import make_category, make_fabric_type, make_product
from tests.callers import token_for
from tests.graphql_client import graphql_client

CATEGORIES = "{ categories { name } }"
# What Apollo Client sends: its persisted query link, then the HTTP link.
APOLLO_HEADERS = {
    "accept": "application/graphql-response+json,application/json;q=0.9",
    "content-type": "application/json",
}


def _document() -> str:
    """A document no other test has persisted: APQ entries outlive a test in Redis."""
    return f"query Ping_{uuid.uuid4().hex} {{ __typename }}"


def _data_document() -> str:
    return f"query Categories_{uuid.uuid4().hex} {{ categories {{ name }} }}"


def _hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _extensions(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": _hash(document)}}


async def _post(http: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await http.post(
        "/graphql", content=json.dumps(body), headers={**APOLLO_HEADERS, **headers}
    )


async def _hash_only(http: httpx.AsyncClient, document: str, **headers: str) -> httpx.Response:
    body = {"operationName": None, "variables": {}, "extensions": _extensions(document)}
    return await _post(http, body, **headers)


async def _with_document(http: httpx.AsyncClient, document: str, **headers: str) -> httpx.Response:
    body = {"variables": {}, "extensions": _extensions(document), "query": document}
    return await _post(http, body, **headers)


def _code(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


@pytest.fixture
def plain(settings: Settings) -> Settings:
    """Answers without the debug extensions, so they compare whole."""
    return settings.model_copy(update={"debug_extensions": False})


@pytest.fixture
async def http(plain: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with graphql_client(plain, db) as client:
        yield client.http


async def test_the_apollo_round_trip_over_post(http: httpx.AsyncClient) -> None:
    document = _document()

    unknown = await _hash_only(http, document)
    assert unknown.status_code == 200
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert _code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" not in unknown.json()
    assert unknown.headers["cache-control"] == "private, no-cache, must-revalidate"

    sent = await _with_document(http, document)
    assert (sent.status_code, sent.json()) == (200, {"data": {"__typename": "Query"}})

    known = await _hash_only(http, document)
    assert (known.status_code, known.json()) == (200, {"data": {"__typename": "Query"}})


# The requests Apollo Client 3.14.1 sent (createPersistedQueryLink with sha256, then HttpLink),
# recorded byte for byte against a TradeQL server: the hash, then the document, then the hash.
APOLLO_HASH_ONLY = (
    b'{"operationName":"CategoriesPost","variables":{},"extensions":{"persistedQuery":'
    b'{"version":1,"sha256Hash":'
    b'"dfc9b68c29aca12d85f9564bd1b31521f97b68582f5e5be275a1a533e343f933"}}}'
)
APOLLO_WITH_DOCUMENT = (
    APOLLO_HASH_ONLY[:-1]
    + b',"query":"query CategoriesPost {\\n  categories {\\n    name\\n    __typename\\n  }\\n}"}'
)


async def test_the_requests_apollo_client_sends_verbatim(http: httpx.AsyncClient) -> None:
    async def send(body: bytes) -> httpx.Response:
        return await http.post("/graphql", content=body, headers=APOLLO_HEADERS)

    unknown = await send(APOLLO_HASH_ONLY)
    sent = await send(APOLLO_WITH_DOCUMENT)
    known = await send(APOLLO_HASH_ONLY)

    assert (unknown.status_code, _code(unknown)) == (200, "PERSISTED_QUERY_NOT_FOUND")
    assert sent.json() == known.json() == {"data": {"categories": []}}


async def test_the_apollo_round_trip_over_get(http: httpx.AsyncClient) -> None:
    document = _document()
    hashed = {"variables": "{}", "extensions": json.dumps(_extensions(document))}
    headers = {"accept": APOLLO_HEADERS["accept"]}

    unknown = await http.get("/graphql", params=hashed, headers=headers)
    assert (unknown.status_code, _code(unknown)) == (200, "PERSISTED_QUERY_NOT_FOUND")

    sent = await http.get("/graphql", params={**hashed, "query": document}, headers=headers)
    assert sent.json() == {"data": {"__typename": "Query"}}

    known = await http.get("/graphql", params=hashed, headers=headers)
    assert (known.status_code, known.json()) == (200, {"data": {"__typename": "Query"}})


async def test_a_persisted_mutation_is_still_refused_over_get(http: httpx.AsyncClient) -> None:
    document = f"mutation Logout_{uuid.uuid4().hex} {{ __typename }}"
    assert (await _with_document(http, document)).status_code == 200

    params = {"extensions": json.dumps(_extensions(document))}
    refused = await http.get("/graphql", params=params, headers={"accept": "application/json"})

    assert (refused.status_code, _code(refused)) == (405, "METHOD_NOT_ALLOWED")


async def test_a_document_that_does_not_match_its_hash_is_refused_and_not_kept(
    http: httpx.AsyncClient,
) -> None:
    document, other = _document(), _document()
    body = {"query": document, "extensions": _extensions(other)}

    mismatch = await _post(http, body)

    assert (mismatch.status_code, _code(mismatch)) == (400, "BAD_REQUEST")
    assert mismatch.json()["errors"][0]["message"] == "provided sha does not match query"
    assert _code(await _hash_only(http, other)) == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    ("persisted", "message"),
    [
        ({"version": 2, "sha256Hash": "0" * 64}, "Unsupported persisted query version"),
        ({"version": 1, "sha256Hash": "ABC"}, "64 lower-case hex digits"),
        ({"version": 1}, "64 lower-case hex digits"),
        ("yes", "must be a JSON object"),
    ],
)
async def test_a_malformed_persisted_query_is_a_bad_request(
    http: httpx.AsyncClient, persisted: Any, message: str
) -> None:
    refused = await _post(http, {"extensions": {"persistedQuery": persisted}})

    assert (refused.status_code, _code(refused)) == (400, "BAD_REQUEST")
    assert message in refused.json()["errors"][0]["message"]


async def test_a_request_with_neither_query_nor_hash_is_still_a_bad_request(
    http: httpx.AsyncClient,
) -> None:
    refused = await _post(http, {"extensions": {}})
    assert refused.json()["errors"][0]["message"] == "'query' must be a non-empty string"


async def test_a_document_that_does_not_parse_is_answered_but_not_kept(
    http: httpx.AsyncClient,
) -> None:
    document = "query Broken { __typename" + " " * (uuid.uuid4().int % 1000)

    answered = await _with_document(http, document)

    assert _code(answered) == "GRAPHQL_PARSE_FAILED"
    assert _code(await _hash_only(http, document)) == "PERSISTED_QUERY_NOT_FOUND"


async def test_redis_down_the_client_sends_the_document_and_it_runs(
    plain: Settings, db: Database
) -> None:
    # Nothing listens on port 1: every cache call fails at once.
    down = plain.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    document = _document()
    registered = await _registered(db, f"query Registered_{uuid.uuid4().hex} {{ __typename }}")
    async with graphql_client(down, db) as client:
        assert _code(await _hash_only(client.http, document)) == "PERSISTED_QUERY_NOT_FOUND"
        sent = await _with_document(client.http, document)
        assert sent.json() == {"data": {"__typename": "Query"}}
        assert _code(await _hash_only(client.http, document)) == "PERSISTED_QUERY_NOT_FOUND"
        by_hash = await _hash_only(client.http, registered)
        assert by_hash.json() == {"data": {"__typename": "Query"}}


async def _registered(db: Database, document: str) -> str:
    async with db.transaction() as session:
        await register_operations(
            session,
            [OperationToRegister(document=document, operation_names=("Registered",))],
            client_name="storefront",
            registered_by="test",
        )
    return document


@pytest.fixture
def registered_only(plain: Settings) -> Settings:
    return plain.model_copy(update={"anonymous_operations": "registered"})


async def test_registered_only_refuses_an_unregistered_document_from_anonymous_callers(
    registered_only: Settings, db: Database
) -> None:
    async with graphql_client(registered_only, db) as client:
        refused = await client.response(CATEGORIES)
        with_hash = await _with_document(client.http, _data_document())

    for response in (refused, with_hash):
        assert (response.status_code, _code(response)) == (403, "OPERATION_NOT_REGISTERED")
        assert "data" not in response.json()


async def test_registered_only_leaves_introspection_to_the_introspection_settings(
    registered_only: Settings, db: Database
) -> None:
    closed = registered_only.model_copy(update={"public_introspection": False})
    introspection = "query Types { __schema { queryType { name } } __typename }"

    async with graphql_client(registered_only, db) as client:
        allowed = await client.post(introspection)
    async with graphql_client(closed, db) as client:
        refused = await client.post(introspection)

    assert allowed == {
        "data": {"__schema": {"queryType": {"name": "Query"}}, "__typename": "Query"}
    }
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_registered_only_runs_a_registered_operation_by_hash_and_in_full(
    registered_only: Settings, any_db: Database
) -> None:
    name = f"Registered_{uuid.uuid4().hex}"
    document = await _registered(any_db, f"query {name} {{ categories {{ name }} }}")
    laid_out_otherwise = f"# the shop's copy\nquery {name} {{\n  categories {{ name }}\n}}\n"
    expected: dict[str, Any] = {"data": {"categories": []}}

    async with graphql_client(registered_only, any_db) as client:
        assert (await _hash_only(client.http, document)).json() == expected
        assert await client.post(document) == expected
        assert await client.post(laid_out_otherwise) == expected
        assert (await _with_document(client.http, document)).json() == expected


async def test_registered_only_holds_storefront_keys_but_not_staff(
    registered_only: Settings, db: Database
) -> None:
    async with db.transaction() as session:
        storefront = (await create_api_key(session, name="Shop", role=Role.STOREFRONT)).key
        partner = (await create_api_key(session, name="ERP", role=Role.CATALOG_MANAGER)).key
        staff = await token_for(session, registered_only, Role.SALES)

    async with graphql_client(registered_only, db) as client:
        refused = await client.as_(storefront).response(CATEGORIES)
        assert (refused.status_code, _code(refused)) == (403, "OPERATION_NOT_REGISTERED")
        for token in (partner, staff):
            assert await client.as_(token).post(CATEGORIES) == {"data": {"categories": []}}


async def test_registered_only_never_runs_what_another_caller_persisted(
    registered_only: Settings, db: Database
) -> None:
    async with db.transaction() as session:
        staff = await token_for(session, registered_only, Role.SALES)
    document = _data_document()

    async with graphql_client(registered_only, db) as client:
        bearer = {"authorization": f"Bearer {staff}"}
        assert (await _with_document(client.http, document, **bearer)).status_code == 200
        assert (await _hash_only(client.http, document, **bearer)).status_code == 200
        anonymous = await _hash_only(client.http, document)

    assert _code(anonymous) == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_persisted_document_shares_the_read_cache_entry_of_the_full_one(
    settings: Settings, db: Database, redis_prefix: str
) -> None:
    cached = settings.model_copy(
        update={
            "debug_extensions": False,
            "catalog_cache_seconds": 300,
            "redis_prefix": f"{redis_prefix}apq-{uuid.uuid4().hex[:8]}:",
        }
    )
    async with db.transaction() as session:
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
            name="Navy twill",
        )
    document = (
        f'query Product_{uuid.uuid4().hex[:8]} {{ product(slug: "{product.slug}") {{ name }} }}'
    )

    async with graphql_client(cached, db) as client:
        full = await client.response(document)
        async with db.session() as session:  # a commit that bumps no catalog version
            await session.execute(
                update(Product).where(Product.id == product.id).values(name="Renamed")  # type: ignore[arg-type]
            )
            await session.commit()
        assert _code(await _hash_only(client.http, document)) == "PERSISTED_QUERY_NOT_FOUND"
        sent = await _with_document(client.http, document)
        by_hash = await _hash_only(client.http, document)

    assert full.json() == {"data": {"product": {"name": "Navy twill"}}}
    assert sent.content == by_hash.content == full.content


async def test_a_process_sees_a_registration_or_removal_within_the_registry_cache_time(
    db: Database,
) -> None:
    now = [0.0]
    lookups = RegistryLookups(db, max_tokens=3_000, clock=lambda: now[0])
    document = f"query Registered_{uuid.uuid4().hex} {{ __typename }}"

    assert await lookups.document(_hash(document)) is None
    await _registered(db, document)
    assert await lookups.document(_hash(document)) is None  # remembered as unknown
    now[0] += REGISTRY_CACHE_SECONDS
    assert await lookups.document(_hash(document)) == document
    assert await lookups.registers(document)

    async with db.transaction() as session:
        assert await remove_registered_operation(session, _hash(document))
    assert await lookups.registers(document)  # remembered as registered
    now[0] += REGISTRY_CACHE_SECONDS
    assert not await lookups.registers(document)
    assert await lookups.document(_hash(document)) is None
