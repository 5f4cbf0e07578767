"""Who a buyer's mail goes to, on PostgreSQL and on the embedded SQLite default alike: the
company's contacts with an email who receive the topic, once per address, in its language;
for a guest, the lead, in English."""

from __future__ import annotations

from core.db import Database
from jobs.mail.buyer_mail import Recipient, recipients
from jobs.mail.mail_values import BuyerMail
from models.clients import ClientContact, MailTopic
from models.inquiries import Lead
from tests.callers import make_client_company


async def test_contacts_receiving_the_topic_once_per_address_in_the_company_language(
    any_db: Database,
) -> None:
    async with any_db.transaction() as session:
        company = await make_client_company(session, preferred_language="de")
        other = await make_client_company(session, name="Other Company SA")
        assert company.id is not None
        assert other.id is not None
        session.add_all(
            [
                ClientContact(company_id=company.id, name="Jana", email="jana@hanse.example"),
                ClientContact(company_id=company.id, name="Einkauf", email="Jana@Hanse.example"),
                ClientContact(
                    company_id=company.id,
                    name="Lars",
                    email="lars@hanse.example",
                    mails_invoices=False,
                ),
                ClientContact(company_id=company.id, name="Lager", email=""),
                ClientContact(company_id=other.id, name="Other", email="buyer@other.example"),
            ]
        )
        await session.flush()
        mail = BuyerMail("order_confirmed", {}, company_id=company.id)
        invoices = await recipients(session, mail, MailTopic.INVOICES)
        orders = await recipients(session, mail, MailTopic.ORDERS)
    assert invoices == [Recipient("jana@hanse.example", "Jana", "de")]
    assert orders == [
        Recipient("jana@hanse.example", "Jana", "de"),
        Recipient("lars@hanse.example", "Lars", "de"),
    ]


async def test_a_guest_is_mailed_at_the_lead_email_in_english(any_db: Database) -> None:
    lead = Lead(email="ayse@demir.example", company_name="Demir Tekstil", country="TR")
    async with any_db.session() as session:
        found = await recipients(
            session, BuyerMail("quote_sent_guest", {}, lead=lead), MailTopic.QUOTES
        )
    assert found == [Recipient("ayse@demir.example", "Demir Tekstil", "en")]
