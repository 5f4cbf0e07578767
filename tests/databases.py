"""This run's PostgreSQL role, databases and Redis prefix: every name carries the run's id, so
runs never meet, the connection sampler can tell this run's connections from others', and
everything made is dropped afterwards.

TEST_PG_SERVER names a superuser (`postgres@127.0.0.1:5432`): it creates the run's role, a
role limited in connections, which owns the run's databases; the tests connect as that role.
"""

from __future__ import annotations

import asyncio
import graphlib
import itertools
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
# One id for the whole run: `make test-fast` runs its tests in several processes
# (pytest-xdist), which inherit the id the first process chose, and so share its role, its
# connection budget and the sampler that measures it.
RUN_ID = os.environ.setdefault("TRADEQL_TEST_RUN_ID", uuid.uuid4().hex[:10])
# Which of those processes this is ("gw0", "gw1"; "" without xdist): each has databases and
# a Redis prefix of its own, since its tests commit and empty them independently.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
RUN_ROLE = f"tradeql_run_{RUN_ID}"
# The superuser's connections of this run (to make and drop the role and the databases, and
# the sampler's) say who they are, so they count against the run's budget too.
RUN_APPLICATION_NAME = f"tradeql-tests-{RUN_ID}"
# How long to wait for a place when the shared server is full of other runs' connections.
SERVER_FULL_PATIENCE_SECONDS = 60
_ordinal = itertools.count(1)


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


async def admin_connection() -> asyncpg.Connection:
    """The superuser's connection to the `postgres` database, tagged as this run's; waits
    while the shared server is full."""
    async with asyncio.timeout(SERVER_FULL_PATIENCE_SECONDS):
        while True:
            try:
                return await asyncpg.connect(
                    f"postgresql://{PG_SERVER}/postgres",
                    server_settings={"application_name": RUN_APPLICATION_NAME},
                )
            except asyncpg.TooManyConnectionsError:
                await asyncio.sleep(1)


async def _admin(sql: str) -> None:
    connection = await admin_connection()
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def database_url(database_name: str) -> str:
    """How the tests reach one of this run's databases: as the run's role."""
    host = PG_SERVER.rpartition("@")[2]
    return f"postgresql+asyncpg://{RUN_ROLE}@{host}/{database_name}"


async def create_run_role(connection_limit: int) -> None:
    """The role every test connection logs in as; PostgreSQL refuses it more connections."""
    await _admin(f'CREATE ROLE "{RUN_ROLE}" LOGIN CONNECTION LIMIT {int(connection_limit)}')


async def drop_run_role() -> None:
    """Drop what is left of the run (databases a killed fixture left behind), then its role."""
    connection = await admin_connection()
    try:
        names = await connection.fetch(
            "SELECT datname FROM pg_database WHERE datdba = "
            "(SELECT oid FROM pg_roles WHERE rolname = $1)",
            RUN_ROLE,
        )
        for (name,) in names:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'DROP ROLE IF EXISTS "{RUN_ROLE}"')
    finally:
        await connection.close()


def create_pg_database(purpose: str) -> str:
    """Create an empty database of this run and process, `tradeql_<purpose>_<RUN_ID>_<n>`
    (`_<worker><n>` under xdist); its name."""
    name = f"tradeql_{purpose}_{RUN_ID}_{WORKER}{next(_ordinal)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}" OWNER "{RUN_ROLE}"'))
    return name


def drop_pg_database(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def migrated_database(purpose: str) -> Iterator[str]:
    """A fresh database of this run at head, dropped afterwards; its name."""
    name = create_pg_database(purpose)
    try:
        command.upgrade(alembic_config(database_url(name)), "head")
        yield name
    finally:
        drop_pg_database(name)


_TABLES = """
SELECT format('%I', tablename) FROM pg_tables
WHERE schemaname = 'public' AND tablename <> 'alembic_version'
"""
_REFERENCES = """
SELECT format('%I', referencing.relname), format('%I', referenced.relname)
FROM pg_constraint
JOIN pg_class referencing ON referencing.oid = pg_constraint.conrelid
JOIN pg_class referenced ON referenced.oid = pg_constraint.confrelid
WHERE pg_constraint.contype = 'f' AND pg_constraint.connamespace = 'public'::regnamespace
"""
_RESTART_SEQUENCES = """
SELECT setval(format('%I.%I', schemaname, sequencename), start_value, false)
FROM pg_sequences WHERE schemaname = 'public'
"""


async def empty_database(url: str) -> None:
    """Delete every row (migrations' bookkeeping aside) and restart every id sequence.

    DELETE, referencing tables first, rather than TRUNCATE: on tables this small it takes a
    few milliseconds where a TRUNCATE of every table takes over a second (new files, fsync).
    """
    connection = await asyncpg.connect(url.replace("+asyncpg", "", 1))
    try:
        referenced_by: dict[str, set[str]] = {
            row[0]: set() for row in await connection.fetch(_TABLES)
        }
        for referencing, referenced in await connection.fetch(_REFERENCES):
            if referencing != referenced:
                referenced_by[referenced].add(referencing)
        order = graphlib.TopologicalSorter(referenced_by).static_order()
        # Names from pg_tables, quoted by format(%I).
        deletes = "; ".join(f"DELETE FROM {table}" for table in order)  # noqa: S608
        async with connection.transaction():
            await connection.execute(deletes)
            await connection.execute(_RESTART_SEQUENCES)
    finally:
        await connection.close()
