"""Inquiry tests call the app over HTTP on the rolled-back `db`, with a seeded sales desk.

Guests are throttled per client IP in Redis, whose keys outlive each test's rollback: the
tests get a generous limit, except the throttle test, which sets its own. Tests that
commit (racing conversions, the worker's mails) use a database of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import Database, create_engine
from core.settings import Settings
from tests.callers import Caller
from tests.databases import database_url, migrated_database
from tests.inquiries.support import Desk, calling, make_desk, running


@pytest.fixture(scope="session")
def inquiry_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"inquiry_guest_max_per_hour": 10_000})


@pytest.fixture
async def api(inquiry_settings: Settings, db: Database) -> AsyncIterator[Caller]:
    async with running(inquiry_settings, db) as app, calling(app) as anyone:
        yield anyone


@pytest.fixture
async def desk(db: Database, settings: Settings) -> Desk:
    async with db.transaction() as session:
        return await make_desk(session, settings)


@pytest.fixture(scope="session")
def own_settings(inquiry_settings: Settings) -> Iterator[Settings]:
    """A database of the inquiry tests' own, for those that commit: races and the worker."""
    with migrated_database("inquiries") as name:
        yield inquiry_settings.model_copy(
            update={
                "database_url": database_url(name),
                "outbox_max_attempts": 3,
                "outbox_backoff_base_seconds": 0.01,
                "outbox_backoff_max_seconds": 0.05,
                "webhook_allow_private_targets": True,
            }
        )


@pytest.fixture(scope="session")
async def own_engine(own_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(own_settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def own_db(own_engine: AsyncEngine) -> AsyncIterator[Database]:
    """Committed data, every table emptied after each test."""
    yield Database(own_engine)
    async with own_engine.begin() as connection:
        tables = list(
            await connection.scalars(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        )
        await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
