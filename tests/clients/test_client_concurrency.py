"""Two edits based on the same version, racing over HTTP against committed data: one wins.

The edit is a conditional UPDATE on (id, version), so the loser's statement matches no row
once the winner commits; it gets CONFLICT, changes nothing and leaves no audit row.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import col, select

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.clients import ClientCompany
from tests.callers import make_client_company
from tests.concurrently import settled
from tests.graphql_client import graphql_client
from tests.user_builders import make_user, session_for

UPDATE = """mutation($id: ID!, $v: Int!, $name: String!) {
  updateClientCompany(id: $id, expectedVersion: $v, input: {name: $name}) {
  company { version } userErrors { code } } }"""
ROUNDS = 5


@dataclass
class Committed:
    company_id: int
    user_id: int
    token: str


@pytest.fixture
async def committed_company(committed_db: Database, committed_settings: Settings) -> Committed:
    async with committed_db.transaction() as session:
        company = await make_client_company(session, name="Race Trading Ltd")
        user = await make_user(session, Role.SALES)
        issued = await session_for(session, user, committed_settings)
    assert company.id is not None
    assert user.id is not None
    return Committed(company.id, user.id, issued.access_token)


async def test_of_two_concurrent_edits_of_one_version_exactly_one_wins(
    committed_db: Database, committed_settings: Settings, committed_company: Committed
) -> None:
    company_id = encode_global_id("ClientCompany", committed_company.company_id)
    async with graphql_client(committed_settings, committed_db) as anyone:
        sales = anyone.as_(committed_company.token)
        for version in range(1, ROUNDS + 1):
            # when two edits based on the same version are sent at once
            results = await settled(
                *(
                    sales.data(UPDATE, {"id": company_id, "v": version, "name": f"{who} {version}"})
                    for who in ("Alice", "Bob")
                )
            )
            # then exactly one is applied and the other is a conflict
            payloads = [result["updateClientCompany"] for result in results]
            winners = [p for p in payloads if p["userErrors"] == []]
            losers = [p for p in payloads if p["userErrors"] == [{"code": "CONFLICT"}]]
            assert len(winners) == 1, payloads
            assert len(losers) == 1, payloads
            assert winners[0]["company"] == {"version": version + 1}
    # and the stored version counts only the winning edits, each audited once
    async with committed_db.session() as session:
        stored = await session.get(ClientCompany, committed_company.company_id)
        audited = list(
            await session.scalars(
                select(AuditEntry).where(
                    col(AuditEntry.target_id) == str(committed_company.company_id)
                )
            )
        )
    assert stored is not None
    assert stored.version == ROUNDS + 1
    assert len(audited) == ROUNDS
