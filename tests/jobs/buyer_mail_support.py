"""What the buyer-mail tests share: a sales desk whose client has contacts subscribed to
different mails (and one without an email, one listed twice), the worker run until nothing is
due, and the mails a real SMTP server received, by recipient."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.clients import MAIL_TOPIC_COLUMNS, ClientContact
from models.outbox import EventState, OutboxEvent
from tests.accounts.mail_support import run_worker_once
from tests.graphql_client import GraphQLClient
from tests.inquiries.support import (
    ADDRESS,
    CONVERT,
    QUOTE,
    SUBMIT,
    Desk,
    inquiry_input,
    item,
    make_desk,
    quote_input,
)
from tests.smtp_mailbox import Mailbox
from tests.user_builders import make_user, session_for

APP_URL = "https://shop.anatolia.example"
# What the goods cost the seller: it must never reach a buyer's mail.
COST = Decimal("1.7319")
EVERYTHING = "jana@hanse.example"
QUOTES_ONLY = "lars@hanse.example"
INVOICES_ONLY = "finn@hanse.example"
OTHER_COMPANY = "buyer@other.example"
CONFIRM = "mutation($id: ID!) { confirmOrder(id: $id) { userErrors { code } } }"
SHIP = "mutation($id: ID!) { shipOrder(id: $id) { userErrors { code } } }"
DELIVER = "mutation($id: ID!) { deliverOrder(id: $id) { userErrors { code } } }"
PAY = """mutation($id: ID!, $amount: Decimal!, $at: DateTime!) { recordPayment(orderId: $id,
  amount: $amount, reference: "DEUTDEFF-0042", receivedAt: $at) { userErrors { code } } }"""


@dataclass
class BuyerDesk:
    desk: Desk
    finance_token: str


async def make_buyer_desk(database: Database, settings: Settings, language: str) -> BuyerDesk:
    """The desk's client mailed in `language`, with its contacts, and another company's."""
    async with database.transaction() as session:
        desk = await make_desk(session, settings)
        desk.company.preferred_language = language
        desk.variant.cost_price, desk.variant.cost_currency = COST, "EUR"
        company, other = desk.company.id, desk.other_company.id
        assert company is not None
        assert other is not None
        session.add_all(
            [
                ClientContact(company_id=company, name="Jana Weber", email=EVERYTHING),
                # the same address again (as an old record may spell it): mailed once
                ClientContact(company_id=company, name="Einkauf", email="JANA@hanse.example"),
                _subscribed(
                    ClientContact(company_id=company, name="Lars", email=QUOTES_ONLY), "quotes"
                ),
                _subscribed(
                    ClientContact(company_id=company, name="Finn", email=INVOICES_ONLY), "invoices"
                ),
                ClientContact(company_id=company, name="Warehouse", email=""),
                ClientContact(company_id=other, name="Other Buyer", email=OTHER_COMPANY),
            ]
        )
        finance = await make_user(session, Role.FINANCE)
        finance_token = (await session_for(session, finance, settings)).access_token
    return BuyerDesk(desk=desk, finance_token=finance_token)


def _subscribed(contact: ClientContact, only: str) -> ClientContact:
    """The contact receiving the mails of one topic only."""
    for topic, column in MAIL_TOPIC_COLUMNS.items():
        setattr(contact, column, topic == only)
    return contact


async def quoted(api: GraphQLClient, desk: Desk, notes: str = "", **terms: Any) -> tuple[str, str]:
    """The client's inquiry for 500 of the desk's variant, quoted at 2.50 EUR (under `terms`,
    more fields of the quote's input): (inquiry id, quote id)."""
    given = inquiry_input([item(desk.product, desk.variant, 500)])
    submitted = (await api.as_(desk.client_token).data(SUBMIT, {"input": given}))["submitInquiry"]
    assert submitted["userErrors"] == []
    inquiry_id: str = submitted["inquiry"]["id"]
    quote = await quote_inquiry(api, desk, inquiry_id, notes, **terms)
    return inquiry_id, quote


async def quote_inquiry(
    api: GraphQLClient, desk: Desk, inquiry_id: str, notes: str = "", **terms: Any
) -> str:
    given = quote_input([(desk.variant, 500, "2.50")], notes=notes, **terms)
    payload = (await api.as_(desk.sales_token).data(QUOTE, {"id": inquiry_id, "input": given}))[
        "quoteInquiry"
    ]
    assert payload["userErrors"] == [], payload
    quote_id: str = payload["quote"]["id"]
    return quote_id


async def confirmed_order(api: GraphQLClient, desk: Desk) -> str:
    """A quote accepted by the client and confirmed by sales: the order's id."""
    _inquiry, quote = await quoted(api, desk)
    variables = {"quote": quote, "key": "accept-1", "address": ADDRESS}
    converted = (await api.as_(desk.client_token).data(CONVERT, variables))["convertQuoteToOrder"]
    assert converted["userErrors"] == [], converted
    order_id: str = converted["order"]["id"]
    await staff(api, desk.sales_token, CONFIRM, {"id": order_id})
    return order_id


async def staff(api: GraphQLClient, token: str, mutation: str, variables: dict[str, Any]) -> None:
    payload = await api.as_(token).data(mutation, variables)
    [result] = payload.values()
    assert result["userErrors"] == [], result


async def work(settings: Settings, database: Database) -> None:
    """Worker passes until no event is due now (scheduled notices days away wait)."""
    async with asyncio.timeout(30):
        while await _due(database):
            await run_worker_once(settings, database)


async def _due(database: Database) -> int:
    async with database.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.state) == EventState.PENDING)
            .where(col(OutboxEvent.available_at) <= datetime.now(UTC))
        )
    return int(count or 0)


def received(box: Mailbox) -> dict[str, list[EmailMessage]]:
    """Each recipient's mails, oldest first."""
    found: dict[str, list[EmailMessage]] = {}
    for index, envelope in enumerate(box.envelopes):
        [to] = envelope.rcpt_tos
        found.setdefault(to, []).append(box.message(index))
    return found


def subjects(box: Mailbox, to: str) -> list[str]:
    return [str(message["Subject"]) for message in received(box).get(to, [])]


def text_of(message: EmailMessage) -> str:
    """The plain-text part, with the line ends as written (SMTP carries CRLF)."""
    body = message.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()
    return content.replace("\r\n", "\n")


def html_of(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    content: str = body.get_content()
    return content


def mail_to(box: Mailbox, to: str, subject_start: str) -> EmailMessage:
    """The one mail to `to` whose subject starts so."""
    [found] = [m for m in received(box).get(to, []) if str(m["Subject"]).startswith(subject_start)]
    return found
