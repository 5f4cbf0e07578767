"""`quote.expiring`: scheduled when a revision is sent, announced at its moment by a running
worker (never before) and fanned out to partners, once; never for a revision superseded or
accepted meanwhile, and never scheduled by a send that did not commit.

The notice is days away, so the tests bring its moment near by moving the scheduled event's
`available_at`, as the clock would.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import col, func, select

from core.db import Database
from core.global_id import decode_typed_id, encode_global_id
from core.settings import Settings
from models.outbox import EventState
from models.webhooks import WebhookDelivery
from tests.graphql_client import GraphQLClient, graphql_client
from tests.inquiries.support import (
    ADDRESS,
    CONVERT,
    QUOTE,
    SUBMIT,
    TODAY,
    Desk,
    inquiry_input,
    item,
    make_desk,
    quote_input,
)
from tests.jobs.worker_support import running_worker
from tests.outbox_support import bring_due, events_of, subscribe, until

POLL_SECONDS = 0.25
LEAD_SECONDS = 1.5
BOUND_SECONDS = 10.0


async def _inquiry(api: GraphQLClient, desk: Desk) -> str:
    given = inquiry_input([item(desk.product, desk.variant, 500)])
    submitted = (await api.as_(desk.client_token).data(SUBMIT, {"input": given}))["submitInquiry"]
    assert submitted["userErrors"] == []
    inquiry_id: str = submitted["inquiry"]["id"]
    return inquiry_id


async def _send(api: GraphQLClient, desk: Desk, inquiry_id: str, **changes: Any) -> str:
    given = quote_input([(desk.variant, 500, "2.50")], **changes)
    payload = (await api.as_(desk.sales_token).data(QUOTE, {"id": inquiry_id, "input": given}))[
        "quoteInquiry"
    ]
    assert payload["userErrors"] == [], payload
    quote_id: str = payload["quote"]["id"]
    return quote_id


def _pk(quote_id: str) -> int:
    return decode_typed_id(quote_id, "Quote", argument="quoteId")


async def _bring_due(database: Database, quote_id: str, moment: datetime) -> None:
    """The clock reaches the notice's moment: its schedule is due at `moment` instead."""
    await bring_due(database, f"quote.expiry_due:{_pk(quote_id)}", moment)


async def _deliveries_of(database: Database, event_ids: list[int]) -> int:
    async with database.session() as session:
        found = await session.scalar(
            select(func.count()).where(col(WebhookDelivery.event_id).in_(event_ids))
        )
    return int(found or 0)


@pytest.fixture
def worker_settings(committed_inquiry_settings: Settings) -> Settings:
    return committed_inquiry_settings.model_copy(
        update={"worker_poll_seconds": POLL_SECONDS, "outbox_max_attempts": 1}
    )


@pytest.mark.slow
async def test_a_sent_quote_is_announced_once_at_its_moment_and_reaches_partners(
    committed_db: Database, worker_settings: Settings
) -> None:
    settings = worker_settings
    async with committed_db.transaction() as session:
        desk = await make_desk(session, settings)
    await subscribe(committed_db, settings, "quote.expiring")
    valid_until = TODAY + timedelta(days=30)
    async with graphql_client(settings, committed_db) as api:
        inquiry_id = await _inquiry(api, desk)
        quote_id = await _send(api, desk, inquiry_id, validUntil=valid_until.isoformat())

    # Scheduled for 3 days before the end of its last valid day, UTC.
    [scheduled] = await events_of(committed_db, "quote.expiry_due")
    runs_out = datetime.combine(valid_until + timedelta(days=1), time(), tzinfo=UTC)
    assert scheduled.available_at == runs_out - timedelta(days=3)
    assert scheduled.payload == {"quote_id": _pk(quote_id)}

    async with running_worker(settings, committed_db):
        # The worker handles what is due now (quote.sent) and leaves the notice alone.
        async def sent_handled() -> bool:
            return all(
                e.state == EventState.DONE for e in await events_of(committed_db, "quote.sent")
            )

        await until(sent_handled, BOUND_SECONDS)
        moment = datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)
        await _bring_due(committed_db, quote_id, moment)
        while datetime.now(UTC) < moment - timedelta(seconds=POLL_SECONDS):
            assert await events_of(committed_db, "quote.expiring") == []
            await asyncio.sleep(0.05)

        async def announced_and_fanned_out() -> bool:
            announced = await events_of(committed_db, "quote.expiring")
            ids = [event.id for event in announced if event.id is not None]
            return bool(ids) and await _deliveries_of(committed_db, ids) > 0

        await until(announced_and_fanned_out, BOUND_SECONDS)
        await asyncio.sleep(4 * POLL_SECONDS)

    [announced] = await events_of(committed_db, "quote.expiring")
    assert announced.created_at is not None
    assert announced.created_at >= moment
    assert announced.payload == {
        "quote_id": quote_id,
        "inquiry_id": inquiry_id,
        "reference": f"INQ-{decode_typed_id(inquiry_id, 'Inquiry', argument='id'):06d}",
        "revision": 1,
        "client_company_id": encode_global_id("ClientCompany", desk.company.id or 0),
        "valid_until": valid_until.isoformat(),
        "expires_at": runs_out.isoformat(),
    }
    assert announced.id is not None
    assert await _deliveries_of(committed_db, [announced.id]) == 1
    [done] = await events_of(committed_db, "quote.expiry_due")
    assert (done.state, done.attempts) == (EventState.DONE, 1)


@pytest.mark.slow
async def test_a_superseded_or_accepted_quote_is_never_announced(
    committed_db: Database, worker_settings: Settings
) -> None:
    settings = worker_settings
    async with committed_db.transaction() as session:
        desk = await make_desk(session, settings)
    await subscribe(committed_db, settings, "quote.expiring")
    async with graphql_client(settings, committed_db) as api:
        inquiry_id = await _inquiry(api, desk)
        superseded = await _send(api, desk, inquiry_id)
        accepted = await _send(api, desk, inquiry_id)
        converted = (
            await api.as_(desk.client_token).data(
                CONVERT, {"quote": accepted, "key": "accept-1", "address": ADDRESS}
            )
        )["convertQuoteToOrder"]
        assert converted["userErrors"] == []

    now = datetime.now(UTC)
    for quote_id in (superseded, accepted):
        await _bring_due(committed_db, quote_id, now)
    async with running_worker(settings, committed_db):

        async def schedules_done() -> bool:
            due = await events_of(committed_db, "quote.expiry_due")
            return len(due) == 2 and all(event.state == EventState.DONE for event in due)

        await until(schedules_done, BOUND_SECONDS)

    assert await events_of(committed_db, "quote.expiring") == []
    async with committed_db.session() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


async def test_a_quote_with_less_notice_left_or_notices_turned_off_schedules_none(
    committed_db: Database, committed_inquiry_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        desk = await make_desk(session, committed_inquiry_settings)
    turned_off = committed_inquiry_settings.model_copy(update={"quote_expiry_notice_days": 0})
    async with graphql_client(committed_inquiry_settings, committed_db) as api:
        inquiry_id = await _inquiry(api, desk)
        # Runs out in two days: the buyer has just been told the date.
        await _send(api, desk, inquiry_id, validUntil=(TODAY + timedelta(days=1)).isoformat())
    async with graphql_client(turned_off, committed_db) as api:
        await _send(api, desk, inquiry_id)
    assert len(await events_of(committed_db, "quote.sent")) == 2
    assert await events_of(committed_db, "quote.expiry_due") == []


async def test_a_quote_that_was_not_sent_schedules_nothing(
    committed_db: Database, committed_inquiry_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        desk = await make_desk(session, committed_inquiry_settings)
    async with graphql_client(committed_inquiry_settings, committed_db) as api:
        inquiry_id = await _inquiry(api, desk)
        given = quote_input([(desk.variant, 500, "2.50")])
        refused = (
            await api.as_(desk.sales_token).data(QUOTE, {"id": inquiry_id, "input": given, "v": 99})
        )["quoteInquiry"]
    assert [error["code"] for error in refused["userErrors"]] == ["CONFLICT"]
    assert await events_of(committed_db, "quote.expiry_due") == []
