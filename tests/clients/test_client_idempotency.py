"""Creating client companies and contacts with an idempotency key: a retry answers the first
record with one audit row, another input under the key is refused, keys are each caller's and
each mutation's, and a key sent by several calls at once makes one record."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import col, func, select

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.clients import ClientCompany, ClientContact
from tests.callers import make_client_company, token_for
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient, graphql_client

CREATE = """mutation($input: ClientCompanyInput!, $key: String) {
  createClientCompany(input: $input, idempotencyKey: $key) {
    company { id name } userErrors { field code } } }"""
ADD = """mutation($company: ID!, $input: ClientContactInput!, $key: String) {
  addClientContact(companyId: $company, input: $input, idempotencyKey: $key) {
    contact { id name email } userErrors { field code } } }"""
NORDIC = {"name": "Nordic Buyers AB", "country": "SE"}
JANA = {"name": "Jana Weber", "email": "jana@hanse.example"}
RACERS = 6


@dataclass
class Office:
    sales: GraphQLClient
    other_sales: GraphQLClient
    company_id: str


async def _office(database: Database, settings: Settings, http: GraphQLClient) -> Office:
    async with database.transaction() as session:
        company = await make_client_company(session)
        sales = await token_for(session, settings, Role.SALES)
        other_sales = await token_for(session, settings, Role.SALES)
    return Office(
        http.as_(sales), http.as_(other_sales), encode_global_id("ClientCompany", company.id or 0)
    )


@pytest.fixture
async def office(db: Database, settings: Settings) -> AsyncIterator[Office]:
    async with graphql_client(settings, db) as http:
        yield await _office(db, settings, http)


async def _create(api: GraphQLClient, given: dict[str, Any], key: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.data(CREATE, {"input": given, "key": key}))[
        "createClientCompany"
    ]
    return payload


async def _add(
    api: GraphQLClient, company: str, given: dict[str, Any], key: str | None
) -> dict[str, Any]:
    variables = {"company": company, "input": given, "key": key}
    payload: dict[str, Any] = (await api.data(ADD, variables))["addClientContact"]
    return payload


def _errors(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(".".join(error["field"] or []), error["code"]) for error in payload["userErrors"]]


async def _count(db: Database, model: Any) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _audited(db: Database, action: str) -> int:
    async with db.session() as session:
        statement = select(func.count()).where(col(AuditEntry.action) == action)
        return int(await session.scalar(statement) or 0)


async def test_a_retried_company_create_answers_the_first_company_with_one_audit_row(
    db: Database, office: Office
) -> None:
    companies_before = await _count(db, ClientCompany)
    first = await _create(office.sales, NORDIC, "crm-sync-41")
    retry = await _create(office.sales, {**NORDIC, "name": " Nordic Buyers AB "}, "crm-sync-41")

    assert first["userErrors"] == []
    assert retry["userErrors"] == []
    assert retry["company"] == first["company"]
    assert await _count(db, ClientCompany) == companies_before + 1
    assert await _audited(db, "client_company.create") == 1


async def test_another_company_under_a_used_key_is_refused_and_writes_nothing(
    db: Database, office: Office
) -> None:
    await _create(office.sales, NORDIC, "crm-sync-42")
    companies_after_first = await _count(db, ClientCompany)

    reused = await _create(office.sales, {**NORDIC, "country": "NO"}, "crm-sync-42")

    assert _errors(reused) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    assert reused["company"] is None
    assert await _count(db, ClientCompany) == companies_after_first
    assert await _audited(db, "client_company.create") == 1


async def test_keys_are_each_caller_s_and_each_mutation_s(db: Database, office: Office) -> None:
    mine = await _create(office.sales, NORDIC, "shared")
    theirs = await _create(office.other_sales, NORDIC, "shared")
    contact = await _add(office.sales, office.company_id, JANA, "shared")

    assert theirs["company"]["id"] != mine["company"]["id"]
    assert contact["userErrors"] == []
    assert await _audited(db, "client_company.create") == 2
    assert await _audited(db, "client_contact.add") == 1


async def test_a_retried_contact_add_answers_the_first_contact_with_one_audit_row(
    db: Database, office: Office
) -> None:
    first = await _add(office.sales, office.company_id, JANA, "contact-1")
    retry = await _add(office.sales, office.company_id, JANA, "contact-1")
    other_person = await _add(
        office.sales, office.company_id, {**JANA, "name": "Jan Weber"}, "contact-1"
    )

    assert retry["userErrors"] == []
    assert retry["contact"] == first["contact"]
    assert _errors(other_person) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    assert await _count(db, ClientContact) == 1
    assert await _audited(db, "client_contact.add") == 1


async def test_a_contact_refused_for_an_unknown_company_leaves_its_key_free(
    db: Database, office: Office
) -> None:
    unknown = encode_global_id("ClientCompany", 987_654_321)
    refused = await _add(office.sales, unknown, JANA, "contact-2")
    corrected = await _add(office.sales, office.company_id, JANA, "contact-2")

    assert _errors(refused) == [("companyId", "NOT_FOUND")]
    assert corrected["userErrors"] == []
    assert await _count(db, ClientContact) == 1


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("", [("idempotencyKey", "REQUIRED")]),
        (" \t ", [("idempotencyKey", "REQUIRED")]),
        ("k" * 101, [("idempotencyKey", "TOO_LONG")]),
    ],
)
async def test_a_blank_or_overlong_key_is_refused_with_a_code(
    db: Database, office: Office, key: str, expected: list[tuple[str, str]]
) -> None:
    companies_before = await _count(db, ClientCompany)

    company = await _create(office.sales, NORDIC, key)
    contact = await _add(office.sales, office.company_id, JANA, key)

    assert _errors(company) == expected
    assert _errors(contact) == expected
    assert await _count(db, ClientCompany) == companies_before
    assert await _count(db, ClientContact) == 0


async def test_a_key_with_a_nul_is_bad_input(db: Database, office: Office) -> None:
    company = await office.sales.post(CREATE, {"input": NORDIC, "key": "crm\x00"})
    contact = await office.sales.post(
        ADD, {"company": office.company_id, "input": JANA, "key": "crm\x00"}
    )

    assert {error["extensions"]["code"] for error in company["errors"]} == {"BAD_USER_INPUT"}
    assert {error["extensions"]["code"] for error in contact["errors"]} == {"BAD_USER_INPUT"}
    assert await _count(db, ClientContact) == 0


@pytest.mark.slow
async def test_a_key_sent_by_several_calls_at_once_makes_one_company_and_one_contact(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with graphql_client(committed_settings, committed_db) as http:
        office = await _office(committed_db, committed_settings, http)
        results = await settled(
            *(_create(office.sales, NORDIC, "double-click") for _ in range(RACERS)),
            *(_add(office.sales, office.company_id, JANA, "double-click") for _ in range(RACERS)),
        )

    assert all(result["userErrors"] == [] for result in results)
    assert len({result["company"]["id"] for result in results[:RACERS]}) == 1
    assert len({result["contact"]["id"] for result in results[RACERS:]}) == 1
    assert await _count(committed_db, ClientCompany) == 2  # the office's and the created one
    assert await _count(committed_db, ClientContact) == 1
    assert await _audited(committed_db, "client_company.create") == 1
    assert await _audited(committed_db, "client_contact.add") == 1
