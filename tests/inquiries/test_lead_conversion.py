"""Converting a guest's lead into a client: one company, contact and invitation, every inquiry
of the lead moved with its quotes, once, and the quote then converts without a new one."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, func, select

from core.db import Database
from core.global_id import decode_typed_id, encode_global_id
from core.settings import Settings
from models.accounts import Role, User
from models.audit import AuditEntry
from models.clients import ClientCompany, ClientContact
from models.inquiries import Inquiry, Lead, Quote, QuoteStatus
from models.outbox import OutboxEvent
from tests.callers import token_for
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient, graphql_client
from tests.inquiries.support import (
    ADDRESS,
    CONVERT,
    QUOTE,
    SUBMIT,
    Desk,
    guest,
    inquiry_input,
    item,
    make_desk,
    quote_input,
)
from tests.user_builders import make_user

CONVERT_LEAD = """mutation($id: ID!, $input: ClientCompanyPatch, $key: String) {
  convertLeadToClient(inquiryId: $id, input: $input, idempotencyKey: $key) {
    company { id name country users { email } contacts { name email } }
    inquiry { id fromGuest source client { id } lead { email } quotes { status } }
    userErrors { field code message } } }"""
GRANT_CREDIT = """mutation($id: ID!, $v: Int!) {
  updateClientCredit(id: $id, expectedVersion: $v, creditLimit: "100000.00",
    creditCurrency: "EUR", paymentTerms: {advancePercent: 0, balanceDueOn: INVOICE, netDays: 30})
  { company { version } userErrors { code } } }"""
EMAIL = "ayse@demir.example"


async def guest_inquiry(api: GraphQLClient, desk: Desk, email: str = EMAIL) -> str:
    """A guest's inquiry, as sales finds it in the list (a guest cannot read it back)."""
    given = {**inquiry_input([item(desk.product, desk.variant, 500)]), "guest": guest(email)}
    submitted = (await api.data(SUBMIT, {"input": given}))["submitInquiry"]
    assert submitted["userErrors"] == []
    listing = await api.as_(desk.sales_token).data("{ inquiries(first: 1) { nodes { id } } }")
    inquiry_id: str = listing["inquiries"]["nodes"][0]["id"]
    return inquiry_id


async def quoted(api: GraphQLClient, desk: Desk, inquiry_id: str, price: str = "2.40") -> str:
    variables = {"id": inquiry_id, "input": quote_input([(desk.variant, 500, price)])}
    payload = (await api.as_(desk.sales_token).data(QUOTE, variables))["quoteInquiry"]
    assert payload["userErrors"] == [], payload
    quote_id: str = payload["quote"]["id"]
    return quote_id


async def convert_lead(
    api: GraphQLClient, token: str, inquiry_id: str, **variables: Any
) -> dict[str, Any]:
    data = await api.as_(token).data(CONVERT_LEAD, {"id": inquiry_id, **variables})
    payload: dict[str, Any] = data["convertLeadToClient"]
    return payload


def pk_of_inquiry(global_id: str) -> int:
    return decode_typed_id(global_id, "Inquiry", argument="id")


def errors(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(".".join(e["field"] or []), e["code"]) for e in payload["userErrors"]]


async def counts(db: Database) -> dict[str, int]:
    """Rows the conversion writes, to prove a refusal or a replay wrote none."""
    async with db.session() as session:

        async def count(model: Any, *where: Any) -> int:
            found = await session.scalar(select(func.count()).select_from(model).where(*where))
            return int(found or 0)

        return {
            "companies": await count(ClientCompany),
            "contacts": await count(ClientContact),
            "client users": await count(User, col(User.role) == Role.CLIENT),
            "guest inquiries": await count(Inquiry, col(Inquiry.lead_id).is_not(None)),
            "audit": await count(AuditEntry, col(AuditEntry.action) == "lead.convert"),
            "events": await count(OutboxEvent, col(OutboxEvent.event_type) == "lead.converted"),
            "invitations": await count(
                OutboxEvent, col(OutboxEvent.event_type) == "account.link_requested"
            ),
        }


async def test_a_lead_becomes_a_client_and_its_quote_converts_without_a_new_one(
    api: GraphQLClient, db: Database, desk: Desk, settings: Settings
) -> None:
    # given a guest who asked twice, and a quote sent for the first inquiry
    first = await guest_inquiry(api, desk)
    second = await guest_inquiry(api, desk)
    quote_id = await quoted(api, desk, first)
    before = await counts(db)

    # when sales converts the lead, correcting the company's name
    converted = await convert_lead(
        api, desk.sales_token, first, input={"name": "Demir Tekstil A.Ş."}, key="lead-1"
    )

    # then one company exists, named as corrected, in the lead's country, with the guest as
    # its contact and its (invited) user
    assert converted["userErrors"] == []
    company = converted["company"]
    assert (company["name"], company["country"]) == ("Demir Tekstil A.Ş.", "TR")
    assert company["contacts"] == [{"name": "Ayşe Demir", "email": EMAIL}]
    assert company["users"] == [{"email": EMAIL}]
    # and the inquiry, with its quote, is the company's now
    assert converted["inquiry"] == {
        "id": first,
        "fromGuest": False,
        "source": "STOREFRONT_GUEST",
        "client": {"id": company["id"]},
        "lead": None,
        "quotes": [{"status": "OPEN"}],
    }
    after = await counts(db)
    assert {name: after[name] - before[name] for name in after} == {
        "companies": 1,
        "contacts": 1,
        "client users": 1,
        "guest inquiries": -2,  # both of the lead's inquiries moved
        "audit": 1,
        "events": 1,
        "invitations": 1,
    }
    async with db.session() as session:
        moved = await session.scalars(
            select(col(Inquiry.client_company_id)).where(
                col(Inquiry.id).in_([pk_of_inquiry(first), pk_of_inquiry(second)])
            )
        )
        company_pk = await session.scalar(select(col(Lead.converted_company_id)))
        invited = await session.scalar(select(User).where(col(User.email) == EMAIL))
    assert set(moved) == {company_pk}
    assert invited is not None
    assert (invited.role, invited.client_company_id, invited.password_hash) == (
        Role.CLIENT,
        company_pk,
        None,
    )

    # when sales converts the quote on the buyer's word, once finance granted credit
    async with db.transaction() as session:
        finance = await token_for(session, settings, Role.FINANCE)
    granted = await api.as_(finance).data(GRANT_CREDIT, {"id": company["id"], "v": 1})
    assert granted["updateClientCredit"]["userErrors"] == []
    order = (
        await api.as_(desk.sales_token).data(
            CONVERT, {"quote": quote_id, "key": "order-1", "address": ADDRESS}
        )
    )["convertQuoteToOrder"]

    # then the quote sent to the guest became the company's order, at its prices
    assert order["userErrors"] == []
    assert order["quote"] == {"status": "CONVERTED"}
    assert order["order"]["total"] == {"amount": "1200.00"}
    async with db.session() as session:
        assert list(await session.scalars(select(col(Quote.status)))) == [QuoteStatus.CONVERTED]


async def test_a_later_guest_inquiry_converts_into_the_same_company(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    first = await guest_inquiry(api, desk)
    company = (await convert_lead(api, desk.sales_token, first))["company"]
    # the same guest asks again, as a guest (their lead is found by email)
    later = await guest_inquiry(api, desk, email=EMAIL.upper())
    before = await counts(db)

    # corrections are refused: the company exists; its own edit changes it
    corrected = await convert_lead(api, desk.sales_token, later, input={"country": "DE"})
    assert errors(corrected) == [("input", "INVALID")]
    assert await counts(db) == before

    again = await convert_lead(api, desk.sales_token, later)
    assert again["userErrors"] == []
    assert again["company"]["id"] == company["id"]
    assert again["inquiry"]["client"] == {"id": company["id"]}
    after = await counts(db)
    # no second company, contact or invitation; the inquiry moved, with its audit and event
    assert {name: after[name] - before[name] for name in after} == {
        "companies": 0,
        "contacts": 0,
        "client users": 0,
        "guest inquiries": -1,
        "audit": 1,
        "events": 1,
        "invitations": 0,
    }


async def test_refusals_change_nothing(api: GraphQLClient, db: Database, desk: Desk) -> None:
    lead_inquiry = await guest_inquiry(api, desk)
    client_inquiry = (
        await api.as_(desk.client_token).data(
            SUBMIT, {"input": inquiry_input([item(desk.product, desk.variant, 500)])}
        )
    )["submitInquiry"]["inquiry"]["id"]
    before = await counts(db)
    sales = desk.sales_token

    missing = encode_global_id("Inquiry", 999_999_999)
    assert errors(await convert_lead(api, sales, missing)) == [("inquiryId", "NOT_FOUND")]
    assert errors(await convert_lead(api, sales, "not an id")) == [("inquiryId", "NOT_FOUND")]
    assert errors(await convert_lead(api, sales, client_inquiry)) == [
        ("inquiryId", "INQUIRY_NOT_FROM_GUEST")
    ]
    bad_input = await convert_lead(
        api, sales, lead_inquiry, input={"country": "XX", "name": " "}, key=" "
    )
    assert sorted(errors(bad_input)) == [
        ("idempotencyKey", "REQUIRED"),
        ("input.country", "INVALID_COUNTRY"),
        ("input.name", "REQUIRED"),
    ]
    assert await counts(db) == before
    # the guest's address is a member of staff's already
    async with db.transaction() as session:
        await make_user(session, Role.SUPPORT, email="taken@demir.example")
    taken = await guest_inquiry(api, desk, email="taken@demir.example")
    before = await counts(db)
    refused = await convert_lead(api, sales, taken)
    assert errors(refused) == [("inquiryId", "EMAIL_TAKEN")]
    assert "another account" in refused["userErrors"][0]["message"]
    assert await counts(db) == before


async def test_a_retry_with_the_key_answers_the_first_company(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    inquiry_id = await guest_inquiry(api, desk)
    first = await convert_lead(api, desk.sales_token, inquiry_id, key="convert-1")
    before = await counts(db)

    replay = await convert_lead(api, desk.sales_token, inquiry_id, key="convert-1")
    assert replay["userErrors"] == []
    assert replay["company"]["id"] == first["company"]["id"]
    other_input = await convert_lead(
        api, desk.sales_token, inquiry_id, input={"taxId": "TR1"}, key="convert-1"
    )
    assert errors(other_input) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    # without the key, the inquiry is not a guest's any more
    unkeyed = await convert_lead(api, desk.sales_token, inquiry_id)
    assert errors(unkeyed) == [("inquiryId", "INQUIRY_NOT_FROM_GUEST")]
    assert await counts(db) == before


RACERS = 5


@pytest.fixture
async def committed_desk(committed_db: Database, settings: Settings) -> Desk:
    async with committed_db.transaction() as session:
        return await make_desk(session, settings)


@pytest.mark.slow
async def test_conversions_racing_for_one_lead_make_one_company(
    committed_db: Database, committed_inquiry_settings: Settings, committed_desk: Desk
) -> None:
    desk = committed_desk
    async with graphql_client(committed_inquiry_settings, committed_db) as api:
        inquiry_id = await guest_inquiry(api, desk)
        # one key sent by several calls at once, and the same lead under other keys
        keyed, unkeyed = await settled(
            settled(
                *(
                    convert_lead(api, desk.sales_token, inquiry_id, key="double-click")
                    for _ in range(RACERS)
                )
            ),
            settled(*(convert_lead(api, desk.sales_token, inquiry_id) for _ in range(RACERS))),
        )
    successes = [payload for payload in [*keyed, *unkeyed] if payload["userErrors"] == []]
    refusals = {code for payload in [*keyed, *unkeyed] for _, code in errors(payload)}
    # every call answers the one company, or finds the inquiry moved already
    assert len({payload["company"]["id"] for payload in successes}) == 1
    assert refusals <= {"INQUIRY_NOT_FROM_GUEST"}
    assert all(payload["userErrors"] == [] for payload in keyed) or not any(
        payload["userErrors"] == [] for payload in keyed
    )
    written = await counts(committed_db)
    assert (written["companies"], written["contacts"], written["invitations"]) == (3, 1, 1)
    assert (written["audit"], written["events"], written["guest inquiries"]) == (1, 1, 0)


async def test_a_lead_converts_on_either_database(
    any_db: Database, inquiry_settings: Settings
) -> None:
    async with any_db.transaction() as session:
        desk = await make_desk(session, inquiry_settings)
    async with graphql_client(inquiry_settings, any_db) as api:
        inquiry_id = await guest_inquiry(api, desk)
        quote_id = await quoted(api, desk, inquiry_id)
        converted = await convert_lead(api, desk.sales_token, inquiry_id, key="either")
        assert converted["userErrors"] == []
        assert converted["inquiry"]["client"] == {"id": converted["company"]["id"]}
        async with any_db.transaction() as session:
            finance = await token_for(session, inquiry_settings, Role.FINANCE)
        await api.as_(finance).data(GRANT_CREDIT, {"id": converted["company"]["id"], "v": 1})
        order = (
            await api.as_(desk.sales_token).data(
                CONVERT, {"quote": quote_id, "key": "order", "address": ADDRESS}
            )
        )["convertQuoteToOrder"]
    assert order["userErrors"] == []
    assert order["quote"] == {"status": "CONVERTED"}
