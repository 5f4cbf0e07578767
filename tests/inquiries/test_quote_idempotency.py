"""Quoting an inquiry with an idempotency key: a retry answers the revision first sent (one
revision, one `quote.sent`, one audit row), another quote under the key is refused, keys are
each salesperson's, and a key sent by several calls at once sends one revision."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, func, select

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.inquiries import Quote
from models.outbox import OutboxEvent
from tests.callers import token_for
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient, graphql_client
from tests.inquiries.support import SUBMIT, Desk, inquiry_input, item, make_desk, quote_input

QUOTE_WITH_KEY = """mutation($id: ID!, $input: QuoteInput!, $v: Int, $key: String) {
  quoteInquiry(inquiryId: $id, input: $input, expectedVersion: $v, idempotencyKey: $key) {
    quote { id revision total { amount } inquiry { status } } userErrors { field code } } }"""
RACERS = 6


async def _inquiry(api: GraphQLClient, desk: Desk) -> str:
    given = inquiry_input([item(desk.product, desk.variant, 500)])
    submitted = await api.as_(desk.client_token).data(SUBMIT, {"input": given})
    inquiry_id: str = submitted["submitInquiry"]["inquiry"]["id"]
    return inquiry_id


async def _quote_lines(
    api: GraphQLClient,
    inquiry_id: str,
    given: dict[str, Any],
    key: str | None,
    version: int | None = None,
) -> dict[str, Any]:
    variables = {"id": inquiry_id, "input": given, "v": version, "key": key}
    payload: dict[str, Any] = (await api.data(QUOTE_WITH_KEY, variables))["quoteInquiry"]
    return payload


def _priced(desk: Desk, price: str) -> dict[str, Any]:
    return quote_input([(desk.variant, 500, price)])


async def _send(
    api: GraphQLClient, desk: Desk, inquiry_id: str, price: str, key: str | None
) -> dict[str, Any]:
    return await _quote_lines(api.as_(desk.sales_token), inquiry_id, _priced(desk, price), key)


def _errors(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(".".join(error["field"] or []), error["code"]) for error in payload["userErrors"]]


async def _written(db: Database) -> tuple[int, int, int]:
    """Quote revisions, `quote.sent` events and `quote.send` audit rows."""
    async with db.session() as session:
        quotes = await session.scalar(select(func.count()).select_from(Quote))
        events = await session.scalar(
            select(func.count()).where(col(OutboxEvent.event_type) == "quote.sent")
        )
        audits = await session.scalar(
            select(func.count()).where(col(AuditEntry.action) == "quote.send")
        )
    return int(quotes or 0), int(events or 0), int(audits or 0)


async def test_a_retried_quote_answers_the_revision_first_sent(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    inquiry_id = await _inquiry(api, desk)
    # when the salesperson's answer is lost and the quote is sent again with its key
    first = await _send(api, desk, inquiry_id, "2.50", "quote-inq-1")
    retry = await _send(api, desk, inquiry_id, "2.50", "quote-inq-1")
    # then the retry is the first revision: no second revision, event or audit row
    assert first["userErrors"] == []
    assert retry["userErrors"] == []
    assert retry["quote"] == first["quote"]
    assert retry["quote"]["revision"] == 1
    assert await _written(db) == (1, 1, 1)


async def test_another_quote_under_a_used_key_is_refused_and_sends_nothing(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    inquiry_id = await _inquiry(api, desk)
    await _send(api, desk, inquiry_id, "2.50", "quote-inq-2")
    reused = await _send(api, desk, inquiry_id, "2.40", "quote-inq-2")
    revised = await _send(api, desk, inquiry_id, "2.40", "quote-inq-2b")

    assert _errors(reused) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    assert reused["quote"] is None
    # a new key sends the revision the reused one could not
    assert revised["quote"]["revision"] == 2
    assert await _written(db) == (2, 2, 2)


async def test_a_salesperson_s_key_is_not_a_colleague_s(
    api: GraphQLClient, db: Database, desk: Desk, settings: Settings
) -> None:
    async with db.transaction() as session:
        colleague = api.as_(await token_for(session, settings, Role.SALES))
    inquiry_id = await _inquiry(api, desk)
    mine = await _send(api, desk, inquiry_id, "2.50", "same-key")
    theirs = await _quote_lines(colleague, inquiry_id, _priced(desk, "2.50"), "same-key")

    assert theirs["userErrors"] == []
    assert theirs["quote"]["id"] != mine["quote"]["id"]
    assert theirs["quote"]["revision"] == 2


async def test_a_quote_refused_for_a_stale_version_leaves_its_key_free(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    inquiry_id = await _inquiry(api, desk)
    sales = api.as_(desk.sales_token)
    stale = await _quote_lines(sales, inquiry_id, _priced(desk, "2.50"), "q-3", 99)
    corrected = await _quote_lines(sales, inquiry_id, _priced(desk, "2.50"), "q-3", 1)

    assert _errors(stale) == [("expectedVersion", "CONFLICT")]
    assert corrected["userErrors"] == []
    assert await _written(db) == (1, 1, 1)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("", [("idempotencyKey", "REQUIRED")]),
        ("   ", [("idempotencyKey", "REQUIRED")]),
        ("q" * 101, [("idempotencyKey", "TOO_LONG")]),
    ],
)
async def test_a_blank_or_overlong_key_is_refused_with_a_code(
    api: GraphQLClient, db: Database, desk: Desk, key: str, expected: list[tuple[str, str]]
) -> None:
    inquiry_id = await _inquiry(api, desk)
    refused = await _send(api, desk, inquiry_id, "2.50", key)
    assert _errors(refused) == expected
    assert await _written(db) == (0, 0, 0)


async def test_a_key_with_a_nul_is_bad_input(api: GraphQLClient, db: Database, desk: Desk) -> None:
    inquiry_id = await _inquiry(api, desk)
    variables = {"id": inquiry_id, "input": _priced(desk, "2.50"), "key": "q\x00"}
    body = await api.as_(desk.sales_token).post(QUOTE_WITH_KEY, variables)
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}
    assert await _written(db) == (0, 0, 0)


@pytest.fixture
async def committed_desk(committed_db: Database, settings: Settings) -> Desk:
    async with committed_db.transaction() as session:
        return await make_desk(session, settings)


@pytest.mark.slow
async def test_a_key_sent_by_several_calls_at_once_sends_one_revision(
    committed_db: Database, committed_inquiry_settings: Settings, committed_desk: Desk
) -> None:
    desk = committed_desk
    async with graphql_client(committed_inquiry_settings, committed_db) as api:
        inquiry_id = await _inquiry(api, desk)
        results = await settled(
            *(_send(api, desk, inquiry_id, "2.50", "double-click") for _ in range(RACERS))
        )
    assert all(result["userErrors"] == [] for result in results)
    assert len({result["quote"]["id"] for result in results}) == 1
    assert await _written(committed_db) == (1, 1, 1)
