"""A PostgreSQL database of a benchmark's own: created, migrated to head, dropped after."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


async def admin(server: str, sql: str) -> None:
    """Run `sql` (CREATE or DROP DATABASE) on the server's `postgres` database."""
    connection = await asyncpg.connect(f"postgresql://{server}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _upgrade(url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")


async def create_migrated(server: str, name: str) -> str:
    """Create database `name`, migrate it to head, return its SQLAlchemy URL."""
    await admin(server, f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://{server}/{name}"
    # Alembic's env.py runs its own event loop, so the upgrade runs in a thread.
    await asyncio.to_thread(_upgrade, url)
    return url


async def drop(server: str, name: str) -> None:
    await admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
