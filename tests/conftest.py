"""Fixtures against the real services: PostgreSQL databases and a Redis key prefix per run.

Most tests get `db`: one connection inside a transaction that is rolled back afterwards, so
tests never see each other's rows. Tests that need real commits (races, workers, commands)
share one other database through `committed_db`, emptied after each of them.

Every engine here is small: the PostgreSQL server is shared with other runs, and this run
stays within its connection budget, which the plugin tests/connection_budget.py enforces.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as redis_async
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import Database, create_engine
from core.settings import Settings
from tests.checked_out import CheckedOut
from tests.databases import (
    REDIS_URL,
    RUN_ID,
    WORKER,
    alembic_config,
    database_url,
    empty_database,
    migrated_database,
)
from tests.graphql_client import GraphQLClient, graphql_client
from tests.jobs.handlers_for_tests import SIDE_EFFECTS_DDL, TEST_HANDLERS
from tests.smtp_mailbox import Mailbox, running_mailbox

pytest_plugins = ["tests.connection_budget"]

COMMITTED_POOL_SIZE = 4
# How long a committed test's connections may take to come back once it ends.
LEFT_IN_USE_PATIENCE_SECONDS = 10
# A hundred racing requests queue on those connections; on a busy shared server the last
# may wait longer than a served pool's 5 s, and an OVERLOADED answer is not what they test.
COMMITTED_POOL_TIMEOUT_SECONDS = 30.0


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """This run's PostgreSQL database, migrated to head, dropped afterwards."""
    with migrated_database("test") as name:
        yield database_url(name)


@pytest.fixture(scope="session")
def redis_prefix() -> str:
    return f"tq:test:{RUN_ID}{WORKER}:"


@pytest.fixture(scope="session")
def settings(pg_url: str, redis_prefix: str) -> Settings:
    return Settings(
        env="test",
        database_url=pg_url,
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        # The rolled-back tests hold one connection at a time: their transaction.
        database_pool_size=1,
        debug_extensions=True,
        # Off for every test but the read cache's own: the rows of each test are rolled back,
        # but Redis entries would outlive them and answer the next test's identical query.
        catalog_cache_seconds=0,
        # Guests are throttled per address in Redis, whose counts outlive each test: every
        # test calls from 127.0.0.1, so a run would reach any small limit in an order that
        # depends on which files one process ran before. The throttle's own tests set theirs.
        inquiry_guest_max_per_hour=10_000,
        # Off for every test but the budget's own: all tests call from 127.0.0.1, and that
        # address's bucket in Redis would outlive each test and run dry over the run.
        caller_budgets=False,
    )


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[Database]:
    """A database whose every session joins one transaction, rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield Database(connection)
        finally:
            await transaction.rollback()


@pytest.fixture(scope="session")
def committed_url() -> Iterator[str]:
    """This run's database for tests that commit, with the test handlers' tables."""
    with migrated_database("committed") as name:
        url = database_url(name)
        asyncio.run(_create_test_tables(url))
        yield url


async def _create_test_tables(url: str) -> None:
    engine = create_engine(Settings(env="test", database_url=url))
    async with engine.begin() as connection:
        for ddl in SIDE_EFFECTS_DDL:
            await connection.execute(text(ddl))
    await engine.dispose()


@pytest.fixture
async def committed_db(committed_url: str) -> AsyncIterator[Database]:
    """Real commits, on an engine of the test's own; every table is emptied afterwards.

    Up to COMMITTED_POOL_SIZE connections, and as many again of overflow: enough for racing
    requests to meet in the database; more of them queue for a connection, as long as a busy
    shared server makes them (tests/app/test_pool_overload.py tests the pool's own timeout).
    """
    engine = create_engine(
        Settings(
            env="test",
            database_url=committed_url,
            database_pool_size=COMMITTED_POOL_SIZE,
            database_pool_timeout_seconds=COMMITTED_POOL_TIMEOUT_SECONDS,
        )
    )
    in_use = CheckedOut(engine)
    try:
        yield Database(engine)
    finally:
        left = await in_use.closed_after(LEFT_IN_USE_PATIENCE_SECONDS)
        await engine.dispose()
        await empty_database(committed_url)
    assert left == 0, f"the test left {left} connections in use (tests/checked_out.py)"


@pytest.fixture(scope="session")
def committed_settings(settings: Settings, committed_url: str) -> Settings:
    """`settings`, on the committed database."""
    return settings.model_copy(update={"database_url": committed_url})


@pytest.fixture(scope="session")
async def redis_client(redis_prefix: str) -> AsyncIterator[redis_async.Redis]:
    client = redis_async.Redis.from_url(REDIS_URL)
    yield client
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def client(settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(settings, db) as client:
        yield client


@pytest.fixture(scope="session")
async def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    """A SQLite file migrated with Alembic, as the embedded default runs it."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'tradeql.db'}"
    # Alembic's env.py calls asyncio.run, which cannot nest inside this loop.
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    engine = create_engine(Settings(env="test", database_url=url))
    yield engine
    await engine.dispose()


# SQLite runs in the whole suite (`make test`, CI); `make test-fast` checks PostgreSQL only,
# which keeps the loop while working under its 4 minutes.
@pytest.fixture(params=["postgresql", pytest.param("sqlite", marks=pytest.mark.slow)])
async def any_db(
    request: pytest.FixtureRequest, engine: AsyncEngine, sqlite_engine: AsyncEngine
) -> AsyncIterator[Database]:
    """The same tests on PostgreSQL and on SQLite, each in a transaction rolled back after."""
    chosen = engine if request.param == "postgresql" else sqlite_engine
    async with chosen.connect() as connection:
        transaction = await connection.begin()
        try:
            yield Database(connection)
        finally:
            await transaction.rollback()


@pytest.fixture
async def any_client(settings: Settings, any_db: Database) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(settings, any_db) as client:
        yield client


@pytest.fixture(scope="session")
def jobs_settings(committed_url: str, redis_prefix: str) -> Settings:
    """The worker's settings for the committed database: test handlers, fast retries."""
    return Settings(
        env="test",
        database_url=committed_url,
        redis_prefix=redis_prefix,
        handler_modules=TEST_HANDLERS,
        outbox_max_attempts=3,
        outbox_backoff_base_seconds=0.01,
        outbox_backoff_max_seconds=0.05,
        outbox_lease_seconds=30,
        worker_poll_seconds=0.05,
        worker_grace_seconds=5,
        webhook_allow_private_targets=True,
    )


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on a free local port, keeping what it receives."""
    with running_mailbox() as box_and_port:
        yield box_and_port
