"""PostgreSQL down: every request that needs it gets a coded 503, and the app recovers by itself.

The database is a cluster of this module's own (tests/postgres_cluster.py), stopped as a crash
would stop it and started again; the shared server is never touched.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from core.db import Database, create_engine
from core.settings import Settings
from models.accounts import Role
from tests.child_processes import ends_with_parent
from tests.concurrently import settled
from tests.databases import REDIS_URL
from tests.graphql_client import GraphQLClient, calling, served
from tests.postgres_cluster import PostgresCluster, free_port, own_postgres_cluster_or_skip
from tests.user_builders import make_user, session_for

pytestmark = pytest.mark.slow

TRADEQL = str(Path(sys.executable).parent / "tradeql")
CACHED_READ = "{ categories { slug } }"
UNCACHED_READ = "{ products(first: 5) { totalCount } }"
ME = "{ me { email } }"


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with own_postgres_cluster_or_skip() as cluster:
        yield cluster


@pytest.fixture(scope="module")
async def cluster_url(cluster: PostgresCluster) -> str:
    return await cluster.create_migrated_database("tradeql")


@pytest.fixture(scope="module")
def outage_settings(cluster_url: str, redis_prefix: str) -> Settings:
    return Settings(
        env="test",
        database_url=cluster_url,
        database_pool_size=2,
        redis_url=REDIS_URL,
        redis_prefix=f"{redis_prefix}outage:",
        catalog_cache_seconds=300,
    )


@pytest.fixture(scope="module")
async def database(outage_settings: Settings) -> AsyncIterator[Database]:
    engine = create_engine(outage_settings)
    yield Database(engine)
    await engine.dispose()


@pytest.fixture(scope="module")
async def access_token(database: Database, outage_settings: Settings) -> str:
    async with database.transaction() as session:
        user = await make_user(session, Role.CLIENT)
        issued = await session_for(session, user, outage_settings)
    return issued.access_token


@pytest.fixture
async def client(outage_settings: Settings, database: Database) -> AsyncIterator[GraphQLClient]:
    async with served(outage_settings, database) as app, calling(app) as client:
        yield client


@pytest.fixture
def stopped(cluster: PostgresCluster) -> Iterator[PostgresCluster]:
    """The cluster, stopped by the test; started again afterwards whatever happened."""
    try:
        yield cluster
    finally:
        if not cluster.is_running():
            cluster.start()


def assert_service_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert int(response.headers["retry-after"]) > 0
    assert "127.0.0.1" not in response.text  # the reason is in the log, not the answer


async def test_a_stopped_database_gets_503_until_it_is_back_and_the_app_recovers_alone(
    client: GraphQLClient,
    access_token: str,
    stopped: PostgresCluster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    anonymous, signed_in = client, client.as_(access_token)
    assert (await signed_in.data(ME))["me"] is not None
    await anonymous.data(CACHED_READ)  # now in the cache

    stopped.stop()
    caplog.set_level(logging.INFO)

    with_token = await signed_in.response(ME)
    uncached = await anonymous.response(UNCACHED_READ)
    cached = await anonymous.response(CACHED_READ)
    live = await client.http.get("/healthz")
    ready = await client.http.get("/readyz")

    assert_service_unavailable(with_token)
    assert_service_unavailable(uncached)
    assert cached.status_code == 200
    assert cached.json() == {"data": {"categories": []}}
    assert live.status_code == 200
    assert ready.status_code == 503
    for answered in (with_token, uncached):
        logged = [
            record
            for record in caplog.records
            if record.levelno >= logging.ERROR
            and getattr(record, "request_id", None) == answered.headers["x-request-id"]
        ]
        assert len(logged) == 1, logged  # the full error, once

    stopped.start()

    assert (await signed_in.data(ME))["me"] is not None
    assert (await anonymous.data(UNCACHED_READ))["products"]["totalCount"] == 0
    assert (await client.http.get("/readyz")).status_code == 200


async def test_a_server_answers_every_request_while_the_database_is_down(
    cluster_url: str,
    access_token: str,
    redis_prefix: str,
    stopped: PostgresCluster,
    tmp_path: Path,
) -> None:
    port = free_port()
    environment = {
        **{key: value for key, value in os.environ.items() if key not in _SETTINGS_NAMES},
        "ENV": "production",
        "DATABASE_URL": cluster_url,
        "DATABASE_POOL_SIZE": "2",
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": f"{redis_prefix}outage-served:",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATA_KEY": secrets.token_urlsafe(32),
        "PUBLIC_APP_URL": "https://shop.example",
    }
    # A file, not a pipe: a pipe nobody reads fills up and blocks the server's logging.
    log = tmp_path / "server.log"
    with log.open("wb") as log_file:
        server = await asyncio.create_subprocess_exec(
            *(TRADEQL, "serve", "--port", str(port)),
            env=environment,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log_file,
            preexec_fn=ends_with_parent(),
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_ready(base_url, server)
        stopped.stop()

        outcomes = await _many_requests(base_url, access_token, count=400, connections=16)

        stopped.start()
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            back = await http.post("/graphql", json={"query": UNCACHED_READ})
    finally:
        server.terminate()
        async with asyncio.timeout(30):
            await server.wait()

    assert outcomes == Counter({"503 SERVICE_UNAVAILABLE": 400}), outcomes
    assert back.status_code == 200, back.text
    assert back.json() == {"data": {"products": {"totalCount": 0}}}
    assert "Exception in ASGI application" not in log.read_text()


_SETTINGS_NAMES = frozenset(
    name.upper() for name in Settings.model_fields if name.upper() in os.environ
)


async def _wait_until_ready(base_url: str, server: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=1) as http, asyncio.timeout(30):
        while True:
            assert server.returncode is None, "tradeql serve exited early"
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def _many_requests(
    base_url: str, access_token: str, *, count: int, connections: int
) -> Counter[str]:
    """`count` requests over `connections` kept-alive connections, half of them signed in;
    how each ended: status and code, or the transport error when nothing came back."""
    outcomes: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:

        async def one(ordinal: int) -> None:
            signed_in = ordinal % 2 == 1
            headers = {"authorization": f"Bearer {access_token}"} if signed_in else {}
            query = ME if signed_in else UNCACHED_READ
            try:
                response = await http.post("/graphql", json={"query": query}, headers=headers)
            except httpx.TransportError as failure:
                outcomes[type(failure).__name__] += 1
                return
            try:
                assert_service_unavailable(response)
            except (AssertionError, ValueError, KeyError):
                outcomes[f"{response.status_code} {response.text[:120]}"] += 1
                return
            outcomes["503 SERVICE_UNAVAILABLE"] += 1

        await settled(*(one(ordinal) for ordinal in range(count)))
    return outcomes
