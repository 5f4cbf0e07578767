"""Fixtures against the real services: a PostgreSQL database and a Redis key prefix per run.

Most tests get `db`: one connection inside a transaction that is rolled back afterwards, so
tests never see each other's rows. Tests that need real commits use `committed_db` and clean
up after themselves.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as redis_async
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import Database, create_engine
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("TEST_PG_SERVER", "postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN_ID = uuid.uuid4().hex[:10]


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(f"postgresql://{PG_SERVER}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def create_pg_database(name: str) -> str:
    """Create an empty database and return its SQLAlchemy URL."""
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return f"postgresql+asyncpg://{PG_SERVER}/{name}"


def drop_pg_database(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def migrated_database(prefix: str) -> Iterator[str]:
    """A fresh database at head, named `<prefix>_<random>`, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = create_pg_database(name)
    try:
        command.upgrade(alembic_config(url), "head")
        yield name
    finally:
        drop_pg_database(name)


def database_url(database_name: str) -> str:
    return f"postgresql+asyncpg://{PG_SERVER}/{database_name}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """This run's PostgreSQL database, migrated to head, dropped afterwards."""
    with migrated_database("tradeql_test") as name:
        yield database_url(name)


@pytest.fixture(scope="session")
def redis_prefix() -> str:
    return f"tq:test:{RUN_ID}:"


@pytest.fixture(scope="session")
def settings(pg_url: str, redis_prefix: str) -> Settings:
    return Settings(
        env="test",
        database_url=pg_url,
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        debug_extensions=True,
        # Off for every test but the read cache's own: the rows of each test are rolled back,
        # but Redis entries would outlive them and answer the next test's identical query.
        catalog_cache_seconds=0,
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


@pytest.fixture
def committed_db(engine: AsyncEngine) -> Database:
    """Real commits, for concurrency and multi-process tests; the test cleans up its rows."""
    return Database(engine)


@pytest.fixture(scope="session")
async def redis_client(redis_prefix: str) -> AsyncIterator[redis_async.Redis]:
    client = redis_async.Redis.from_url(REDIS_URL)
    yield client
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
