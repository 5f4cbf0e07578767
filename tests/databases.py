"""This run's PostgreSQL databases and Redis prefix: every name carries the run's id, so
runs never meet, and everything made is dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config

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


def database_url(database_name: str) -> str:
    return f"postgresql+asyncpg://{PG_SERVER}/{database_name}"


def create_pg_database(name: str) -> str:
    """Create an empty database and return its SQLAlchemy URL."""
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return database_url(name)


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
