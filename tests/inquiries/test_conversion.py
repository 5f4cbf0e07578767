"""Accepting a quote: an order at the quoted prices, once, only for the latest valid revision."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.catalog import Variant
from models.clients import ClientCompany
from models.inquiries import Quote
from models.orders import Order, OrderLine
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient, graphql_client
from tests.inquiries.support import (
    ADDRESS,
    CONVERT,
    QUOTE,
    SUBMIT,
    TODAY,
    Desk,
    guest,
    inquiry_input,
    item,
    make_desk,
    quote_input,
)


async def _quoted(api: GraphQLClient, desk: Desk, *, guest_inquiry: bool = False) -> list[str]:
    """An inquiry of desk.company (or of a guest) with two revisions; their ids, in order."""
    asker = api if guest_inquiry else api.as_(desk.client_token)
    given = inquiry_input([item(desk.product, desk.variant, 500)])
    if guest_inquiry:
        given["guest"] = guest()
    submitted = (await asker.data(SUBMIT, {"input": given}))["submitInquiry"]
    assert submitted["userErrors"] == []
    if guest_inquiry:
        listing = await api.as_(desk.sales_token).data("{ inquiries { nodes { id } } }")
        inquiry_id = listing["inquiries"]["nodes"][0]["id"]
    else:
        inquiry_id = submitted["inquiry"]["id"]
    ids = []
    for price in ("2.50", "2.45"):
        payload = (
            await api.as_(desk.sales_token).data(
                QUOTE,
                {"id": inquiry_id, "input": quote_input([(desk.variant, 500, price)])},
            )
        )["quoteInquiry"]
        assert payload["userErrors"] == [], payload
        ids.append(payload["quote"]["id"])
    return ids


async def _convert(api: GraphQLClient, quote_id: str, key: str = "accept-1") -> dict[str, Any]:
    variables = {"quote": quote_id, "key": key, "address": ADDRESS}
    payload: dict[str, Any] = (await api.data(CONVERT, variables))["convertQuoteToOrder"]
    return payload


def _errors(payload: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def _reserved(db: Database, variant: Variant) -> int:
    async with db.session() as session:
        return int(
            await session.scalar(
                select(col(Variant.stock_reserved)).where(col(Variant.id) == variant.id)
            )
            or 0
        )


async def _state(api: GraphQLClient, desk: Desk, quote_id: str) -> tuple[str, str]:
    read = await api.as_(desk.sales_token).data(
        "query($id: ID!) { quote(id: $id) { status inquiry { status } } }", {"id": quote_id}
    )
    return read["quote"]["status"], read["quote"]["inquiry"]["status"]


async def test_the_buyer_accepts_the_latest_quote_and_gets_an_order_at_its_prices(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    first, latest = await _quoted(api, desk)
    client = api.as_(desk.client_token)

    # an earlier revision cannot be accepted
    superseded = await _convert(client, first)
    assert _errors(superseded) == [(["quoteId"], "QUOTE_SUPERSEDED")]

    # when the buyer accepts the latest
    accepted = await _convert(client, latest)

    # then an order is placed at the quoted price, stock reserved, quote and inquiry closed
    assert accepted["userErrors"] == []
    order = accepted["order"]
    assert (order["status"], order["currency"], order["total"]) == (
        "PLACED",
        "EUR",
        {"amount": "1225.00"},
    )
    assert [(line["quantity"], line["unitPrice"]["amount"]) for line in order["lines"]] == [
        (500, "2.4500")
    ]
    assert accepted["quote"] == {"status": "CONVERTED"}
    assert await _state(api, desk, latest) == ("CONVERTED", "WON")
    assert await _reserved(db, desk.variant) == 500
    read = await api.as_(desk.client_token).data(
        "query($id: ID!) { quote(id: $id) { order { id } } }", {"id": latest}
    )
    assert read["quote"]["order"] == {"id": order["id"]}

    # a retry with the same key gets the same order; another key is refused
    replay = await _convert(client, latest)
    assert replay["userErrors"] == []
    assert replay["order"]["id"] == order["id"]
    other_key = await _convert(client, latest, key="accept-2")
    assert _errors(other_key) == [(["quoteId"], "QUOTE_ALREADY_CONVERTED")]
    assert await _reserved(db, desk.variant) == 500


async def test_an_expired_quote_is_refused(api: GraphQLClient, db: Database, desk: Desk) -> None:
    _, latest = await _quoted(api, desk)
    async with db.transaction() as session:
        await session.execute(update(Quote).values(valid_until=TODAY - timedelta(days=1)))
    expired = await _convert(api.as_(desk.client_token), latest)
    assert _errors(expired) == [(["quoteId"], "QUOTE_EXPIRED")]
    assert await _state(api, desk, latest) == ("OPEN", "QUOTED")


async def test_a_guest_inquiry_needs_a_client_first(api: GraphQLClient, desk: Desk) -> None:
    _, latest = await _quoted(api, desk, guest_inquiry=True)
    refused = await _convert(api.as_(desk.sales_token), latest)
    assert _errors(refused) == [(["quoteId"], "LEAD_NOT_A_CLIENT")]
    assert "convertLeadToClient" in refused["userErrors"][0]["message"]


async def test_only_the_buyer_or_inquiry_managers_may_accept(
    api: GraphQLClient, desk: Desk
) -> None:
    _, latest = await _quoted(api, desk)
    variables = {"quote": latest, "key": "k", "address": ADDRESS}
    other_client = await _convert(api.as_(desk.other_client_token), latest)
    assert _errors(other_client) == [(["quoteId"], "NOT_FOUND")]
    for token in (None, desk.support_token):
        body = await api.as_(token).post(CONVERT, variables)
        assert body["data"]["convertQuoteToOrder"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    # sales may convert on the buyer's word
    by_sales = await _convert(api.as_(desk.sales_token), latest)
    assert by_sales["userErrors"] == []


@pytest.mark.parametrize("shortage", ["stock", "credit"])
async def test_a_refused_order_leaves_the_quote_open(
    api: GraphQLClient, db: Database, desk: Desk, shortage: str
) -> None:
    _, latest = await _quoted(api, desk)
    async with db.transaction() as session:
        if shortage == "stock":
            await session.execute(
                update(Variant).where(col(Variant.id) == desk.variant.id).values(stock_on_hand=499)
            )
        else:
            await session.execute(
                update(ClientCompany)
                .where(col(ClientCompany.id) == desk.company.id)
                .values(credit_limit=Decimal("1000.00"))
            )
    refused = await _convert(api.as_(desk.client_token), latest)

    expected = "OUT_OF_STOCK" if shortage == "stock" else "CREDIT_LIMIT_EXCEEDED"
    assert [code for _, code in _errors(refused)] == [expected]
    assert refused["order"] is None
    assert await _state(api, desk, latest) == ("OPEN", "QUOTED")
    assert await _reserved(db, desk.variant) == 0
    async with db.session() as session:
        assert list(await session.scalars(select(Order))) == []


@pytest.fixture
async def committed_desk(committed_db: Database, settings: Settings) -> Desk:
    async with committed_db.transaction() as session:
        return await make_desk(session, settings)


async def test_racing_conversions_place_exactly_one_order(
    committed_db: Database, committed_inquiry_settings: Settings, committed_desk: Desk
) -> None:
    desk = committed_desk
    async with graphql_client(committed_inquiry_settings, committed_db) as api:
        _, latest = await _quoted(api, desk)
        # when the buyer and sales accept at once, ten times, each with its own key
        tokens = [desk.client_token, desk.sales_token] * 5
        results = await settled(
            *(_convert(api.as_(token), latest, key=f"race-{n}") for n, token in enumerate(tokens))
        )
    # then exactly one order is placed, and every other call is told it was converted
    winners = [r for r in results if r["userErrors"] == []]
    losers = [_errors(r) for r in results if r["userErrors"]]
    assert len(winners) == 1
    assert losers == [[(["quoteId"], "QUOTE_ALREADY_CONVERTED")]] * 9
    async with committed_db.session() as session:
        orders = list(await session.scalars(select(Order)))
    assert len(orders) == 1
    assert await _reserved(committed_db, desk.variant) == 500


async def test_the_order_of_a_quote_keeps_the_variant_cost_as_it_was(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    # given the variant costs 1.10 USD when the quote is accepted
    async with db.transaction() as session:
        await session.execute(
            update(Variant)
            .where(col(Variant.id) == desk.variant.id)
            .values(cost_price=Decimal("1.10"), cost_currency="USD")
        )
    _, latest = await _quoted(api, desk)
    accepted = await _convert(api.as_(desk.client_token), latest)
    assert accepted["userErrors"] == []
    # when the cost changes afterwards
    async with db.transaction() as session:
        await session.execute(
            update(Variant).where(col(Variant.id) == desk.variant.id).values(cost_price=Decimal(2))
        )
        lines = list(await session.scalars(select(OrderLine)))
    # then the order's line keeps the cost it was ordered at, for the margin report
    assert [(line.unit_cost, line.cost_currency) for line in lines] == [(Decimal("1.1000"), "USD")]
