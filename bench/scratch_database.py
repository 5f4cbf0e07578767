"""A PostgreSQL database of a benchmark's own: created, migrated to head (and seeded with an
order book, for the reports), dropped after."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config

from app.cli.seed_commands import seed_demo
from app.demo_orders.seeding import seed_order_book
from core.db import Database, create_engine
from core.settings import Settings

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


async def create_with_order_book(
    server: str, name: str, orders: int, *, products: int = 200, seed: int = 7
) -> str:
    """Create database `name`, migrate it, seed the demo catalog (`products`) and an order book
    of `orders` orders (`tradeql seed-demo --orders`); return its URL. Drop it with `drop`."""
    url = await create_migrated(server, name)
    engine = create_engine(Settings(env="test", database_url=url, redis_url=None))
    try:
        database = Database(engine)
        await seed_demo(database, products=products)
        await seed_order_book(database, orders=orders, seed=seed)
    finally:
        await engine.dispose()
    return url
