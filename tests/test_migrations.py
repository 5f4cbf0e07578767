"""Alembic revisions build exactly the schema the models declare, on both dialects.

Alembic's env.py runs its own event loop (`asyncio.run`), so upgrades and downgrades run in a
worker thread; the schema is then compared with the models on this test's loop.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from core.migration_filters import include_object
from models import metadata
from tests.conftest import alembic_config, create_pg_database, drop_pg_database

GIN_INDEX = "ix_products_specs_gin"


def schema_drift(connection: Connection, *, filtered: bool = True) -> list[Any]:
    """What autogenerate would write to bring this database to the models; empty when in step."""
    opts: dict[str, Any] = {"compare_type": True}
    if filtered:
        opts["include_object"] = partial(include_object, dialect=connection.dialect.name)
    diffs: list[Any] = compare_metadata(MigrationContext.configure(connection, opts=opts), metadata)
    return diffs


def table_names(connection: Connection) -> list[str]:
    return sorted(inspect(connection).get_table_names())


def index_names(connection: Connection, table: str) -> set[str]:
    return {str(index["name"]) for index in inspect(connection).get_indexes(table)}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            yield connection
    finally:
        await engine.dispose()


async def migrate(url: str, action: str, revision: str) -> None:
    migration = command.upgrade if action == "upgrade" else command.downgrade
    await asyncio.to_thread(migration, alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


async def test_postgresql_migrations_match_the_models_and_downgrade_to_nothing() -> None:
    # given a fresh, empty PostgreSQL database
    name = f"tradeql_migrations_{uuid.uuid4().hex[:10]}"
    url = await asyncio.to_thread(create_pg_database, name)
    try:
        # when it is upgraded to head
        await migrate(url, "upgrade", "head")
        async with connect(url) as connection:
            # then the schema is exactly what the models declare
            assert await connection.run_sync(schema_drift) == []
            assert await connection.run_sync(current_revision) == head_revision(url)
            # and the PostgreSQL-only GIN index on specs exists
            definition = await connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                {"name": GIN_INDEX},
            )
            assert definition is not None
            assert "USING gin (specs jsonb_path_ops)" in definition
        # when it is downgraded to base
        await migrate(url, "downgrade", "base")
        async with connect(url) as connection:
            # then only Alembic's bookkeeping table remains, and the models are all missing
            assert await connection.run_sync(table_names) == ["alembic_version"]
            assert await connection.run_sync(current_revision) is None
            drift = await connection.run_sync(schema_drift)
            added = {diff[1].name for diff in drift if diff[0] == "add_table"}
            assert added == set(metadata.tables)
    finally:
        await asyncio.to_thread(drop_pg_database, name)


async def test_sqlite_migrations_match_the_models_without_the_gin_index(tmp_path: Path) -> None:
    # given a fresh SQLite file
    url = f"sqlite+aiosqlite:///{tmp_path}/t.db"
    # when it is upgraded to head
    await migrate(url, "upgrade", "head")
    async with connect(url) as connection:
        # then the schema is what the models declare for SQLite
        assert await connection.run_sync(schema_drift) == []
        assert await connection.run_sync(current_revision) == head_revision(url)
        # and the PostgreSQL-only GIN index is absent, which the dialect filter accounts for
        assert GIN_INDEX not in await connection.run_sync(index_names, "products")
        assert "ix_products_status_name_id" in await connection.run_sync(index_names, "products")
        unfiltered = await connection.run_sync(partial(schema_drift, filtered=False))
        assert [(diff[0], diff[1].name) for diff in unfiltered] == [("add_index", GIN_INDEX)]
    # when it is downgraded to base, then only Alembic's table remains
    await migrate(url, "downgrade", "base")
    async with connect(url) as connection:
        assert await connection.run_sync(table_names) == ["alembic_version"]
