"""Clients for the schema tests: on PostgreSQL (`client`), or on each backend (`any_client`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import Database, create_engine
from core.settings import Settings
from tests.conftest import alembic_config
from tests.graphql_client import GraphQLClient, graphql_client


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


@pytest.fixture(params=["postgresql", "sqlite"])
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
