"""Changing client records: validation as userErrors, permissions as FORBIDDEN, one audit row
per change, and nothing written (no row, no audit) when a change is refused. The edits run on
PostgreSQL and on the embedded SQLite default alike."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.clients import ClientCompany, ClientContact
from tests.callers import error_codes, make_client_company, make_contact, token_for
from tests.graphql_client import GraphQLClient, graphql_client

CREATE = """mutation($input: ClientCompanyInput!) { createClientCompany(input: $input) {
  company { id name country taxId preferredCurrency preferredIncoterm version }
  userErrors { field code message } } }"""
UPDATE = """mutation($id: ID!, $v: Int!, $input: ClientCompanyPatch!) {
  updateClientCompany(id: $id, expectedVersion: $v, input: $input) {
  company { name country version } userErrors { field code } } }"""
CREDIT = """mutation($id: ID!, $v: Int!, $limit: Decimal!, $currency: String!,
  $terms: PaymentTermsInput!) { updateClientCredit(id: $id, expectedVersion: $v,
  creditLimit: $limit, creditCurrency: $currency, paymentTerms: $terms) {
  company { version creditLimit { amount currency } paymentTerms { advancePercent
  balanceDueOn netDays } } userErrors { field code } } }"""
TERMS = {"advancePercent": 30, "balanceDueOn": "BILL_OF_LADING", "netDays": 45}


async def _audit_rows(db: Database) -> list[AuditEntry]:
    async with db.session() as session:
        return list(await session.scalars(select(AuditEntry).order_by(col(AuditEntry.id))))


async def _company(db: Database, pk: int | None) -> ClientCompany:
    async with db.session() as session:
        company = await session.get(ClientCompany, pk)
    assert company is not None
    return company


def _gid(company: ClientCompany) -> str:
    return encode_global_id("ClientCompany", company.id or 0)


async def _staff(
    db: Database, settings: Settings, role: Role, http: GraphQLClient
) -> GraphQLClient:
    async with db.transaction() as session:
        return http.as_(await token_for(session, settings, role))


async def test_sales_create_a_company_with_one_audit_row(db: Database, settings: Settings) -> None:
    async with graphql_client(settings, db) as anyone:
        sales = await _staff(db, settings, Role.SALES, anyone)
        given = {"name": " Nordic Buyers AB ", "country": "se", "taxId": "SE556677889901"}
        response = await sales.response(CREATE, {"input": given})
    payload = response.json()["data"]["createClientCompany"]
    assert payload["userErrors"] == []
    assert payload["company"] | {"id": "?"} == {
        "id": "?",
        "name": "Nordic Buyers AB",
        "country": "SE",
        "taxId": "SE556677889901",
        "preferredCurrency": "USD",
        "preferredIncoterm": "FOB",
        "version": 1,
    }
    [entry] = await _audit_rows(db)
    assert entry.action == "client_company.create"
    assert entry.target_type == "ClientCompany"
    assert encode_global_id("ClientCompany", int(entry.target_id)) == payload["company"]["id"]
    assert entry.changes["name"] == [None, "Nordic Buyers AB"]
    assert entry.request_id == response.headers["x-request-id"]
    assert entry.client_ip == "127.0.0.1"
    assert entry.actor_user_id is not None


async def test_invalid_input_names_each_field_and_writes_nothing(
    db: Database, settings: Settings
) -> None:
    given: dict[str, Any] = {"name": "  ", "country": "XX", "preferredCurrency": "EURO"}
    async with graphql_client(settings, db) as anyone:
        sales = await _staff(db, settings, Role.SALES, anyone)
        payload = (await sales.data(CREATE, {"input": given}))["createClientCompany"]
    assert payload["company"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "name"], "REQUIRED"),
        (["input", "country"], "INVALID_COUNTRY"),
        (["input", "preferredCurrency"], "INVALID_CURRENCY"),
    ]
    async with db.session() as session:
        assert list(await session.scalars(select(ClientCompany))) == []
    assert await _audit_rows(db) == []


async def test_without_the_permission_a_mutation_is_forbidden_and_changes_nothing(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        support = await token_for(session, settings, Role.SUPPORT)
        sales = await token_for(session, settings, Role.SALES)
    variables = {"id": _gid(company), "v": 1, "input": {"name": "Renamed"}}
    credit = {"id": _gid(company), "v": 1, "limit": "1.00", "currency": "USD", "terms": TERMS}
    async with graphql_client(settings, db) as anyone:
        refused_update = await anyone.as_(support).post(UPDATE, variables)
        refused_credit = await anyone.as_(sales).post(CREDIT, credit)
        refused_create = await anyone.post(CREATE, {"input": {"name": "X", "country": "DE"}})
    assert refused_update["data"] == {"updateClientCompany": None}
    assert error_codes(refused_update) == [("updateClientCompany", "FORBIDDEN")]
    assert error_codes(refused_credit) == [("updateClientCredit", "FORBIDDEN")]
    assert error_codes(refused_create) == [("createClientCompany", "FORBIDDEN")]
    unchanged = await _company(db, company.id)
    assert (unchanged.name, unchanged.version, unchanged.credit_limit) == (
        company.name,
        1,
        company.credit_limit,
    )
    assert await _audit_rows(db) == []


async def test_an_edit_bumps_the_version_and_a_stale_one_is_a_conflict(
    any_db: Database, settings: Settings
) -> None:
    # given a company at version 1
    async with any_db.transaction() as session:
        company = await make_client_company(session)
    async with graphql_client(settings, any_db) as anyone:
        sales = await _staff(any_db, settings, Role.SALES, anyone)
        # when it is renamed based on version 1
        first = await sales.data(UPDATE, {"id": _gid(company), "v": 1, "input": {"name": "New"}})
        # and then changed again based on version 1
        stale = await sales.data(UPDATE, {"id": _gid(company), "v": 1, "input": {"country": "FR"}})
    # then the first wins and moves the version on; the second changes nothing
    assert first["updateClientCompany"] == {
        "company": {"name": "New", "country": "DE", "version": 2},
        "userErrors": [],
    }
    assert stale["updateClientCompany"] == {
        "company": None,
        "userErrors": [{"field": ["expectedVersion"], "code": "CONFLICT"}],
    }
    stored = await _company(any_db, company.id)
    assert (stored.name, stored.country, stored.version) == ("New", "DE", 2)
    [entry] = await _audit_rows(any_db)
    assert entry.action == "client_company.update"
    assert entry.changes == {"name": ["Hanse Textil GmbH", "New"], "version": [1, 2]}


async def test_an_edit_that_changes_nothing_keeps_the_version_and_audits_nothing(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
    async with graphql_client(settings, db) as anyone:
        sales = await _staff(db, settings, Role.SALES, anyone)
        same = {"name": company.name, "country": "de"}
        result = await sales.data(UPDATE, {"id": _gid(company), "v": 1, "input": same})
    assert result["updateClientCompany"]["company"]["version"] == 1
    assert await _audit_rows(db) == []


async def test_only_finance_sets_credit_and_terms_validated_per_field(
    any_db: Database, settings: Settings
) -> None:
    async with any_db.transaction() as session:
        company = await make_client_company(session)
    async with graphql_client(settings, any_db) as anyone:
        finance = await _staff(any_db, settings, Role.FINANCE, anyone)
        bad_terms = {"advancePercent": 120, "balanceDueOn": "INVOICE", "netDays": 400}
        refused = await finance.data(
            CREDIT,
            {"id": _gid(company), "v": 1, "limit": "10.005", "currency": "XYZ", "terms": bad_terms},
        )
        granted = await finance.data(
            CREDIT,
            {"id": _gid(company), "v": 1, "limit": "75000", "currency": "usd", "terms": TERMS},
        )
        not_found = await finance.data(
            CREDIT,
            {"id": "nonsense", "v": 1, "limit": "1", "currency": "USD", "terms": TERMS},
        )
    assert [e["field"] for e in refused["updateClientCredit"]["userErrors"]] == [
        ["creditLimit"],
        ["creditCurrency"],
        ["paymentTerms", "advancePercent"],
        ["paymentTerms", "netDays"],
    ]
    assert granted["updateClientCredit"] == {
        "company": {
            "version": 2,
            "creditLimit": {"amount": "75000.00", "currency": "USD"},
            "paymentTerms": {"advancePercent": 30, "balanceDueOn": "BILL_OF_LADING", "netDays": 45},
        },
        "userErrors": [],
    }
    assert not_found["updateClientCredit"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    [entry] = await _audit_rows(any_db)
    assert entry.action == "client_company.update_credit"
    assert entry.changes == {
        "credit_limit": ["50000.00", "75000.00"],
        "credit_currency": ["EUR", "USD"],
        "balance_due_on": ["invoice", "bill_of_lading"],
        "net_days": [60, 45],
        "version": [1, 2],
    }


async def test_contacts_are_added_edited_and_removed_with_an_audit_row_each(
    any_db: Database, settings: Settings
) -> None:
    async with any_db.transaction() as session:
        company = await make_client_company(session)
    add = """mutation($c: ID!, $input: ClientContactInput!) { addClientContact(companyId: $c,
      input: $input) { contact { id name email position } userErrors { field code } } }"""
    edit = """mutation($id: ID!, $input: ClientContactPatch!) { updateClientContact(id: $id,
      input: $input) { contact { name email position } userErrors { field code } } }"""
    remove = """mutation($id: ID!) { removeClientContact(id: $id) { removedContactId
      userErrors { field code } } }"""
    async with graphql_client(settings, any_db) as anyone:
        sales = await _staff(any_db, settings, Role.SALES, anyone)
        invalid = await sales.data(
            add, {"c": _gid(company), "input": {"name": "Ola", "email": "not-an-email"}}
        )
        added = await sales.data(
            add, {"c": _gid(company), "input": {"name": "Ola Nordmann", "email": "OLA@x.no"}}
        )
        contact_id = added["addClientContact"]["contact"]["id"]
        edited = await sales.data(edit, {"id": contact_id, "input": {"position": "Buyer"}})
        removed = await sales.data(remove, {"id": contact_id})
        again = await sales.data(remove, {"id": contact_id})
    assert invalid["addClientContact"]["userErrors"] == [
        {"field": ["input", "email"], "code": "INVALID_EMAIL"}
    ]
    assert added["addClientContact"]["contact"]["email"] == "ola@x.no"
    assert edited["updateClientContact"]["contact"] == {
        "name": "Ola Nordmann",
        "email": "ola@x.no",
        "position": "Buyer",
    }
    assert removed["removeClientContact"] == {"removedContactId": contact_id, "userErrors": []}
    assert again["removeClientContact"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    async with any_db.session() as session:
        assert list(await session.scalars(select(ClientContact))) == []
    entries = await _audit_rows(any_db)
    assert [entry.action for entry in entries] == [
        "client_contact.add",
        "client_contact.update",
        "client_contact.remove",
    ]
    assert entries[1].changes == {"position": ["", "Buyer"]}
    assert entries[2].changes["email"] == ["ola@x.no", None]


async def test_reading_contacts_is_not_enough_to_remove_one(
    db: Database, settings: Settings
) -> None:
    # given a contact, and a finance user (clients:read_pii, but not clients:write)
    async with db.transaction() as session:
        company = await make_client_company(session)
        contact = await make_contact(session, company)
        finance = await token_for(session, settings, Role.FINANCE)
    remove = "mutation($id: ID!) { removeClientContact(id: $id) { removedContactId } }"
    contact_id = encode_global_id("ClientContact", contact.id or 0)
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(finance).post(remove, {"id": contact_id})
    assert error_codes(body) == [("removeClientContact", "FORBIDDEN")]
    async with db.session() as session:
        assert await session.get(ClientContact, contact.id) is not None
