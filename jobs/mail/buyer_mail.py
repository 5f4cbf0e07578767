"""Telling the buyer by mail: one handler for the events a client company hears about.

Quote sent and expiring, order confirmed, shipment departed and ETA changed, order
delivered, payment received, invoice overdue. The handler sends nothing itself: in one
transaction it records its effect, reads the rows the event names and enqueues one
`mail.send` per recipient, so each mail is enqueued exactly once however often the event is
delivered, and a mail resent after a crash keeps its Message-ID (jobs/mail/send.py). An
event is written only when its change commits, so nothing is mailed for one rolled back.

Recipients are the company's contacts with an email who receive the event's `MailTopic`,
once per address (compared case-insensitively), in the company's preferred language. A
guest's quote goes to the lead's email, in English. A notice about a state that may have
ended meanwhile (a quote expiring, an invoice overdue) is dropped when it no longer holds;
facts (a quote sent, an order confirmed, a shipment departed...) are always told.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import event_types
from core.event_types import MAIL_SEND
from core.outbox import claim_effect, emit
from core.settings import Settings
from jobs.context import JobContext
from jobs.mail import order_mails, quote_mails, shipment_mails
from jobs.mail.deal_terms import deal_values
from jobs.mail.mail_values import BuyerMail
from jobs.mail.rendering import ENGLISH
from jobs.registry import HandlerRegistry
from models.clients import MAIL_TOPIC_COLUMNS, ClientCompany, ClientContact, MailTopic
from models.outbox import OutboxEvent

MAIL_BUYER = "buyer.mail"

Compose = Callable[[AsyncSession, Mapping[str, Any], Settings], Awaitable[BuyerMail | None]]

# Each event a buyer is mailed about: the topic a contact subscribes to, and its mail.
BUYER_MAILS: dict[str, tuple[MailTopic, Compose]] = {
    event_types.QUOTE_SENT: (MailTopic.QUOTES, quote_mails.quote_sent),
    event_types.QUOTE_EXPIRING: (MailTopic.QUOTES, quote_mails.quote_expiring),
    event_types.ORDER_CONFIRMED: (MailTopic.ORDERS, order_mails.order_confirmed),
    event_types.SHIPMENT_DEPARTED: (MailTopic.SHIPMENTS, shipment_mails.shipment_departed),
    event_types.SHIPMENT_ETA_CHANGED: (MailTopic.SHIPMENTS, shipment_mails.eta_changed),
    event_types.ORDER_DELIVERED: (MailTopic.SHIPMENTS, order_mails.order_delivered),
    event_types.ORDER_PAYMENT_RECORDED: (MailTopic.INVOICES, order_mails.payment_received),
    event_types.INVOICE_OVERDUE: (MailTopic.INVOICES, order_mails.invoice_overdue),
}


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str


def register(registry: HandlerRegistry) -> None:
    registry.register(MAIL_BUYER, list(BUYER_MAILS))(mail_buyer)


async def mail_buyer(event: OutboxEvent, context: JobContext) -> None:
    assert event.id is not None
    topic, compose = BUYER_MAILS[event.event_type]
    async with context.database.transaction() as session:
        if not await claim_effect(session, event.id, MAIL_BUYER):
            return
        mail = await compose(session, event.payload, context.settings)
        if mail is None:
            return
        for recipient in await recipients(session, mail, topic):
            await emit(
                session,
                MAIL_SEND,
                {
                    "to": recipient.email,
                    "template": mail.template,
                    "context": {
                        **mail.values,
                        **(deal_values(mail.deal, recipient.language) if mail.deal else {}),
                        "contact_name": recipient.name,
                    },
                    "language": recipient.language,
                },
            )


async def recipients(session: AsyncSession, mail: BuyerMail, topic: MailTopic) -> list[Recipient]:
    """Who receives `mail`: the lead, or the company's contacts subscribed to `topic`."""
    if mail.lead is not None:
        lead = mail.lead
        return [Recipient(lead.email, lead.contact_name or lead.company_name, ENGLISH)]
    company = await session.get(ClientCompany, mail.company_id)
    if company is None:
        return []
    subscribed = col(getattr(ClientContact, MAIL_TOPIC_COLUMNS[topic]))
    contacts = await session.scalars(
        select(ClientContact)
        .where(
            col(ClientContact.company_id) == company.id,
            col(ClientContact.email) != "",
            subscribed.is_(True),
        )
        .order_by(col(ClientContact.id))
    )
    found: dict[str, Recipient] = {}
    for contact in contacts:
        address = contact.email.strip()
        found.setdefault(
            address.casefold(),
            Recipient(address, contact.name or company.name, company.preferred_language),
        )
    return list(found.values())
