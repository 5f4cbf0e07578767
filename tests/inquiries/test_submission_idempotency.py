"""Submitting an inquiry with an idempotency key: a retry answers the first inquiry, another
input under the key is refused, a guest's key is scoped by the email given, and a key sent
by several calls at once files one inquiry."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlmodel import col, func, select

from core.db import Database
from core.settings import Settings
from models.inquiries import Inquiry, Lead
from models.outbox import OutboxEvent
from tests.accounts.mail_support import run_worker_once
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient, calling, graphql_client, served
from tests.inquiries.support import Desk, guest, inquiry_input, item, make_desk
from tests.smtp_mailbox import Mailbox, smtp_settings

SUBMIT_WITH_KEY = """mutation($input: SubmitInquiryInput!, $key: String) {
  submitInquiry(input: $input, idempotencyKey: $key) {
    reference inquiry { id reference } userErrors { field code } } }"""
RACERS = 6


async def _submit(api: GraphQLClient, given: dict[str, Any], key: str | None) -> dict[str, Any]:
    data = await api.data(SUBMIT_WITH_KEY, {"input": given, "key": key})
    payload: dict[str, Any] = data["submitInquiry"]
    return payload


def _errors(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(".".join(error["field"] or []), error["code"]) for error in payload["userErrors"]]


async def _inquiries(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Inquiry)) or 0)


async def _created_events(db: Database) -> int:
    async with db.session() as session:
        statement = select(func.count()).where(col(OutboxEvent.event_type) == "inquiry.created")
        return int(await session.scalar(statement) or 0)


async def test_a_client_retry_with_its_key_answers_the_first_inquiry(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    client = api.as_(desk.client_token)
    given = inquiry_input([item(desk.product, desk.variant, 200)])
    # when the buyer's answer is lost and the form is sent again with its key
    first = await _submit(client, given, "rfq-2026-001")
    retry = await _submit(client, given, "rfq-2026-001")
    # then both answers are the one inquiry, filed, announced and mailed once
    assert first["userErrors"] == []
    assert retry["userErrors"] == []
    assert retry["inquiry"]["id"] == first["inquiry"]["id"]
    assert retry["reference"] == first["reference"]
    assert await _inquiries(db) == 1
    assert await _created_events(db) == 1


async def test_another_input_under_a_used_key_is_refused_and_files_nothing(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    client = api.as_(desk.client_token)
    await _submit(client, inquiry_input([item(desk.product, desk.variant, 200)]), "rfq-7")
    # when the same key comes with other quantities
    reused = await _submit(client, inquiry_input([item(desk.product, desk.variant, 900)]), "rfq-7")
    # then it is refused at the key, and no second inquiry exists
    assert _errors(reused) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    assert reused["reference"] is None
    assert await _inquiries(db) == 1
    assert await _created_events(db) == 1


async def test_a_key_is_its_company_s_and_another_company_s_key_never_meets_it(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    given = inquiry_input([item(desk.product, desk.variant, 200)])
    own = await _submit(api.as_(desk.client_token), given, "shared-key")
    other = await _submit(api.as_(desk.other_client_token), given, "shared-key")
    # then each company has its own inquiry: the other never sees the first one's
    assert own["userErrors"] == []
    assert other["userErrors"] == []
    assert other["inquiry"]["id"] != own["inquiry"]["id"]
    assert await _inquiries(db) == 2


async def test_a_guest_s_key_is_scoped_by_the_email_given(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    items = [item(desk.product, desk.variant, 150)]
    ayse = inquiry_input(items, guest=guest(email="ayse@demir.example"))
    # when a guest retries with the same key, in another spelling of the same email
    first = await _submit(api, ayse, "web-form-1")
    retry = await _submit(
        api, inquiry_input(items, guest=guest(email=" AYSE@demir.example")), "web-form-1"
    )
    # and another guest happens to use the same key for the same request
    stranger = await _submit(
        api, inquiry_input(items, guest=guest(email="mehmet@kaya.example")), "web-form-1"
    )
    # then the retry answers the first reference and nothing else was written for it
    assert first["userErrors"] == []
    assert retry["userErrors"] == []
    assert retry["reference"] == first["reference"]
    assert retry["inquiry"] is None
    # and the stranger gets an inquiry of their own, never the first guest's reference
    assert stranger["userErrors"] == []
    assert stranger["reference"] != first["reference"]
    assert await _inquiries(db) == 2
    assert await _created_events(db) == 2
    async with db.session() as session:
        emails = sorted(lead.email for lead in await session.scalars(select(Lead)))
    assert emails == ["ayse@demir.example", "mehmet@kaya.example"]


async def test_a_guest_replay_leaves_the_lead_as_the_first_call_wrote_it(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    given = inquiry_input([item(desk.product, desk.variant, 150)], guest=guest())
    await _submit(api, given, "web-form-2")
    # when the same key comes back with other guest details
    changed = {**given, "guest": guest(companyName="Someone Else Ltd")}
    reused = await _submit(api, changed, "web-form-2")
    # then it is another input: refused, and the lead keeps the first details
    assert _errors(reused) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    async with db.session() as session:
        [lead] = list(await session.scalars(select(Lead)))
    assert lead.company_name == "Demir Tekstil"


async def test_a_guest_retry_is_not_counted_against_the_network_s_limit(
    db: Database, desk: Desk, settings: Settings
) -> None:
    throttled = settings.model_copy(
        update={"inquiry_guest_max_per_hour": 1, "redis_prefix": f"tq:test:{uuid.uuid4().hex}:"}
    )
    given = inquiry_input([item(desk.product, desk.variant, 150)], guest=guest())
    async with served(throttled, db) as app, calling(app, "203.0.113.8") as office:
        first = await _submit(office, given, "web-form-3")
        # when the answer was lost and the guest sends the form again, over the limit
        retry = await _submit(office, given, "web-form-3")
        # and then asks something new
        another = await _submit(office, given, "web-form-4")
    # then the retry answers the first inquiry; only the new inquiry is throttled
    assert retry["userErrors"] == []
    assert retry["reference"] == first["reference"]
    assert _errors(another) == [("", "TOO_MANY_REQUESTS")]
    assert await _inquiries(db) == 1


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("", [("idempotencyKey", "REQUIRED")]),
        ("   ", [("idempotencyKey", "REQUIRED")]),
        ("k" * 101, [("idempotencyKey", "TOO_LONG")]),
    ],
)
async def test_a_blank_or_overlong_key_is_refused_with_a_code(
    api: GraphQLClient, db: Database, desk: Desk, key: str, expected: list[tuple[str, str]]
) -> None:
    given = inquiry_input([item(desk.product, desk.variant, 150)], guest=guest())
    refused = await _submit(api, given, key)
    assert _errors(refused) == expected
    assert await _inquiries(db) == 0


async def test_a_key_with_a_nul_is_bad_input(api: GraphQLClient, db: Database, desk: Desk) -> None:
    given = inquiry_input([item(desk.product, desk.variant, 150)], guest=guest())
    body = await api.post(SUBMIT_WITH_KEY, {"input": given, "key": "rfq\x00-1"})
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}
    assert await _inquiries(db) == 0


@pytest.fixture
async def committed_desk(committed_db: Database, settings: Settings) -> Desk:
    async with committed_db.transaction() as session:
        return await make_desk(session, settings)


@pytest.mark.slow
async def test_a_key_sent_by_several_calls_at_once_files_one_inquiry(
    committed_db: Database, committed_inquiry_settings: Settings, committed_desk: Desk
) -> None:
    desk = committed_desk
    as_guest = inquiry_input([item(desk.product, desk.variant, 150)], guest=guest())
    as_client = inquiry_input([item(desk.product, desk.variant, 300)])
    async with graphql_client(committed_inquiry_settings, committed_db) as api:
        client = api.as_(desk.client_token)
        # when a double-clicking guest and a retrying client each send their key six times
        results = await settled(
            *(_submit(api, as_guest, "double-click") for _ in range(RACERS)),
            *(_submit(client, as_client, "double-click") for _ in range(RACERS)),
        )
    # then each filed exactly one inquiry, and every call answered it
    assert all(result["userErrors"] == [] for result in results)
    assert len({result["reference"] for result in results[:RACERS]}) == 1
    assert len({result["reference"] for result in results[RACERS:]}) == 1
    assert await _inquiries(committed_db) == 2
    assert await _created_events(committed_db) == 2


@pytest.mark.slow
async def test_a_retried_inquiry_mails_its_guest_once(
    committed_db: Database, committed_inquiry_settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = smtp_settings(committed_inquiry_settings, port)
    async with committed_db.transaction() as session:
        desk = await make_desk(session, settings)
    given = inquiry_input([item(desk.product, desk.variant, 150)], guest=guest())
    async with graphql_client(settings, committed_db) as api:
        first = await _submit(api, given, "web-form-5")
        retry = await _submit(api, given, "web-form-5")
    for _ in range(3):
        await run_worker_once(settings, committed_db)
    # then sales got one inquiry and the guest one acknowledgement, for the one reference
    assert retry["reference"] == first["reference"]
    recipients = sorted(tuple(envelope.rcpt_tos) for envelope in box.envelopes)
    assert recipients == [("ayse@demir.example",), ("selin@sales.example",)]
