"""Submitting inquiries over HTTP: guests become leads, clients ask for their company."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlmodel import col, func, select

from auth.api_keys import create_api_key
from core.db import Database
from core.settings import Settings
from models.accounts import Role, User
from models.inquiries import Inquiry, InquiryItem, Lead
from models.outbox import OutboxEvent
from tests.builders import make_variant
from tests.graphql_client import GraphQLClient, calling, served
from tests.inquiries.support import SUBMIT, TODAY, Desk, gid, guest, inquiry_input, item


async def _submit(api: GraphQLClient, given: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.data(SUBMIT, {"input": given}))["submitInquiry"]
    return payload


async def _count(db: Database, model: Any) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _events(db: Database) -> list[OutboxEvent]:
    async with db.session() as session:
        statement = select(OutboxEvent).where(col(OutboxEvent.event_type) == "inquiry.created")
        return list(await session.scalars(statement.order_by(col(OutboxEvent.id))))


async def test_a_guest_inquiry_files_a_lead_not_an_account(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    users_before = await _count(db, User)
    # when a guest asks for two items, one with a target price
    given = inquiry_input(
        [
            item(
                desk.product, desk.variant, 250, targetPrice={"amount": "2.40", "currency": "usd"}
            ),
            item(desk.product, desk.other_variant, 100),
        ],
        guest=guest(email="  Ayse@Demir.Example "),
    )
    payload = await _submit(api, given)

    # then it is accepted with a reference, and the guest cannot read it back
    assert payload["userErrors"] == []
    assert payload["reference"].startswith("INQ-")
    assert payload["inquiry"] is None
    # and a lead holds the guest's details under the normalised email; no user was made
    async with db.session() as session:
        [lead] = list(await session.scalars(select(Lead)))
        [inquiry] = list(await session.scalars(select(Inquiry)))
        items = list(await session.scalars(select(InquiryItem).order_by(col(InquiryItem.position))))
    assert (lead.email, lead.company_name, lead.contact_name, lead.country) == (
        "ayse@demir.example",
        "Demir Tekstil",
        "Ayşe Demir",
        "TR",
    )
    assert await _count(db, User) == users_before
    assert (inquiry.lead_id, inquiry.client_company_id) == (lead.id, None)
    assert (inquiry.status, inquiry.incoterm, inquiry.named_place) == ("new", "FOB", "Nhava Sheva")
    assert [(i.variant_id, i.quantity, i.target_currency) for i in items] == [
        (desk.variant.id, 250, "USD"),
        (desk.other_variant.id, 100, None),
    ]
    # and inquiry.created carries exactly the published payload
    [event] = await _events(db)
    assert event.payload == {
        "inquiry_id": gid("Inquiry", inquiry.id),
        "reference": payload["reference"],
        "source": "lead",
        "client_company_id": None,
        "incoterm": "FOB",
        "item_count": 2,
    }


async def test_a_guest_asking_again_is_the_same_lead_with_the_latest_details(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    first = inquiry_input([item(desk.product)], guest=guest(email="li@wei.example"))
    again = inquiry_input(
        [item(desk.product)],
        guest=guest(email="LI@wei.example", companyName="Wei Trading Ltd", country="cn"),
    )
    assert (await _submit(api, first))["userErrors"] == []
    assert (await _submit(api, again))["userErrors"] == []

    async with db.session() as session:
        [lead] = list(await session.scalars(select(Lead)))
        lead_ids = set(await session.scalars(select(Inquiry.lead_id)))
    assert (lead.email, lead.company_name, lead.country) == (
        "li@wei.example",
        "Wei Trading Ltd",
        "CN",
    )
    assert lead_ids == {lead.id}


async def test_a_client_user_asks_for_its_own_company(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    given = inquiry_input([item(desk.product, desk.variant, 500)], incoterm="FOB")
    payload = await _submit(api.as_(desk.client_token), given)

    assert payload["userErrors"] == []
    inquiry = payload["inquiry"]
    assert inquiry["fromGuest"] is False
    assert inquiry["client"] == {"name": "Hanse Textil GmbH"}
    assert inquiry["status"] == "NEW"
    assert inquiry["incoterm"] == "FOB"
    assert inquiry["requiredBy"] == (TODAY + timedelta(days=60)).isoformat()
    assert inquiry["items"] == [
        {
            "quantity": 500,
            "product": {"name": "Organic twill"},
            "variant": {"sku": desk.variant.sku},
            "targetPrice": None,
        }
    ]
    assert await _count(db, Lead) == 0
    [event] = await _events(db)
    assert event.payload["source"] == "client"
    assert event.payload["client_company_id"] == gid("ClientCompany", desk.company.id)


async def test_catalog_rules_name_the_item_at_fault_and_nothing_is_written(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    given = inquiry_input(
        [
            item(desk.inactive),
            item(desk.product, desk.variant, 99),
            {**item(desk.product, desk.other_variant), "productId": gid("Product", 999_999)},
        ],
        guest=guest(),
    )
    payload = await _submit(api, given)
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "items", "0", "productId"], "NOT_FOUND"),
        (["input", "items", "1", "quantity"], "BELOW_MOQ"),
        (["input", "items", "2", "productId"], "NOT_FOUND"),
    ]
    assert "minimum order quantity of Organic twill: 100" in payload["userErrors"][1]["message"]
    assert payload["reference"] is None
    assert await _count(db, Inquiry) == 0
    assert await _count(db, Lead) == 0
    assert await _events(db) == []


async def test_a_variant_must_belong_to_the_product(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    async with db.transaction() as session:
        foreign = await make_variant(session, product=desk.inactive)
    payload = await _submit(
        api.as_(desk.client_token),
        inquiry_input([item(desk.product, foreign)], requiredBy=str(TODAY - timedelta(days=1))),
    )
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "requiredBy"], "DATE_IN_PAST"),
    ]
    payload = await _submit(
        api.as_(desk.client_token), inquiry_input([item(desk.product, foreign)])
    )
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "items", "0", "variantId"], "VARIANT_NOT_OF_PRODUCT"),
    ]


async def test_who_may_ask_and_in_which_capacity(
    api: GraphQLClient, db: Database, desk: Desk, settings: Settings
) -> None:
    async with db.transaction() as session:
        storefront = (await create_api_key(session, name="shop", role=Role.STOREFRONT)).key
    with_guest = inquiry_input([item(desk.product)], guest=guest())
    without_guest = inquiry_input([item(desk.product)])

    staff = await _submit(api.as_(desk.sales_token), with_guest)
    client_with_guest = await _submit(api.as_(desk.client_token), with_guest)
    guest_without = await _submit(api, without_guest)
    response = await api.http.post(
        "/graphql",
        json={"query": SUBMIT, "variables": {"input": with_guest}},
        headers={"authorization": f"Bearer {storefront}"},
    )

    assert [e["code"] for e in staff["userErrors"]] == ["SUBMITTER_NOT_ALLOWED"]
    assert [(e["field"], e["code"]) for e in client_with_guest["userErrors"]] == [
        (["input", "guest"], "GUEST_DETAILS_NOT_ALLOWED")
    ]
    assert [(e["field"], e["code"]) for e in guest_without["userErrors"]] == [
        (["input", "guest"], "GUEST_DETAILS_REQUIRED")
    ]
    # a storefront key asks as a guest would
    assert response.json()["data"]["submitInquiry"]["userErrors"] == []
    assert await _count(db, Inquiry) == 1


async def test_guests_are_throttled_per_network_but_clients_are_not(
    db: Database, desk: Desk, settings: Settings
) -> None:
    throttled = settings.model_copy(
        update={"inquiry_guest_max_per_hour": 2, "redis_prefix": f"tq:test:{uuid.uuid4().hex}:"}
    )
    given = {"input": inquiry_input([item(desk.product)], guest=guest())}
    async with (
        served(throttled, db) as app,
        calling(app, "203.0.113.7") as office,
        calling(app, "198.51.100.9") as elsewhere,
    ):
        # an invalid form does not count against the network
        invalid = {"input": inquiry_input([item(desk.product, quantity=1)], guest=guest())}
        await office.data(SUBMIT, invalid)
        answers = [(await office.data(SUBMIT, given))["submitInquiry"] for _ in range(3)]
        other_network = (await elsewhere.data(SUBMIT, given))["submitInquiry"]
        client = office.as_(desk.client_token)
        client_answer = (await client.data(SUBMIT, {"input": inquiry_input([item(desk.product)])}))[
            "submitInquiry"
        ]

    assert [a["userErrors"] for a in answers[:2]] == [[], []]
    refused = answers[2]
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(None, "TOO_MANY_REQUESTS")]
    assert 0 < refused["retryAfterSeconds"] <= 3_600 * 2
    assert refused["reference"] is None
    assert other_network["userErrors"] == []
    assert client_answer["userErrors"] == []
    assert await _count(db, Inquiry) == 4
