"""The buyer is told by mail: each event reaches the client's contacts who receive its topic,
once per address, in the company's language (English where no template exists), through the
real worker and a real SMTP server; never twice for a redelivered event, never for a change
that rolled back, and never with what a buyer must not see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from core import event_types
from core.db import Database
from core.event_types import MAIL_SEND
from core.global_id import decode_typed_id, encode_global_id
from core.outbox import emit, utcnow
from core.settings import Settings
from models.inquiries import inquiry_reference
from models.ledger import Receivable
from models.orders import Order, order_number
from models.outbox import OutboxEvent
from resolvers.ledger.overdue_notice import overdue_payload
from tests.graphql_client import graphql_client
from tests.inquiries.support import SUBMIT, guest, inquiry_input, item
from tests.jobs.buyer_mail_support import (
    APP_URL,
    COST,
    DELIVER,
    EVERYTHING,
    INVOICES_ONLY,
    OTHER_COMPANY,
    PAY,
    QUOTES_ONLY,
    SHIP,
    confirmed_order,
    html_of,
    mail_to,
    make_buyer_desk,
    quote_inquiry,
    quoted,
    received,
    staff,
    subjects,
    text_of,
    work,
)
from tests.ledger.books import make_order
from tests.outbox_support import bring_due, events_of
from tests.smtp_mailbox import Mailbox, smtp_settings

ORDER_LINES = "query($id: ID!) { node(id: $id) { ... on Order { lines { id } } } }"
BOOK = """mutation($order: ID!, $input: ShipmentInput!) {
  createShipment(orderId: $order, input: $input) { shipment { id } userErrors { code } } }"""
DEPART = """mutation($id: ID!) {
  departShipment(id: $id) { userErrors { code message } } }"""
DELAY = """mutation($id: ID!, $input: ShipmentLegUpdateInput!) {
  updateShipmentLeg(shipmentId: $id, sequence: 1, input: $input) { userErrors { code } } }"""
PART_SHIPMENT = {
    "reference": "MAEU-2611-0042",
    "legs": [
        {
            "carrier": "Maersk",
            "mode": "SEA",
            "origin": "Izmir, TR",
            "destination": "Hamburg, DE",
            "transportDocumentNumber": "MAEU123456789",
            "containerNumber": "MSKU1234565",
            "vesselOrFlight": "Maersk Kendal",
            "etd": "2026-12-02T06:30:00+00:00",
            "eta": "2026-12-28T12:00:00+00:00",
        }
    ],
}
# The quote's own terms of trade, against an inquiry for FOB Nhava Sheva: the mail states them.
CIF_HAMBURG = {
    "incoterm": "CIF",
    "namedPlace": "Hamburg",
    "paymentTerms": {"advancePercent": 30, "balanceDueOn": "BILL_OF_LADING", "netDays": 60},
    "charges": [
        {"kind": "FREIGHT", "amount": "310.00"},
        {"kind": "INSURANCE", "amount": "12.50"},
        {"kind": "OTHER", "amount": "40.00", "description": "Legalisation"},
    ],
}


@pytest.fixture
def mail_settings(committed_settings: Settings, mailbox: tuple[Mailbox, int]) -> Settings:
    _box, port = mailbox
    settings = committed_settings.model_copy(
        update={
            "public_app_url": APP_URL,
            "inquiry_guest_max_per_hour": 10_000,
            "outbox_backoff_base_seconds": 0.01,
            "outbox_backoff_max_seconds": 0.05,
        }
    )
    return smtp_settings(settings, port)


@pytest.fixture
def box(mailbox: tuple[Mailbox, int]) -> Mailbox:
    return mailbox[0]


def _pk(global_id: str, type_name: str) -> int:
    return decode_typed_id(global_id, type_name, argument="id")


async def test_a_quote_reaches_each_subscribed_contact_once_in_the_company_language(
    committed_db: Database, mail_settings: Settings, box: Mailbox
) -> None:
    # given a client mailed in German, with contacts for every mail, for quotes only, for
    # invoices only, one address listed twice and one contact without an email
    buyer = await make_buyer_desk(committed_db, mail_settings, "de")
    desk = buyer.desk
    # when sales quotes the client's inquiry and the worker runs
    async with graphql_client(mail_settings, committed_db) as api:
        inquiry_id, quote_id = await quoted(api, desk, notes="Delivery in two lots.", **CIF_HAMBURG)
    await work(mail_settings, committed_db)

    # then each contact receiving quotes got it once, in German
    reference = inquiry_reference(_pk(inquiry_id, "Inquiry"))
    subject = f"Angebot {reference} (Revision 1)"
    assert subjects(box, EVERYTHING) == [subject]
    assert subjects(box, QUOTES_ONLY) == [subject]
    assert [to for to in received(box) if to.casefold() == EVERYTHING] == [EVERYTHING]
    # and nobody else: not the contact who only takes invoices, nor another company
    assert INVOICES_ONLY not in received(box)
    assert OTHER_COMPANY not in received(box)
    mail = mail_to(box, EVERYTHING, "Angebot")
    text = text_of(mail)
    assert text.startswith("Guten Tag Jana Weber,")
    assert f"- {desk.variant.sku} Organic twill: 500 x 2.50 EUR = 1,250.00 EUR" in text
    assert (
        "\n\nWarenwert: 1,250.00 EUR\nFracht: 310.00 EUR\nVersicherung: 12.50 EUR\n"
        "Legalisation: 40.00 EUR\n\nGesamtbetrag: 1,612.50 EUR"
    ) in text
    assert "Lieferbedingung: CIF Hamburg (Incoterms 2020)" in text
    assert (
        "Zahlungsbedingungen: 30 % Vorauszahlung, Restbetrag zahlbar 60 Tage nach dem Datum "
        "des Konnossements"
    ) in text
    assert "Anmerkungen: Delivery in two lots." in text
    link = f"{APP_URL}/account/quotes/{quote_id}"
    assert link in text
    assert f'<a href="{link}">' in html_of(mail)
    assert mail["Message-ID"]

    # when the quote.sent event is delivered again
    mails_before = len(await events_of(committed_db, MAIL_SEND))
    async with committed_db.transaction() as session:
        await session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.event_type) == event_types.QUOTE_SENT)
            .values(state="pending", available_at=utcnow(), processed_at=None)
        )
    await work(mail_settings, committed_db)
    # then no mail is enqueued or sent again
    assert len(await events_of(committed_db, MAIL_SEND)) == mails_before
    assert subjects(box, EVERYTHING) == [subject]


async def test_an_order_is_told_in_english_where_the_language_has_no_templates(
    committed_db: Database, mail_settings: Settings, box: Mailbox
) -> None:
    # given a client that prefers Turkish, for which no template exists
    buyer = await make_buyer_desk(committed_db, mail_settings, "tr")
    desk = buyer.desk
    async with graphql_client(mail_settings, committed_db) as api:
        # when its order is confirmed, partly paid, shipped and delivered
        order_id = await confirmed_order(api, desk)
        await work(mail_settings, committed_db)
        paid = {"id": order_id, "amount": "500.00", "at": datetime.now(UTC).isoformat()}
        await staff(api, buyer.finance_token, PAY, paid)
        await staff(api, desk.sales_token, SHIP, {"id": order_id})
        await staff(api, desk.sales_token, DELIVER, {"id": order_id})
    await work(mail_settings, committed_db)

    # then the contact receiving everything is told each step, in English
    number = order_number(_pk(order_id, "Order"))
    assert sorted(s for s in subjects(box, EVERYTHING) if not s.startswith("Quotation")) == [
        f"Order {number} confirmed",
        f"Order {number} delivered",
        f"Payment received for order {number}",
    ]
    confirmed = text_of(mail_to(box, EVERYTHING, f"Order {number} confirmed"))
    assert confirmed.startswith("Dear Jana Weber,")
    assert f"- {desk.variant.sku} Organic twill: 500 x 2.50 EUR = 1,250.00 EUR" in confirmed
    assert "Total: 1,250.00 EUR" in confirmed
    # no charges on this order: no rows of them; its terms are the company's, as quoted
    assert "Goods:" not in confirmed
    assert "Payment: 30% in advance, the balance 60 days after the invoice date" in confirmed
    assert f"{APP_URL}/account/orders/{order_id}" in confirmed
    # and the contact taking invoices only hears of the payment, with what remains
    assert subjects(box, INVOICES_ONLY) == [f"Payment received for order {number}"]
    receipt = text_of(mail_to(box, INVOICES_ONLY, "Payment received"))
    assert "we received 500.00 EUR for order" in receipt
    assert "Paid so far: 500.00 EUR" in receipt
    assert "Remaining: 750.00 EUR" in receipt
    # and the contact taking quotes only hears of none of it
    assert all(s.startswith("Quotation") for s in subjects(box, QUOTES_ONLY))
    delivered = text_of(mail_to(box, EVERYTHING, f"Order {number} delivered"))
    assert f"- {desk.variant.sku} Organic twill: 500\n" in delivered

    # when the receivable is still owed the day after its due date
    [notice] = await events_of(committed_db, event_types.INVOICE_OVERDUE_DUE)
    assert notice.idempotency_key is not None
    await bring_due(committed_db, notice.idempotency_key, utcnow())
    await work(mail_settings, committed_db)
    # then the contacts taking invoices are reminded of the balance and due date
    async with committed_db.session() as session:
        receivable = await session.scalar(
            select(Receivable).where(col(Receivable.order_id) == _pk(order_id, "Order"))
        )
    assert receivable is not None
    assert receivable.due_date is not None
    overdue = text_of(mail_to(box, INVOICES_ONLY, f"Payment overdue for order {number}"))
    assert f"was due on {receivable.due_date.isoformat()}, and 750.00 EUR is still open" in overdue
    assert subjects(box, EVERYTHING)[-1] == f"Payment overdue for order {number}"

    # and no mail shows the seller's cost, or names another company or its contact
    for messages in received(box).values():
        for message in messages:
            body = text_of(message) + html_of(message)
            assert f"{COST}" not in body
            assert "1.73" not in body
            assert "Other Company" not in body
            assert OTHER_COMPANY not in body
    assert OTHER_COMPANY not in received(box)


async def test_a_departed_shipment_and_a_new_eta_are_told_to_shipment_contacts(
    committed_db: Database, mail_settings: Settings, box: Mailbox
) -> None:
    buyer = await make_buyer_desk(committed_db, mail_settings, "de")
    desk = buyer.desk
    async with graphql_client(mail_settings, committed_db) as api:
        sales = api.as_(desk.sales_token)
        order_id = await confirmed_order(api, desk)
        order = await sales.data(ORDER_LINES, {"id": order_id})
        [line] = order["node"]["lines"]
        # a shipment of 200 of the 500 ordered, booked, then departed, then delayed
        booked = await sales.data(
            BOOK, {"order": order_id, "input": {**PART_SHIPMENT, "lines": [
                {"orderLineId": line["id"], "quantity": 200}]}},
        )  # fmt: skip
        assert booked["createShipment"]["userErrors"] == []
        shipment_id = booked["createShipment"]["shipment"]["id"]
        await work(mail_settings, committed_db)
        before = len(box.envelopes)
        departed = await sales.data(DEPART, {"id": shipment_id})
        assert departed["departShipment"]["userErrors"] == []
        delayed = await sales.data(
            DELAY, {"id": shipment_id, "input": {"eta": "2027-01-03T08:00:00+00:00"}}
        )
        assert delayed["updateShipmentLeg"]["userErrors"] == []
        # and at last its arrival is no longer known
        unknown = await sales.data(DELAY, {"id": shipment_id, "input": {"clearEta": True}})
        assert unknown["updateShipmentLeg"]["userErrors"] == []
    await work(mail_settings, committed_db)

    # then the contact receiving shipment mails gets all three, in German, and no one else does
    number = order_number(_pk(order_id, "Order"))
    new = received(box)
    assert len(box.envelopes) - before == 3
    told = text_of(mail_to(box, EVERYTHING, f"Auftrag {number}: Sendung MAEU-2611-0042"))
    assert f"- {desk.variant.sku} Organic twill: 200\n" in told
    for shown in (
        "Spediteur: Maersk",
        "Konnossement / Frachtbrief: MAEU123456789",
        "Container: MSKU1234565",
        "Schiff oder Flug: Maersk Kendal",
        "ETD: 2026-12-02 06:30 UTC",
        "ETA: 2026-12-28 12:00 UTC",
    ):
        assert shown in told
    changed = text_of(mail_to(box, EVERYTHING, f"Auftrag {number}: neue ETA 2027"))
    assert "ETA bisher: 2026-12-28 12:00 UTC" in changed
    assert "ETA neu: 2027-01-03 08:00 UTC" in changed
    cleared = text_of(mail_to(box, EVERYTHING, f"Auftrag {number}: neue ETA -"))
    assert "ETA bisher: 2027-01-03 08:00 UTC" in cleared
    assert "ETA neu: -" in cleared
    assert not any("Sendung" in s or "ETA" in s for s in subjects(box, QUOTES_ONLY))
    assert not any("Sendung" in s or "ETA" in s for s in subjects(box, INVOICES_ONLY))
    assert OTHER_COMPANY not in new


async def test_a_guest_receives_its_quote_at_the_lead_email_with_how_to_see_it(
    committed_db: Database, mail_settings: Settings, box: Mailbox
) -> None:
    buyer = await make_buyer_desk(committed_db, mail_settings, "de")
    desk = buyer.desk
    # given a guest's inquiry, quoted by sales
    async with graphql_client(mail_settings, committed_db) as api:
        given = inquiry_input([item(desk.product, desk.variant, 500)], guest=guest())
        assert (await api.data(SUBMIT, {"input": given}))["submitInquiry"]["userErrors"] == []
        listing = await api.as_(desk.sales_token).data("{ inquiries { nodes { id } } }")
        inquiry_id = listing["inquiries"]["nodes"][0]["id"]
        quote_id = await quote_inquiry(api, desk, inquiry_id)
    await work(mail_settings, committed_db)
    # when the quote comes within its expiry notice
    [expiry] = await events_of(committed_db, event_types.QUOTE_EXPIRY_DUE)
    assert expiry.idempotency_key is not None
    await bring_due(committed_db, expiry.idempotency_key, utcnow())
    await work(mail_settings, committed_db)

    # then the guest got the quote and the reminder in English, with the link to the quote
    reference = inquiry_reference(_pk(inquiry_id, "Inquiry"))
    valid_until = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    assert [s for s in subjects(box, "ayse@demir.example") if s.startswith("Quotation")] == [
        f"Quotation {reference} (revision 1)",
        f"Quotation {reference} expires on {valid_until}",
    ]
    sent = text_of(mail_to(box, "ayse@demir.example", f"Quotation {reference} (revision 1)"))
    assert sent.startswith("Dear Ayşe Demir,")
    assert "you will receive an invitation by separate mail" in sent
    assert f"{APP_URL}/account/quotes/{quote_id}" in sent
    assert "Total: 1,250.00 EUR" in sent
    # and the client company's contacts heard nothing of another's inquiry
    assert EVERYTHING not in received(box)
    assert QUOTES_ONLY not in received(box)


async def test_a_notice_whose_state_ended_meanwhile_is_not_mailed(
    committed_db: Database, mail_settings: Settings, box: Mailbox
) -> None:
    buyer = await make_buyer_desk(committed_db, mail_settings, "en")
    desk = buyer.desk
    # given an order from an accepted quote, paid in full
    async with graphql_client(mail_settings, committed_db) as api:
        order_id = await confirmed_order(api, desk)
        await work(mail_settings, committed_db)
        paid = {"id": order_id, "amount": "1250.00", "at": datetime.now(UTC).isoformat()}
        await staff(api, buyer.finance_token, PAY, paid)
    await work(mail_settings, committed_db)
    sent = len(box.envelopes)
    async with committed_db.session() as session:
        receivable = await session.scalar(
            select(Receivable).where(col(Receivable.order_id) == _pk(order_id, "Order"))
        )
        order = await session.get(Order, _pk(order_id, "Order"))
    assert receivable is not None
    assert receivable.balance == 0
    assert order is not None
    assert order.quote_id is not None
    # when notices that were due before are delivered now: its quote expiring, its invoice
    # overdue
    async with committed_db.transaction() as session:
        await emit(
            session,
            event_types.QUOTE_EXPIRING,
            {"quote_id": encode_global_id("Quote", order.quote_id), "valid_until": "2027-01-01"},
        )
        await emit(session, event_types.INVOICE_OVERDUE, overdue_payload(receivable))
    await work(mail_settings, committed_db)
    # then neither is mailed: the quote was accepted and the invoice settled meanwhile
    assert len(box.envelopes) == sent


async def _confirm_then_fail(database: Database, order: Order, payload: dict[str, str]) -> None:
    """The order confirmed with its event in one transaction that then fails."""
    async with database.transaction() as session:
        await session.execute(
            update(Order).where(col(Order.id) == order.id).values(status="confirmed")
        )
        await emit(session, event_types.ORDER_CONFIRMED, payload)
        raise RuntimeError("the confirmation failed after its event was written")


async def test_nothing_is_mailed_for_a_change_that_rolled_back(
    committed_db: Database, mail_settings: Settings, box: Mailbox
) -> None:
    buyer = await make_buyer_desk(committed_db, mail_settings, "en")
    order = await make_order(committed_db, buyer.desk.company)
    assert order.id is not None
    payload = {
        "order_id": encode_global_id("Order", order.id),
        "number": order_number(order.id),
        "client_company_id": encode_global_id("ClientCompany", order.client_company_id),
        "status": "confirmed",
        "previous_status": "placed",
        "currency": order.currency,
        "total": str(order.total),
    }
    # when an order's confirmation is written with its event, and the transaction fails
    with pytest.raises(RuntimeError):
        await _confirm_then_fail(committed_db, order, payload)
    await work(mail_settings, committed_db)
    # then nothing is mailed, nor enqueued
    assert box.envelopes == []
    assert await events_of(committed_db, MAIL_SEND) == []
    # while the same confirmation committed is mailed
    async with committed_db.transaction() as session:
        await emit(session, event_types.ORDER_CONFIRMED, payload)
    await work(mail_settings, committed_db)
    assert subjects(box, EVERYTHING) == [f"Order {order_number(order.id)} confirmed"]
