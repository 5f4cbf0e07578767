"""Inquiry tests call the app over HTTP on the rolled-back `db`, with a seeded sales desk.

Guests are throttled per client IP in Redis, whose keys outlive each test's rollback: the
tests get a generous limit, except the throttle test, which sets its own. Tests that
commit (racing conversions, the worker's mails) use the committed database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.db import Database
from core.settings import Settings
from tests.graphql_client import GraphQLClient, graphql_client
from tests.inquiries.support import Desk, make_desk


@pytest.fixture(scope="session")
def inquiry_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"inquiry_guest_max_per_hour": 10_000})


@pytest.fixture
async def api(inquiry_settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(inquiry_settings, db) as anyone:
        yield anyone


@pytest.fixture
async def desk(db: Database, settings: Settings) -> Desk:
    async with db.transaction() as session:
        return await make_desk(session, settings)


@pytest.fixture(scope="session")
def committed_inquiry_settings(inquiry_settings: Settings, committed_url: str) -> Settings:
    """For the inquiry tests that commit (races and the worker), on the committed database."""
    return inquiry_settings.model_copy(
        update={
            "database_url": committed_url,
            "outbox_max_attempts": 3,
            "outbox_backoff_base_seconds": 0.01,
            "outbox_backoff_max_seconds": 0.05,
            "webhook_allow_private_targets": True,
        }
    )
