"""Staff record an inquiry a buyer made by phone, by mail or at a fair: for a client company
(and the user who asked) or for a prospect as a lead; checked as a submitted one, sourced
STAFF, the recording salesperson's from the start, audited, announced as any inquiry is; a
refused one writes nothing, and only those who manage inquiries may record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from auth.api_keys import create_api_key
from core import event_types
from core.db import Database
from core.global_id import encode_global_id
from models.accounts import Role
from models.audit import AuditEntry
from models.inquiries import Inquiry, Lead
from tests.graphql_client import GraphQLClient
from tests.inquiries.support import RECORD, Desk, gid, guest, inquiry_input, item
from tests.outbox_support import events_of
from tests.user_builders import make_user


async def _record(
    caller: GraphQLClient, given: dict[str, Any], key: str | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = (await caller.data(RECORD, {"input": given, "key": key}))[
        "recordInquiry"
    ]
    return payload


async def _inquiry_count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Inquiry)) or 0)


async def test_sales_record_a_clients_phone_call_as_their_own_inquiry(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    async with db.transaction() as session:
        buyer = await make_user(session, Role.CLIENT, company=desk.company)
    sales = api.as_(desk.sales_token)
    given = inquiry_input(
        [item(desk.product, desk.variant, 400)],
        clientCompanyId=gid("ClientCompany", desk.company.id),
        contactUserId=gid("User", buyer.id),
        message="Called: 400 m for the spring line.",
    )

    recorded = await _record(sales, given)

    # then the inquiry is the client's, sourced STAFF, and the recorder's to work
    assert recorded["userErrors"] == []
    inquiry = recorded["inquiry"]
    assert (inquiry["status"], inquiry["source"], inquiry["fromGuest"]) == (
        "ASSIGNED",
        "STAFF",
        False,
    )
    assert inquiry["client"] == {"name": "Hanse Textil GmbH"}
    assert inquiry["assignedTo"] == {"email": "selin@sales.example"}
    assert inquiry["items"] == [
        {
            "quantity": 400,
            "product": {"name": "Organic twill"},
            "variant": {"sku": desk.variant.sku},
        }
    ]
    # and the user who asked is its submitter, so the acknowledgement reaches them
    async with db.session() as session:
        row = (await session.scalars(select(Inquiry))).one()
        actions = list(await session.scalars(select(col(AuditEntry.action))))
    assert row.submitted_by_user_id == buyer.id
    assert actions == ["inquiry.record"]
    # and it is announced as any inquiry
    [created] = await events_of(db, event_types.INQUIRY_CREATED)
    assert created.payload["inquiry_id"] == inquiry["id"]
    assert created.payload["source"] == "client"


async def test_a_prospects_call_is_filed_under_a_lead(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    sales = api.as_(desk.sales_token)
    given = inquiry_input([item(desk.product)], guest=guest("  Ayse@Demir.example "))

    recorded = await _record(sales, given)

    assert recorded["userErrors"] == []
    inquiry = recorded["inquiry"]
    assert (inquiry["source"], inquiry["fromGuest"], inquiry["client"]) == ("STAFF", True, None)
    async with db.session() as session:
        lead = (await session.scalars(select(Lead))).one()
    assert (lead.email, lead.company_name) == ("ayse@demir.example", "Demir Tekstil")


async def test_an_api_keys_inquiry_waits_for_a_salesperson(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    async with db.transaction() as session:
        crm = await create_api_key(session, name="CRM", role=Role.SALES)
    given = inquiry_input(
        [item(desk.product)], clientCompanyId=gid("ClientCompany", desk.company.id)
    )

    recorded = await _record(api.as_(crm.key), given)

    assert recorded["userErrors"] == []
    assert (recorded["inquiry"]["status"], recorded["inquiry"]["assignedTo"]) == ("NEW", None)


async def test_a_retry_with_its_key_answers_the_first_inquiry(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    sales = api.as_(desk.sales_token)
    given = inquiry_input(
        [item(desk.product)], clientCompanyId=gid("ClientCompany", desk.company.id)
    )

    first = await _record(sales, given, key="call-2026-12-07-0930")
    again = await _record(sales, given, key="call-2026-12-07-0930")
    changed = await _record(sales, {**given, "namedPlace": "Mundra"}, key="call-2026-12-07-0930")

    assert again["inquiry"]["id"] == first["inquiry"]["id"]
    assert [error["code"] for error in changed["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert await _inquiry_count(db) == 1
    assert len(await events_of(db, event_types.INQUIRY_CREATED)) == 1


async def test_an_inquiry_for_no_one_or_for_the_wrong_people_is_refused_unwritten(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    async with db.transaction() as session:
        elsewhere = await make_user(session, Role.CLIENT, company=desk.other_company)
    sales = api.as_(desk.sales_token)
    company = gid("ClientCompany", desk.company.id)
    items = [item(desk.product)]

    def codes(payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [(".".join(error["field"]), error["code"]) for error in payload["userErrors"]]

    assert codes(await _record(sales, inquiry_input(items))) == [
        ("input.clientCompanyId", "REQUIRED")
    ]
    both = inquiry_input(items, clientCompanyId=company, guest=guest())
    assert codes(await _record(sales, both)) == [("input.guest", "GUEST_DETAILS_NOT_ALLOWED")]
    stray = inquiry_input(items, guest=guest(), contactUserId=gid("User", elsewhere.id))
    assert codes(await _record(sales, stray)) == [("input.contactUserId", "INVALID")]
    unknown = inquiry_input(items, clientCompanyId=gid("ClientCompany", 999_999))
    assert codes(await _record(sales, unknown)) == [("input.clientCompanyId", "NOT_FOUND")]
    not_theirs = inquiry_input(
        items, clientCompanyId=company, contactUserId=gid("User", elsewhere.id)
    )
    assert codes(await _record(sales, not_theirs)) == [("input.contactUserId", "NOT_FOUND")]
    staff_contact = inquiry_input(
        items, clientCompanyId=company, contactUserId=gid("User", desk.sales.id)
    )
    assert codes(await _record(sales, staff_contact)) == [("input.contactUserId", "NOT_FOUND")]
    too_few = inquiry_input([item(desk.product, quantity=0)], clientCompanyId=company)
    assert codes(await _record(sales, too_few)) == [("input.items.0.quantity", "OUT_OF_RANGE")]
    archived = inquiry_input([item(desk.inactive)], clientCompanyId=company)
    assert [code for _, code in codes(await _record(sales, archived))] == ["NOT_FOUND"]

    assert await _inquiry_count(db) == 0
    async with db.session() as session:
        assert list(await session.scalars(select(Lead))) == []
    assert await events_of(db, event_types.INQUIRY_CREATED) == []


async def test_only_those_who_manage_inquiries_may_record_one(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    given = inquiry_input(
        [item(desk.product)], clientCompanyId=gid("ClientCompany", desk.company.id)
    )
    for token in (desk.client_token, desk.support_token, None):
        body = await api.as_(token).post(RECORD, {"input": given})
        assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert await _inquiry_count(db) == 0


async def test_hostile_values_get_a_coded_answer_and_write_nothing(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    sales = api.as_(desk.sales_token)
    company = gid("ClientCompany", desk.company.id)
    items = [item(desk.product)]
    product_id = gid("Product", desk.product.id)
    cases = [
        inquiry_input(items, clientCompanyId="a\x00b"),
        inquiry_input(items, clientCompanyId="\ud800"),
        inquiry_input(items, clientCompanyId=product_id),  # an id of another type
        inquiry_input(items, clientCompanyId=encode_global_id("ClientCompany", 2**63)),
        inquiry_input(items, clientCompanyId=company, contactUserId="\x00"),
        inquiry_input(
            items, clientCompanyId=company, contactUserId=encode_global_id("User", 2**80)
        ),
        inquiry_input(items, clientCompanyId=company, namedPlace="x\x00y", message="\ud83d"),
        inquiry_input([item(desk.product, quantity=2**31)], clientCompanyId=company),
        inquiry_input(
            [item(desk.product, targetPrice={"amount": "1e999999", "currency": "USD"})],
            clientCompanyId=company,
        ),
        inquiry_input(items, guest=guest("a\x00@b.example", companyName="\x00")),
    ]
    for given in cases:
        body = await sales.post(RECORD, {"input": given})
        codes = [error["extensions"]["code"] for error in body.get("errors", [])]
        refused = ((body.get("data") or {}).get("recordInquiry") or {}).get("userErrors", [])
        assert codes or refused, (given, body)
        assert "INTERNAL_ERROR" not in codes, (given, body)
    assert await _inquiry_count(db) == 0
