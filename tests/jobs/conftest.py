"""A database of their own for worker tests: they commit, kill processes and share rows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import Database, create_engine
from core.settings import Settings
from tests.conftest import database_url, migrated_database
from tests.jobs.account_support import accounts_db, api, mail_settings  # noqa: F401 - fixtures
from tests.jobs.handlers_for_tests import SIDE_EFFECTS_DDL
from tests.smtp_mailbox import mailbox  # noqa: F401 - a fixture for the mail tests

TEST_HANDLERS = "tests.jobs.handlers_for_tests"


@pytest.fixture(scope="session")
def jobs_pg_url() -> Iterator[str]:
    with migrated_database("tradeql_jobs") as name:
        url = database_url(name)
        asyncio.run(_create_test_tables(url))
        yield url


async def _create_test_tables(url: str) -> None:
    engine = create_engine(Settings(env="test", database_url=url))
    async with engine.begin() as connection:
        for ddl in SIDE_EFFECTS_DDL:
            await connection.execute(text(ddl))
    await engine.dispose()


@pytest.fixture(scope="session")
def jobs_settings(jobs_pg_url: str, redis_prefix: str) -> Settings:
    return Settings(
        env="test",
        database_url=jobs_pg_url,
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


@pytest.fixture(scope="session")
async def jobs_engine(jobs_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(jobs_settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def jobs_db(jobs_engine: AsyncEngine) -> AsyncIterator[Database]:
    """Committed data; emptied after each test so tests stay independent."""
    yield Database(jobs_engine)
    async with jobs_engine.begin() as connection:
        await connection.execute(
            text(
                "TRUNCATE outbox_events, outbox_effects, test_side_effects, "
                "test_handler_started, test_broken_switch RESTART IDENTITY CASCADE"
            )
        )


@pytest.fixture
def webhook_settings(jobs_settings: Settings) -> Settings:
    """Enough attempts and a short timeout for delivery tests against a local receiver."""
    return jobs_settings.model_copy(
        update={"outbox_max_attempts": 8, "webhook_timeout_seconds": 2.0}
    )


@pytest.fixture
async def database(jobs_db: Database, jobs_engine: AsyncEngine) -> AsyncIterator[Database]:
    """The jobs database, with webhook endpoints (and their deliveries) emptied afterwards."""
    yield jobs_db
    async with jobs_engine.begin() as connection:
        await connection.execute(text("TRUNCATE webhook_endpoints RESTART IDENTITY CASCADE"))
