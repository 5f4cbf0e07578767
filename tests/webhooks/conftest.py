"""Webhook tests deliver to a real local receiver from the committed jobs database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import Database
from core.settings import Settings


@pytest.fixture
def webhook_settings(jobs_settings: Settings) -> Settings:
    """Enough attempts and a short timeout for delivery tests against a local receiver."""
    return jobs_settings.model_copy(
        update={"outbox_max_attempts": 8, "webhook_timeout_seconds": 2.0}
    )


@pytest.fixture
async def database(jobs_db: Database, jobs_engine: AsyncEngine) -> AsyncIterator[Database]:
    """The jobs database, with webhook endpoints (and their deliveries) emptied afterwards."""
    yield jobs_db
    async with jobs_engine.begin() as connection:
        await connection.execute(text("TRUNCATE webhook_endpoints RESTART IDENTITY CASCADE"))
