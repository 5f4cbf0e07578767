from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.db import Database
from core.settings import Settings
from tests.graphql_client import GraphQLClient, graphql_client


@pytest.fixture
async def client(settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(settings, db) as client:
        yield client
