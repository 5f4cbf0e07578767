"""A database of their own for the order concurrency tests: they commit through HTTP from
many clients at once, and create triggers; the database is dropped after the run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import Database, create_engine
from core.settings import Settings
from tests.databases import database_url, migrated_database


@pytest.fixture(scope="session")
def orders_settings(settings: Settings) -> Iterator[Settings]:
    with migrated_database("orders") as name:
        yield settings.model_copy(
            update={"database_url": database_url(name), "database_pool_size": 30}
        )


@pytest.fixture(scope="session")
async def orders_engine(orders_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(orders_settings)
    yield engine
    await engine.dispose()


@pytest.fixture
def orders_db(orders_engine: AsyncEngine) -> Database:
    """Committed data in the orders tests' own database."""
    return Database(orders_engine)
