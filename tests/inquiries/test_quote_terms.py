"""Quotes as sent in trade: incoterm, named place, payment terms and charges, their defaults,
the incoterm's rule on charges, and the order a quote becomes keeping all of them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from core.db import Database
from models.clients import ClientCompany
from models.inquiries import Quote
from models.outbox import OutboxEvent
from tests.graphql_client import GraphQLClient
from tests.inquiries.support import (
    ADDRESS,
    SUBMIT,
    Desk,
    guest,
    inquiry_input,
    item,
    quote_input,
)

TERMS_QUOTE = """mutation($id: ID!, $input: QuoteInput!) {
  quoteInquiry(inquiryId: $id, input: $input) {
    quote { id revision incoterm namedPlace
            paymentTerms { advancePercent balanceDueOn netDays }
            charges { kind amount { amount currency } description }
            linesTotal { amount } chargesTotal { amount } total { amount currency }
            changes { field before after } inquiry { status } }
    userErrors { field code message } } }"""
CONVERT = """mutation($quote: ID!, $key: String!, $address: ShippingAddressInput!,
                      $place: String) {
  convertQuoteToOrder(quoteId: $quote, idempotencyKey: $key, shippingAddress: $address,
                      namedPlace: $place) {
    order { id incoterm namedPlace paymentTerms { advancePercent balanceDueOn netDays }
            charges { kind amount { amount } description }
            linesTotal { amount } chargesTotal { amount } total { amount } }
    quote { status }
    userErrors { field code } } }"""
CIF_MERSIN: dict[str, Any] = {
    "incoterm": "CIF",
    "namedPlace": "Mersin",
    "paymentTerms": {"advancePercent": 20, "balanceDueOn": "BILL_OF_LADING", "netDays": 45},
    "charges": [
        {"kind": "FREIGHT", "amount": "1200.00"},
        {"kind": "INSURANCE", "amount": "35.50"},
        {"kind": "OTHER", "amount": "40", "description": "Pre-shipment inspection"},
    ],
}


async def _inquiry(api: GraphQLClient, desk: Desk, *, as_guest: bool = False) -> str:
    """A FOB Nhava Sheva inquiry for 500 units, of desk.company or of a guest; its id."""
    given = inquiry_input([item(desk.product, desk.variant, 500)])
    if as_guest:
        given["guest"] = guest()
        await api.data(SUBMIT, {"input": given})
        listing = await api.as_(desk.sales_token).data("{ inquiries { nodes { id } } }")
        inquiry_id: str = listing["inquiries"]["nodes"][0]["id"]
        return inquiry_id
    submitted = await api.as_(desk.client_token).data(SUBMIT, {"input": given})
    own: str = submitted["submitInquiry"]["inquiry"]["id"]
    return own


async def _quote(api: GraphQLClient, desk: Desk, inquiry_id: str, **terms: Any) -> dict[str, Any]:
    given = quote_input([(desk.variant, 500, "2.45")], **terms)
    body = await api.as_(desk.sales_token).data(TERMS_QUOTE, {"id": inquiry_id, "input": given})
    payload: dict[str, Any] = body["quoteInquiry"]
    return payload


async def _convert(api: GraphQLClient, quote_id: str, place: str | None = None) -> dict[str, Any]:
    variables = {"quote": quote_id, "key": "accept-1", "address": ADDRESS, "place": place}
    body = await api.data(CONVERT, variables)
    payload: dict[str, Any] = body["convertQuoteToOrder"]
    return payload


async def test_a_quote_takes_the_inquiry_terms_of_trade_and_the_company_payment_terms(
    api: GraphQLClient, desk: Desk
) -> None:
    # given a client inquiry for FOB Nhava Sheva, from a company on 30 % advance, net 60
    inquiry_id = await _inquiry(api, desk)
    # when sales quotes without naming any terms
    sent = await _quote(api, desk, inquiry_id)
    # then the quote carries the inquiry's incoterm and place and the company's terms
    assert sent["userErrors"] == []
    quote = sent["quote"]
    assert (quote["incoterm"], quote["namedPlace"]) == ("FOB", "Nhava Sheva")
    assert quote["paymentTerms"] == {
        "advancePercent": 30,
        "balanceDueOn": "INVOICE",
        "netDays": 60,
    }
    # and FOB needs no charges: the total is the lines
    assert quote["charges"] == []
    assert (quote["linesTotal"], quote["chargesTotal"], quote["total"]) == (
        {"amount": "1225.00"},
        {"amount": "0.00"},
        {"amount": "1225.00", "currency": "EUR"},
    )


async def test_a_guest_quote_offers_the_default_terms(api: GraphQLClient, desk: Desk) -> None:
    inquiry_id = await _inquiry(api, desk, as_guest=True)
    sent = await _quote(api, desk, inquiry_id)
    assert sent["userErrors"] == []
    assert sent["quote"]["paymentTerms"] == {
        "advancePercent": 0,
        "balanceDueOn": "INVOICE",
        "netDays": 30,
    }


async def test_terms_where_the_seller_pays_carriage_need_their_charges_or_nothing_is_written(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    inquiry_id = await _inquiry(api, desk)
    # when sales quotes CIF with freight but no insurance, and CFR with no freight
    cif = await _quote(
        api,
        desk,
        inquiry_id,
        incoterm="CIF",
        namedPlace="Mersin",
        charges=[{"kind": "FREIGHT", "amount": "1200.00"}],
    )
    cfr = await _quote(api, desk, inquiry_id, incoterm="CFR", namedPlace="Mersin")
    # then each is refused naming the charges and the one missing
    for refused, missing in ((cif, "INSURANCE"), (cfr, "FREIGHT")):
        assert refused["quote"] is None
        assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
            (["input", "charges"], "CHARGE_REQUIRED")
        ]
        assert missing in refused["userErrors"][0]["message"]
    # and nothing was written: no revision, no event, the inquiry not quoted
    async with db.session() as session:
        quotes = await session.scalar(select(func.count()).select_from(Quote))
        sent = await session.scalar(
            select(func.count()).where(col(OutboxEvent.event_type) == "quote.sent")
        )
    assert (quotes, sent) == (0, 0)
    read = await api.as_(desk.sales_token).data(
        "query($id: ID!) { inquiry(id: $id) { status quotes { id } } }", {"id": inquiry_id}
    )
    assert read["inquiry"] == {"status": "NEW", "quotes": []}


async def test_sales_quotes_cif_against_an_fob_inquiry_and_the_revision_says_what_moved(
    api: GraphQLClient, desk: Desk
) -> None:
    inquiry_id = await _inquiry(api, desk)
    first = await _quote(api, desk, inquiry_id)
    assert first["userErrors"] == []
    # when sales revises it to CIF Mersin with freight, insurance and an inspection
    revised = await _quote(api, desk, inquiry_id, **CIF_MERSIN)
    # then the revision carries them, and its total is the lines plus the charges
    assert revised["userErrors"] == []
    quote = revised["quote"]
    assert (quote["revision"], quote["incoterm"], quote["namedPlace"]) == (2, "CIF", "Mersin")
    assert [(c["kind"], c["amount"], c["description"]) for c in quote["charges"]] == [
        ("FREIGHT", {"amount": "1200.00", "currency": "EUR"}, ""),
        ("INSURANCE", {"amount": "35.50", "currency": "EUR"}, ""),
        ("OTHER", {"amount": "40.00", "currency": "EUR"}, "Pre-shipment inspection"),
    ]
    assert (quote["linesTotal"], quote["chargesTotal"], quote["total"]["amount"]) == (
        {"amount": "1225.00"},
        {"amount": "1275.50"},
        "2500.50",
    )
    # and its changes name every term that moved, old and new
    assert {c["field"]: (c["before"], c["after"]) for c in quote["changes"]} == {
        "incoterm": ("FOB", "CIF"),
        "namedPlace": ("Nhava Sheva", "Mersin"),
        "advancePercent": ("30", "20"),
        "balanceDueOn": ("invoice", "bill_of_lading"),
        "netDays": ("60", "45"),
        "freight": (None, "1200.00"),
        "insurance": (None, "35.50"),
        "otherCharges": (None, "Pre-shipment inspection 40.00"),
        "total": ("1225.00", "2500.50"),
    }


async def test_the_order_of_a_quote_keeps_its_terms_and_charges_and_owes_them(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    inquiry_id = await _inquiry(api, desk)
    quote = (await _quote(api, desk, inquiry_id, **CIF_MERSIN))["quote"]
    # when the buyer accepts it
    accepted = await _convert(api.as_(desk.client_token), quote["id"])
    # then the order is under the quote's terms of trade and payment terms
    assert accepted["userErrors"] == []
    order = accepted["order"]
    assert (order["incoterm"], order["namedPlace"]) == ("CIF", "Mersin")
    assert order["paymentTerms"] == CIF_MERSIN["paymentTerms"]
    assert [(c["kind"], c["amount"]["amount"]) for c in order["charges"]] == [
        ("FREIGHT", "1200.00"),
        ("INSURANCE", "35.50"),
        ("OTHER", "40.00"),
    ]
    # and its total is the quoted total, lines plus charges, which is what credit counts
    assert (order["linesTotal"], order["chargesTotal"], order["total"]) == (
        {"amount": "1225.00"},
        {"amount": "1275.50"},
        {"amount": "2500.50"},
    )
    async with db.session() as session:
        company = await session.get(ClientCompany, desk.company.id)
    assert company is not None
    assert company.credit_used == Decimal("2500.50")


async def test_charges_that_push_the_order_over_the_credit_limit_are_refused(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    # given a company whose limit holds the goods but not the goods with their charges
    async with db.transaction() as session:
        await session.execute(
            update(ClientCompany)
            .where(col(ClientCompany.id) == desk.company.id)
            .values(credit_limit=Decimal("2000.00"))
        )
    inquiry_id = await _inquiry(api, desk)
    quote = (await _quote(api, desk, inquiry_id, **CIF_MERSIN))["quote"]
    refused = await _convert(api.as_(desk.client_token), quote["id"])
    assert refused["order"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["quoteId"], "CREDIT_LIMIT_EXCEEDED")
    ]
    read = await api.as_(desk.sales_token).data(
        "query($id: ID!) { quote(id: $id) { status } }", {"id": quote["id"]}
    )
    assert read["quote"] == {"status": "OPEN"}


async def test_the_place_freight_was_priced_to_cannot_change_at_acceptance(
    api: GraphQLClient, desk: Desk
) -> None:
    cif_inquiry = await _inquiry(api, desk)
    cif = (await _quote(api, desk, cif_inquiry, **CIF_MERSIN))["quote"]
    moved = await _convert(api.as_(desk.client_token), cif["id"], place="Izmir")
    assert [(e["field"], e["code"]) for e in moved["userErrors"]] == [
        (["namedPlace"], "NOT_ALLOWED")
    ]
    same = await _convert(api.as_(desk.client_token), cif["id"], place=" mersin ")
    assert same["userErrors"] == []
    # under FOB the buyer names the port of loading it prefers
    fob_inquiry = await _inquiry(api, desk)
    fob = (await _quote(api, desk, fob_inquiry))["quote"]
    variables = {"quote": fob["id"], "key": "accept-fob", "address": ADDRESS, "place": "Mundra"}
    body = await api.as_(desk.client_token).data(CONVERT, variables)
    assert body["convertQuoteToOrder"]["userErrors"] == []
    assert body["convertQuoteToOrder"]["order"]["namedPlace"] == "Mundra"


async def test_another_company_sees_neither_the_quote_nor_the_order_terms(
    api: GraphQLClient, desk: Desk
) -> None:
    inquiry_id = await _inquiry(api, desk)
    quote = (await _quote(api, desk, inquiry_id, **CIF_MERSIN))["quote"]
    order = (await _convert(api.as_(desk.client_token), quote["id"]))["order"]
    read = """query($quote: ID!, $order: ID!) {
      quote: node(id: $quote) { ... on Quote { charges { kind } paymentTerms { netDays } } }
      order: node(id: $order) { ... on Order { charges { kind } paymentTerms { netDays } } } }"""
    variables = {"quote": quote["id"], "order": order["id"]}
    own = await api.as_(desk.client_token).data(read, variables)
    other = await api.as_(desk.other_client_token).data(read, variables)
    assert own["quote"]["paymentTerms"] == own["order"]["paymentTerms"] == {"netDays": 45}
    assert len(own["order"]["charges"]) == 3
    assert other == {"quote": None, "order": None}
