"""After an inquiry: sales and the sender are mailed through the worker, once, and partners
subscribed to `inquiry.created` get a delivery. A real SMTP server receives the mails."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import col, select

from core import webhook_endpoints
from core.db import Database
from core.outbox import utcnow
from core.settings import Settings
from models.accounts import Role, User
from models.outbox import OutboxEvent
from models.webhooks import WebhookDelivery
from tests.accounts.mail_support import run_worker_once
from tests.graphql_client import graphql_client
from tests.inquiries.support import (
    RECORD,
    SUBMIT,
    Desk,
    gid,
    guest,
    inquiry_input,
    item,
    make_desk,
)
from tests.inquiries.test_lead_conversion import convert_lead
from tests.smtp_mailbox import Mailbox, smtp_settings
from tests.user_builders import make_user, session_for


async def _submit(
    settings: Settings, database: Database, given: dict[str, object], token: str | None = None
) -> str:
    async with graphql_client(settings, database) as api:
        payload = (await api.as_(token).data(SUBMIT, {"input": given}))["submitInquiry"]
    assert payload["userErrors"] == []
    reference: str = payload["reference"]
    return reference


async def _work(settings: Settings, database: Database, passes: int = 3) -> None:
    for _ in range(passes):
        await run_worker_once(settings, database)


async def _mail_events(database: Database) -> list[OutboxEvent]:
    async with database.session() as session:
        statement = select(OutboxEvent).where(col(OutboxEvent.event_type) == "mail.send")
        return list(await session.scalars(statement))


async def test_sales_and_the_guest_are_mailed_once_and_partners_get_the_event(
    committed_db: Database, committed_inquiry_settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = smtp_settings(committed_inquiry_settings, port)
    # given two active salespeople, one disabled, an admin, and a partner's endpoint
    async with committed_db.transaction() as session:
        desk: Desk = await make_desk(session, settings)
        await make_user(session, Role.SALES, email="omar@sales.example")
        await make_user(session, Role.SALES, email="gone@sales.example", disabled=True)
        await make_user(session, Role.ADMIN, email="boss@sales.example")
        issued = await webhook_endpoints.add_endpoint(
            session,
            settings=settings,
            url="http://127.0.0.1:9/hooks",
            event_types=["inquiry.created"],
        )
    # when a guest asks, and the worker runs
    given = inquiry_input(
        [item(desk.product, desk.variant, 500, targetPrice={"amount": "2.40", "currency": "EUR"})],
        guest=guest(email="Ayse@Demir.Example"),
    )
    reference = await _submit(settings, committed_db, given)
    await _work(settings, committed_db)

    # then each active salesperson got the inquiry, and the guest an acknowledgement
    received = {tuple(envelope.rcpt_tos): index for index, envelope in enumerate(box.envelopes)}
    assert set(received) == {
        ("selin@sales.example",),
        ("omar@sales.example",),
        ("ayse@demir.example",),
    }
    to_sales = received[("selin@sales.example",)]
    assert box.message(to_sales)["Subject"] == f"New inquiry {reference} from Demir Tekstil"
    text = box.text(to_sales)
    assert "Hello Selin Kaya," in text
    assert "Ayşe Demir <ayse@demir.example>" in text
    assert f"- 500 x Organic twill ({desk.variant.sku}), target 2.4 EUR per unit" in text
    assert "Terms: FOB Nhava Sheva" in text
    acknowledgement = received[("ayse@demir.example",)]
    assert box.message(acknowledgement)["Subject"] == f"We received your inquiry {reference}"
    assert "Dear Ayşe Demir," in box.text(acknowledgement)
    assert "within 2 business days" in box.text(acknowledgement)
    # and the partner's endpoint has a delivery of the event
    async with committed_db.session() as session:
        deliveries = list(
            await session.scalars(
                select(WebhookDelivery).where(
                    col(WebhookDelivery.endpoint_id) == issued.endpoint.id
                )
            )
        )
    assert len(deliveries) == 1

    # when the inquiry.created event is handled again, nothing more is enqueued or sent
    async with committed_db.transaction() as session:
        await session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.event_type) == "inquiry.created")
            .values(state="pending", available_at=utcnow(), processed_at=None)
        )
    await _work(settings, committed_db, passes=2)
    assert len(await _mail_events(committed_db)) == 3
    assert len(box.envelopes) == 3


async def test_without_active_sales_the_admins_are_mailed_and_a_client_is_answered(
    committed_db: Database, committed_inquiry_settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = smtp_settings(committed_inquiry_settings, port)
    async with committed_db.transaction() as session:
        desk = await make_desk(session, settings)
        await session.execute(
            update(User).where(col(User.id) == desk.sales.id).values(disabled_at=datetime.now(UTC))
        )
        await make_user(session, Role.ADMIN, email="boss@sales.example")
        buyer = await make_user(
            session, Role.CLIENT, email="jana@hanse.example", company=desk.company
        )
        buyer.full_name = "Jana Weber"
        token = (await session_for(session, buyer, settings)).access_token
    reference = await _submit(settings, committed_db, inquiry_input([item(desk.product)]), token)
    await _work(settings, committed_db)

    received = {tuple(envelope.rcpt_tos): index for index, envelope in enumerate(box.envelopes)}
    assert set(received) == {("boss@sales.example",), ("jana@hanse.example",)}
    assert "Hanse Textil GmbH (DE), a client" in box.text(received[("boss@sales.example",)])
    assert reference in box.text(received[("jana@hanse.example",)])
    assert "Dear Jana Weber," in box.text(received[("jana@hanse.example",)])


async def test_a_call_recorded_by_sales_is_acknowledged_to_the_buyer_who_called(
    committed_db: Database, committed_inquiry_settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = smtp_settings(committed_inquiry_settings, port)
    async with committed_db.transaction() as session:
        desk = await make_desk(session, settings)
        buyer = await make_user(
            session, Role.CLIENT, email="jana@hanse.example", company=desk.company
        )
        buyer.full_name = "Jana Weber"
    # when sales record Jana's phone call for her company, and the worker runs
    given = inquiry_input(
        [item(desk.product)],
        clientCompanyId=gid("ClientCompany", desk.company.id),
        contactUserId=gid("User", buyer.id),
    )
    async with graphql_client(settings, committed_db) as api:
        recorded = await api.as_(desk.sales_token).data(RECORD, {"input": given})
    assert recorded["recordInquiry"]["userErrors"] == []
    reference = recorded["recordInquiry"]["inquiry"]["reference"]
    await _work(settings, committed_db)

    # then sales read that staff took it, and Jana gets the acknowledgement
    received = {tuple(envelope.rcpt_tos): index for index, envelope in enumerate(box.envelopes)}
    assert set(received) == {("selin@sales.example",), ("jana@hanse.example",)}
    told = box.text(received[("selin@sales.example",)])
    assert "Hanse Textil GmbH (DE), a client, recorded by staff." in told
    assert "Jana Weber <jana@hanse.example>" in told
    acknowledgement = received[("jana@hanse.example",)]
    assert box.message(acknowledgement)["Subject"] == f"We received your inquiry {reference}"
    assert "Dear Jana Weber," in box.text(acknowledgement)


async def test_a_prospect_recorded_by_sales_is_answered_after_the_lead_was_converted(
    committed_db: Database, committed_inquiry_settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = smtp_settings(committed_inquiry_settings, port)
    async with committed_db.transaction() as session:
        desk = await make_desk(session, settings)
    # given a prospect's call, recorded by sales, and its lead made a client at once, before
    # the worker handled the inquiry
    given = inquiry_input([item(desk.product)], guest=guest())
    async with graphql_client(settings, committed_db) as api:
        sales = api.as_(desk.sales_token)
        recorded = (await sales.data(RECORD, {"input": given}))["recordInquiry"]
        assert recorded["userErrors"] == []
        converted = await convert_lead(api, desk.sales_token, recorded["inquiry"]["id"])
        assert converted["userErrors"] == []
    # when the worker runs
    await _work(settings, committed_db)
    # then the prospect is acknowledged at the lead's email, as a guest would be
    received = {tuple(envelope.rcpt_tos): index for index, envelope in enumerate(box.envelopes)}
    assert set(received) == {("selin@sales.example",), ("ayse@demir.example",)}
    told = box.text(received[("selin@sales.example",)])
    assert "Demir Tekstil (TR), a guest, recorded by staff." in told
    reference = recorded["inquiry"]["reference"]
    acknowledgement = received[("ayse@demir.example",)]
    assert box.message(acknowledgement)["Subject"] == f"We received your inquiry {reference}"
