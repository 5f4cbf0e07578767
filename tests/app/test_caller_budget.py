"""A budget of query-cost points per caller: throttled when empty, restored at its rate.

Against real Redis (a key prefix of their own per test, so every test starts with full
buckets) and PostgreSQL. The policy table's budgets are made small here, so a few requests
empty a bucket: five products answered in full cost 11 points each.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx
import pytest
from starlette.applications import Starlette
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from auth import policy
from auth.api_keys import create_api_key
from auth.policy import Budget
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from tests.builders import make_category, make_fabric_type, make_product
from tests.callers import error_codes
from tests.graphql_client import GraphQLClient, calling, served
from tests.redis_server import own_redis_server
from tests.sql_log import statements_sent

LISTING = """query($type: String!, $n: Int!) {
  products(first: $n, filter: {productTypeSlug: $type}) { edges { node { name } } } }"""
# The connection, then per product its edge and its node.
FULL_PAGE_COST = 1 + 5 * (1 + 1)
ASK = {"X-TradeQL-Cost": "1"}


@pytest.fixture
def budget_settings(settings: Settings, redis_prefix: str) -> Settings:
    return settings.model_copy(
        update={
            "caller_budgets": True,
            "debug_extensions": False,
            "redis_prefix": f"{redis_prefix}budget-{uuid.uuid4().hex[:8]}:",
        }
    )


@pytest.fixture
async def type_slug(db: Database) -> str:
    """Five products of a type of their own."""
    async with db.transaction() as session:
        product_type = await make_fabric_type(session)
        category = await make_category(session)
        for _ in range(5):
            await make_product(session, product_type=product_type, category=category)
    return product_type.slug


@pytest.fixture
async def app(budget_settings: Settings, db: Database) -> AsyncIterator[Starlette]:
    async with served(budget_settings, db) as app:
        yield app


def anonymous_budget(monkeypatch: pytest.MonkeyPatch, size: int, restore_rate: int) -> None:
    monkeypatch.setattr(policy, "ANONYMOUS_BUDGET", Budget(size, restore_rate))


async def listing(client: GraphQLClient, slug: str, *, n: int = 5, ask: bool = False) -> Any:
    return await client.response(LISTING, {"type": slug, "n": n}, headers=ASK if ask else None)


async def test_a_caller_over_budget_is_throttled_and_nothing_runs(
    app: Starlette, db: Database, type_slug: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an anonymous budget of 30 points, restoring 1 a second, and two 11-point answers
    anonymous_budget(monkeypatch, 30, 1)
    async with calling(app, "203.0.113.5") as client:
        assert (await listing(client, type_slug)).status_code == 200
        with statements_sent(db.bind) as read:
            assert (await listing(client, type_slug)).status_code == 200
        assert any(s.startswith("SELECT") for s in read)  # an answer served reads the catalog

        # when the same caller asks a third time, with 8 points left
        with statements_sent(db.bind) as sent:
            throttled = await listing(client, type_slug)

    # then it is refused whole with 429, the code and the seconds until 11 points are there
    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "3"
    body = throttled.json()
    assert "data" not in body
    assert error_codes(body) == [("", "THROTTLED")]
    assert body["errors"][0]["extensions"]["requestId"] == throttled.headers["x-request-id"]
    assert "in 3 seconds" in body["errors"][0]["message"]
    # and nothing ran: not one SQL statement
    assert sent == []
    # while another address, at the same time, is served
    async with calling(app, "203.0.113.6") as other:
        assert (await listing(other, type_slug)).status_code == 200


async def test_a_throttled_caller_recovers_at_the_restore_rate(
    app: Starlette, type_slug: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a bucket of 22 points restoring 20 a second, emptied by two answers
    anonymous_budget(monkeypatch, 22, 20)
    async with calling(app, "203.0.113.7") as client:
        await listing(client, type_slug)
        emptied = (await listing(client, type_slug, ask=True)).json()["extensions"]["cost"]
        assert emptied["throttleStatus"]["currentlyAvailable"] <= 1
        refused = await listing(client, type_slug, ask=True)
        assert refused.status_code == 429
        status = refused.json()["extensions"]["cost"]["throttleStatus"]
        assert status == {"maximumAvailable": 22, "currentlyAvailable": 0, "restoreRate": 20}

        # when it waits as long as 11 points take at 20 a second (and a little)
        await asyncio.sleep(FULL_PAGE_COST / 20 + 0.1)
        recovered = await listing(client, type_slug)

    # then it is served again
    assert recovered.status_code == 200
    assert len(recovered.json()["data"]["products"]["edges"]) == 5


async def test_an_api_key_has_its_own_budget_in_place_of_its_roles(
    app: Starlette, db: Database, type_slug: str
) -> None:
    async with db.transaction() as session:
        small = await create_api_key(
            session, name="Partner", role=Role.STOREFRONT, budget_size=15, budget_restore_rate=1
        )
        sized = await create_api_key(session, name="Shop", role=Role.STOREFRONT, budget_size=40)
        plain = await create_api_key(session, name="Main", role=Role.STOREFRONT)

    async with calling(app) as anonymous:
        answers = {
            name: await listing(anonymous.as_(created.key), type_slug, ask=True)
            for name, created in (("small", small), ("sized", sized), ("plain", plain))
        }
        again = await listing(anonymous.as_(small.key), type_slug)

    status = {name: answer.json()["extensions"]["cost"] for name, answer in answers.items()}
    role = policy.ROLE_BUDGETS[Role.STOREFRONT]
    assert status["small"]["throttleStatus"] == {
        "maximumAvailable": 15,
        "currentlyAvailable": 15 - FULL_PAGE_COST,
        "restoreRate": 1,
    }
    # a size alone keeps the role's restore rate
    assert status["sized"]["throttleStatus"]["maximumAvailable"] == 40
    assert status["sized"]["throttleStatus"]["restoreRate"] == role.restore_rate
    assert status["plain"]["throttleStatus"]["maximumAvailable"] == role.size
    # and each key draws on its own bucket: only the small one runs dry
    assert again.status_code == 429


async def test_anonymous_callers_behind_a_trusted_proxy_are_metered_by_their_address(
    app: Starlette, type_slug: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the app behind a proxy at 10.0.0.1, as `tradeql serve` runs with TRUSTED_PROXIES
    anonymous_budget(monkeypatch, 15, 1)
    # uvicorn and starlette spell the ASGI types differently; both are plain ASGI.
    proxied: Any = ProxyHeadersMiddleware(cast(Any, app), trusted_hosts="10.0.0.1")

    async def from_(peer: str, forwarded_for: str) -> int:
        transport = httpx.ASGITransport(app=proxied, client=(peer, 4321))
        async with httpx.AsyncClient(transport=transport, base_url="http://tradeql.test") as http:
            response = await GraphQLClient(http).response(
                LISTING, {"type": type_slug, "n": 5}, headers={"X-Forwarded-For": forwarded_for}
            )
        return response.status_code

    # when one address behind the proxy empties its bucket
    assert await from_("10.0.0.1", "198.51.100.1") == 200
    assert await from_("10.0.0.1", "198.51.100.1") == 429
    # then another address behind the same proxy is served
    assert await from_("10.0.0.1", "198.51.100.2") == 200
    # and a peer that is not the proxy is metered as itself, whatever it claims
    assert await from_("192.0.2.50", "198.51.100.3") == 200
    assert await from_("192.0.2.60", "192.0.2.50") == 200
    assert await from_("192.0.2.50", "198.51.100.4") == 429


async def test_only_callers_who_ask_get_the_cost_and_other_answers_are_unchanged(
    app: Starlette, budget_settings: Settings, db: Database, type_slug: str
) -> None:
    async with calling(app) as client:
        plain = await listing(client, type_slug, n=10)
        by_header = await listing(client, type_slug, n=10, ask=True)
        body = json.dumps(
            {
                "query": LISTING,
                "variables": {"type": type_slug, "n": 10},
                "extensions": {"cost": True},
            }
        )
        by_extension = await client.http.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        by_get = await client.http.get(
            "/graphql",
            params={
                "query": LISTING,
                "variables": json.dumps({"type": type_slug, "n": 10}),
                "extensions": '{"cost": true}',
            },
        )
    unmetered_settings = budget_settings.model_copy(update={"caller_budgets": False})
    async with served(unmetered_settings, db) as unmetered, calling(unmetered) as client:
        without_budgets = await listing(client, type_slug, n=10)

    # an answer that did not ask is byte for byte the one without budgets
    assert plain.content == without_budgets.content
    assert "extensions" not in plain.json()
    # one that asked has the figures: 10 products estimated, 5 returned
    for asked in (by_header, by_extension, by_get):
        cost = asked.json()["extensions"]["cost"]
        assert cost["requestedQueryCost"] == 1 + 10 * (1 + 1)
        assert cost["actualQueryCost"] == FULL_PAGE_COST
        assert cost["throttleStatus"]["maximumAvailable"] == policy.ANONYMOUS_BUDGET.size
        assert asked.json()["data"] == plain.json()["data"]


async def test_an_answer_from_the_response_cache_costs_one_point(
    budget_settings: Settings, db: Database, type_slug: str
) -> None:
    cached = budget_settings.model_copy(update={"catalog_cache_seconds": 300})
    async with served(cached, db) as app, calling(app) as client:
        first = await listing(client, type_slug, ask=True)
        hit = await listing(client, type_slug)
        asked_hit = await listing(client, type_slug, ask=True)

    # the asking caller's figures never reach the cache: a later caller gets the plain answer
    assert first.json()["extensions"]["cost"]["actualQueryCost"] == FULL_PAGE_COST
    assert hit.json() == {"data": first.json()["data"]}
    cost = asked_hit.json()["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (1, 1)


async def test_an_operation_larger_than_the_whole_bucket_is_too_complex_for_it(
    app: Starlette, type_slug: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    anonymous_budget(monkeypatch, 10, 1)
    async with calling(app) as client:
        response = await listing(client, type_slug)

    # it could never run, so waiting would not help: no 429, no Retry-After
    assert response.status_code == 200
    assert "retry-after" not in response.headers
    assert error_codes(response.json()) == [("", "QUERY_TOO_COMPLEX")]
    assert "holds at most 10" in response.json()["errors"][0]["message"]


@asynccontextmanager
async def app_on(settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with served(settings, db) as app, calling(app) as client:
        yield client


async def test_with_redis_down_requests_run_and_the_log_says_so_once(
    budget_settings: Settings,
    db: Database,
    type_slug: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    anonymous_budget(monkeypatch, 15, 1)
    async with own_redis_server() as redis_server:
        settings = budget_settings.model_copy(update={"redis_url": redis_server.url})
        async with app_on(settings, db) as client:
            # given a caller whose budget allows one answer, then Redis going away
            assert (await listing(client, type_slug)).status_code == 200
            assert (await listing(client, type_slug)).status_code == 429
            await redis_server.stop()

            # when it asks again, three times
            with caplog.at_level(logging.WARNING, logger="tradeql.budget"):
                answers = [await listing(client, type_slug, ask=True) for _ in range(3)]

    # then every request runs, unmetered, and says the level is unknown
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert all(len(a.json()["data"]["products"]["edges"]) == 5 for a in answers)
    assert answers[0].json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] is None
    # and the log says so once, without the Redis URL
    warnings = [r for r in caplog.records if r.name == "tradeql.budget"]
    assert len(warnings) == 1
    assert redis_server.url not in warnings[0].getMessage()
