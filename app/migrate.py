"""Run Alembic migrations, and refuse to serve a database that is not at this release's head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from core.db import Database, create_engine
from core.settings import Settings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


class NotMigrated(RuntimeError):
    """The database schema is older (or newer) than the code expects."""


def alembic_config(database_url: str) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


async def check_migrated(settings: Settings) -> None:
    """Raise NotMigrated with a one-line reason unless the database is at head."""
    head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
    engine = create_engine(settings)
    try:
        await Database(engine).check_connection()
        async with engine.connect() as connection:
            current = await connection.run_sync(_current_revision)
    finally:
        await engine.dispose()
    if current != head:
        raise NotMigrated(
            f"database is at revision {current or 'none (empty)'} but this release needs "
            f"{head}: run `tradeql migrate` first"
        )


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
