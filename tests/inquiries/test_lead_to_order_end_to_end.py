"""A guest's inquiry all the way to an order, as people do it: the guest asks, sales quotes,
sales converts the lead, the guest accepts the mailed invitation, signs in, finds the quote
at its link and accepts it. No second quote, no second company."""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from app.worker_main import build_worker, job_context
from core.db import Database
from core.global_id import decode_typed_id
from core.settings import Settings
from models.accounts import Role
from models.clients import ClientCompany
from models.inquiries import Quote, inquiry_reference
from tests.accounts.builders import LOGIN
from tests.accounts.mail_support import APP_URL, LINK
from tests.callers import token_for
from tests.graphql_client import graphql_client
from tests.inquiries.support import ADDRESS, CONVERT, Desk, make_desk
from tests.inquiries.test_lead_conversion import (
    EMAIL,
    GRANT_CREDIT,
    convert_lead,
    guest_inquiry,
    quoted,
)
from tests.smtp_mailbox import Mailbox, smtp_settings

ACCEPT = """mutation($token: String!) {
  acceptInvitation(token: $token, password: "a long guest passphrase", fullName: "Ayşe Demir")
  { done userErrors { code } } }"""
QUOTE_BY_NODE = """query($id: ID!) { node(id: $id) { ... on Quote { status
  total { amount currency } inquiry { reference client { name } } } } }"""
MY_COMPANY = "{ myCompany { name } }"


@pytest.fixture
def lead_settings(jobs_settings: Settings, mailbox: tuple[Mailbox, int]) -> Settings:
    return smtp_settings(jobs_settings, mailbox[1]).model_copy(
        update={"public_app_url": APP_URL, "inquiry_guest_max_per_hour": 10_000}
    )


@pytest.fixture
async def desk(committed_db: Database, lead_settings: Settings) -> Desk:
    async with committed_db.transaction() as session:
        return await make_desk(session, lead_settings)


async def _work_through_the_outbox(settings: Settings, database: Database) -> None:
    """Run the worker until nothing is left to do (handlers enqueue mails of their own)."""
    async with job_context(settings, database) as context:
        worker = build_worker(settings, database, context)
        for _ in range(10):
            if not await worker.run_once():
                return
    raise AssertionError("the outbox did not drain")


def _invitation_token(box: Mailbox) -> str:
    for index, envelope in enumerate(box.envelopes):
        found = LINK.search(box.text(index))
        if envelope.rcpt_tos == [EMAIL] and found and found.group(1) == "accept-invitation":
            return found.group(2)
    raise AssertionError("no invitation reached the guest")


async def test_a_guest_inquiry_ends_as_the_new_client_s_order(
    committed_db: Database,
    lead_settings: Settings,
    desk: Desk,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, _port = mailbox
    async with graphql_client(lead_settings, committed_db) as api:
        # a guest asks, sales quotes
        inquiry_id = await guest_inquiry(api, desk)
        reference = inquiry_reference(decode_typed_id(inquiry_id, "Inquiry", argument="id"))
        quote_id = await quoted(api, desk, inquiry_id, price="2.40")

        # sales converts the lead; finance grants the new client credit
        converted = await convert_lead(api, desk.sales_token, inquiry_id, key="lead-e2e")
        assert converted["userErrors"] == []
        company_id = converted["company"]["id"]
        async with committed_db.transaction() as session:
            finance = await token_for(session, lead_settings, Role.FINANCE)
        granted = await api.as_(finance).data(GRANT_CREDIT, {"id": company_id, "v": 1})
        assert granted["updateClientCredit"]["userErrors"] == []

        # the guest receives the acknowledgement of the inquiry and the quote, though the
        # worker handled them after the conversion, and the invitation, and accepts it
        await _work_through_the_outbox(lead_settings, committed_db)
        to_guest = [i for i, e in enumerate(box.envelopes) if e.rcpt_tos == [EMAIL]]
        assert len(to_guest) == 3
        assert any(reference in box.text(i) for i in to_guest)
        quote_link = f"{APP_URL}/account/quotes/{quote_id}"
        assert sum(quote_link in box.text(i) for i in to_guest) == 1
        accepted = (await api.data(ACCEPT, {"token": _invitation_token(box)}))["acceptInvitation"]
        assert accepted == {"done": True, "userErrors": []}

        # and signs in, as a user of the new company
        login = await api.data(LOGIN, {"email": EMAIL, "password": "a long guest passphrase"})
        tokens = login["login"]["result"]
        assert tokens["__typename"] == "SessionTokens"
        buyer = api.as_(tokens["accessToken"])
        assert (await buyer.data(MY_COMPANY))["myCompany"] == {"name": "Demir Tekstil"}

        # the quote sent to them as a guest is theirs now, at the link's id
        seen = (await buyer.data(QUOTE_BY_NODE, {"id": quote_id}))["node"]
        assert seen["status"] == "OPEN"
        assert seen["total"] == {"amount": "1200.00", "currency": "EUR"}
        assert seen["inquiry"]["client"] == {"name": "Demir Tekstil"}
        # another company's user sees nothing of it
        hidden = await api.as_(desk.other_client_token).data(QUOTE_BY_NODE, {"id": quote_id})
        assert hidden["node"] is None

        # the buyer accepts it: an order at the quoted prices, without a new quote
        order = (
            await buyer.data(CONVERT, {"quote": quote_id, "key": "accept", "address": ADDRESS})
        )["convertQuoteToOrder"]
    assert order["userErrors"] == []
    assert order["order"]["status"] == "PLACED"
    assert order["order"]["total"] == {"amount": "1200.00"}
    assert order["quote"] == {"status": "CONVERTED"}
    async with committed_db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Quote)) == 1
        companies = await session.scalars(
            select(col(ClientCompany.name)).order_by(col(ClientCompany.id))
        )
        assert list(companies)[-1] == "Demir Tekstil"
