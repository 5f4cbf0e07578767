"""What a client is mailed, and in which language: a company's `preferredLanguage` and each
contact's `mailTopics`, set by `clients:write`, validated, audited, and refused without a
trace when wrong."""

from __future__ import annotations

from sqlmodel import col, select

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.clients import ClientCompany, ClientContact
from tests.callers import error_codes, make_client_company, make_contact, token_for
from tests.graphql_client import graphql_client

CREATE = """mutation($input: ClientCompanyInput!) { createClientCompany(input: $input) {
  company { id preferredLanguage } userErrors { field code message } } }"""
UPDATE = """mutation($id: ID!, $v: Int!, $input: ClientCompanyPatch!) {
  updateClientCompany(id: $id, expectedVersion: $v, input: $input) {
  company { preferredLanguage version } userErrors { field code } } }"""
ADD_CONTACT = """mutation($company: ID!, $input: ClientContactInput!) {
  addClientContact(companyId: $company, input: $input) {
  contact { id mailTopics } userErrors { field code } } }"""
UPDATE_CONTACT = """mutation($id: ID!, $input: ClientContactPatch!) {
  updateClientContact(id: $id, input: $input) { contact { name mailTopics }
  userErrors { field code } } }"""
CONTACTS = """query($id: ID!) { node(id: $id) { ... on ClientCompany { preferredLanguage
  contacts { email mailTopics } } } }"""
ALL_TOPICS = ["QUOTES", "ORDERS", "SHIPMENTS", "INVOICES"]


async def _audit_actions(db: Database) -> list[tuple[str, dict[str, object]]]:
    async with db.session() as session:
        rows = await session.scalars(select(AuditEntry).order_by(col(AuditEntry.id)))
        return [(row.action, row.changes) for row in rows]


async def test_a_company_is_mailed_in_english_unless_given_a_language(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        sales = await token_for(session, settings, Role.SALES)
    async with graphql_client(settings, db) as api:
        english = await api.as_(sales).data(CREATE, {"input": {"name": "A", "country": "GB"}})
        german = await api.as_(sales).data(
            CREATE, {"input": {"name": "B", "country": "DE", "preferredLanguage": " DE "}}
        )
    assert english["createClientCompany"]["company"]["preferredLanguage"] == "en"
    assert german["createClientCompany"]["company"]["preferredLanguage"] == "de"
    async with db.session() as session:
        languages = sorted(await session.scalars(select(ClientCompany.preferred_language)))
    assert languages == ["de", "en"]


async def test_an_unknown_language_is_refused_and_nothing_is_written(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        sales = await token_for(session, settings, Role.SALES)
    company_id = encode_global_id("ClientCompany", company.id or 0)
    async with graphql_client(settings, db) as api:
        created = await api.as_(sales).data(
            CREATE, {"input": {"name": "C", "country": "DE", "preferredLanguage": "deu"}}
        )
        updated = await api.as_(sales).data(
            UPDATE, {"id": company_id, "v": 1, "input": {"preferredLanguage": "xx"}}
        )
    assert created["createClientCompany"]["company"] is None
    assert [(e["field"], e["code"]) for e in created["createClientCompany"]["userErrors"]] == [
        (["input", "preferredLanguage"], "INVALID_LANGUAGE")
    ]
    assert updated["updateClientCompany"]["userErrors"] == [
        {"field": ["input", "preferredLanguage"], "code": "INVALID_LANGUAGE"}
    ]
    async with db.session() as session:
        companies = list(await session.scalars(select(ClientCompany)))
    assert [(row.id, row.preferred_language, row.version) for row in companies] == [
        (company.id, "en", 1)
    ]
    assert await _audit_actions(db) == []


async def test_sales_change_the_language_with_an_audit_row(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        sales = await token_for(session, settings, Role.SALES)
        support = await token_for(session, settings, Role.SUPPORT)
    variables = {
        "id": encode_global_id("ClientCompany", company.id or 0),
        "v": 1,
        "input": {"preferredLanguage": "tr"},
    }
    async with graphql_client(settings, db) as api:
        refused = await api.as_(support).post(UPDATE, variables)
        payload = (await api.as_(sales).data(UPDATE, variables))["updateClientCompany"]
    assert error_codes(refused) == [("updateClientCompany", "FORBIDDEN")]
    assert payload == {"company": {"preferredLanguage": "tr", "version": 2}, "userErrors": []}
    assert await _audit_actions(db) == [
        ("client_company.update", {"preferred_language": ["en", "tr"], "version": [1, 2]})
    ]


async def test_a_contact_receives_every_mail_unless_it_opts_out(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        sales = await token_for(session, settings, Role.SALES)
    company_id = encode_global_id("ClientCompany", company.id or 0)
    async with graphql_client(settings, db) as api:
        everything = await api.as_(sales).data(
            ADD_CONTACT, {"company": company_id, "input": {"name": "Jana", "email": "j@h.example"}}
        )
        some = await api.as_(sales).data(
            ADD_CONTACT,
            {
                "company": company_id,
                "input": {
                    "name": "Lars",
                    "email": "l@h.example",
                    "mailTopics": ["SHIPMENTS", "QUOTES", "SHIPMENTS"],
                },
            },
        )
        read = await api.as_(sales).data(CONTACTS, {"id": company_id})
    assert everything["addClientContact"]["contact"]["mailTopics"] == ALL_TOPICS
    assert some["addClientContact"]["contact"]["mailTopics"] == ["QUOTES", "SHIPMENTS"]
    assert read["node"] == {
        "preferredLanguage": "en",
        "contacts": [
            {"email": "j@h.example", "mailTopics": ALL_TOPICS},
            {"email": "l@h.example", "mailTopics": ["QUOTES", "SHIPMENTS"]},
        ],
    }


async def test_a_contact_opts_out_of_all_mail_and_the_change_is_audited(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        contact = await make_contact(session, company)
        sales = await token_for(session, settings, Role.SALES)
    contact_id = encode_global_id("ClientContact", contact.id or 0)
    async with graphql_client(settings, db) as api:
        renamed = await api.as_(sales).data(
            UPDATE_CONTACT, {"id": contact_id, "input": {"name": "Jana W."}}
        )
        opted_out = await api.as_(sales).data(
            UPDATE_CONTACT, {"id": contact_id, "input": {"mailTopics": []}}
        )
        back_in = await api.as_(sales).data(
            UPDATE_CONTACT, {"id": contact_id, "input": {"mailTopics": ["INVOICES"]}}
        )
    # a patch without mailTopics leaves them as they are
    assert renamed["updateClientContact"]["contact"]["mailTopics"] == ALL_TOPICS
    assert opted_out["updateClientContact"]["contact"]["mailTopics"] == []
    assert back_in["updateClientContact"]["contact"]["mailTopics"] == ["INVOICES"]
    async with db.session() as session:
        stored = await session.get(ClientContact, contact.id)
    assert stored is not None
    assert stored.mail_topics == ["invoices"]
    audited = await _audit_actions(db)
    assert audited[1] == (
        "client_contact.update",
        {
            "mails_quotes": [True, False],
            "mails_orders": [True, False],
            "mails_shipments": [True, False],
            "mails_invoices": [True, False],
        },
    )
    assert audited[2] == ("client_contact.update", {"mails_invoices": [False, True]})
