"""Callers shared by the schema-wide tests."""

from __future__ import annotations

import pytest

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from tests.callers import token_for
from tests.graphql_client import GraphQLClient


@pytest.fixture
async def admin(settings: Settings, db: Database, client: GraphQLClient) -> GraphQLClient:
    """The test client as an admin, who holds every permission (with MFA verified)."""
    async with db.session() as session:
        token = await token_for(session, settings, Role.ADMIN)
        await session.commit()
    return client.as_(token)
