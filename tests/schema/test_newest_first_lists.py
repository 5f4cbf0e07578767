"""The newest-first lists (orders, inquiries, the audit log) page alike on PostgreSQL and
SQLite: newest first, ties by id, nothing repeated or skipped across pages, and any cursor
they did not issue answers BAD_USER_INPUT on `after`, never an internal error."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from core.db import Database
from core.global_id import decode_global_id
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.inquiries import Inquiry, InquirySource, inquiry_reference
from models.orders import Order
from tests.callers import token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.orders.builders import make_shop, place_one

ORDERS = """query($after: String) { orders(first: 2, after: $after) {
  nodes { id } pageInfo { hasNextPage endCursor } } }"""
INQUIRIES = """query($after: String) { inquiries(first: 2, after: $after) {
  nodes { reference } pageInfo { hasNextPage endCursor } } }"""
AUDIT = """query($after: String) {
  auditLog(first: 2, after: $after, filter: {action: "newest.test"}) {
    nodes { targetId } pageInfo { hasNextPage endCursor } } }"""
LISTS = {
    "orders": (ORDERS, "id"),
    "inquiries": (INQUIRIES, "reference"),
    "auditLog": (AUDIT, "targetId"),
}
# A moment long past: rows given it are older than any the database stamps now.
EARLIER = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
LATER = datetime.now(UTC) + timedelta(days=1)


@dataclass(frozen=True)
class Listed:
    """What each list must show, newest first, to a caller who may read all three."""

    token: str
    expected: dict[str, list[str]]


async def _seed(db: Database, settings: Settings) -> Listed:
    """Per list: rows stamped by the database (with SQLite's second-only text), rows given a
    moment by the application (with microseconds), and two rows sharing one moment."""
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        admin = await token_for(session, settings, Role.ADMIN)
        assert shop.client.id is not None
        inquiries = []
        for moment in (EARLIER, EARLIER, None, LATER):
            inquiry = Inquiry(
                client_company_id=shop.client.id,
                incoterm="FOB",
                named_place="Hamburg",
                source=InquirySource.CLIENT_USER,
                created_at=moment,
            )
            session.add(inquiry)
            await session.flush()
            assert inquiry.id is not None
            inquiries.append(inquiry.id)
        for target, moment in zip("abcd", (EARLIER, EARLIER, None, LATER), strict=True):
            session.add(AuditEntry(action="newest.test", target_id=target, created_at=moment))
    async with graphql_client(settings, db) as http:
        orders = [await place_one(http, shop, key) for key in "abc"]
    # the first order placed is moved a day ahead: newest, though its id is the lowest
    async with db.transaction() as session:
        await session.execute(
            update(Order)
            .where(col(Order.id) == decode_global_id(orders[0], argument="id")[1])
            .values(created_at=LATER)
        )
    references = [inquiry_reference(pk) for pk in inquiries]
    return Listed(
        token=admin,
        expected={
            "orders": [orders[0], orders[2], orders[1]],
            "inquiries": [references[3], references[2], references[1], references[0]],
            "auditLog": ["d", "c", "b", "a"],
        },
    )


async def _walk(http: GraphQLClient, query: str, field: str, key: str) -> list[str]:
    """Every row of the list, following `endCursor` page by page."""
    seen: list[str] = []
    after = None
    while True:
        page = (await http.data(query, {"after": after}))[field]
        seen += [node[key] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def test_each_list_pages_newest_first_with_ties_by_id_on_each_backend(
    any_db: Database, settings: Settings
) -> None:
    # given rows stamped by the database and by the application, two of them at one moment
    listed = await _seed(any_db, settings)
    # when each list is read two rows at a time
    async with graphql_client(settings, any_db) as anyone:
        http = anyone.as_(listed.token)
        walked = {
            field: await _walk(http, query, field, key) for field, (query, key) in LISTS.items()
        }
    # then every row comes once, newest first, the later id first among equal moments
    assert walked == listed.expected


def _forged(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def _bad_cursors(tag: str, other_tag: str) -> dict[str, str]:
    moment = "2026-01-01T09:00:00+00:00"
    valid = _forged(tag, moment, 1)
    return {
        "garbage": "not-a-cursor",
        "empty": "",
        "another list's": _forged(other_tag, moment, 1),
        "the products' newest": _forged("newest", moment, 1),
        "moment not text": _forged(tag, 1, 1),
        "id as text": _forged(tag, moment, "1"),
        "id as boolean": _forged(tag, moment, True),
        "id as float": _forged(tag, moment, 1.5),
        "id missing": _forged(tag, moment),
        "key too long": _forged(tag, moment, 1, 2),
        "an object": base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        "not a moment": _forged(tag, "yesterday", 1),
        "NUL in the moment": _forged(tag, moment + "\x00", 1),
        "NUL after a valid cursor": valid + "\x00",
        "NUL inside a valid cursor": valid[:4] + "\x00" + valid[4:],
        "moment beyond UTC": _forged(tag, "0001-01-01T00:00:00+05:00", 1),
        "id beyond 64 bits": _forged(tag, moment, 2**64),
        "nested too deep": base64.urlsafe_b64encode(b"[" * 740).decode(),
        "huge": "A" * 100_000,
    }


def _refusal(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [
        (error["extensions"]["code"], error["extensions"].get("argument"))
        for error in body.get("errors", [])
    ]


@pytest.mark.parametrize(
    ("field", "tag", "other_tag"),
    [
        ("orders", "order_newest", "inquiry_newest"),
        ("inquiries", "inquiry_newest", "audit_newest"),
        ("auditLog", "audit_newest", "order_newest"),
    ],
)
async def test_a_cursor_the_list_did_not_issue_is_bad_input_on_after_never_internal(
    any_db: Database, settings: Settings, field: str, tag: str, other_tag: str
) -> None:
    # given a caller who may read the list, and a real cursor that works
    listed = await _seed(any_db, settings)
    query, key = LISTS[field]
    async with graphql_client(settings, any_db) as anyone:
        http = anyone.as_(listed.token)
        first = (await http.data(query, {}))[field]
        real = await http.data(query, {"after": first["pageInfo"]["endCursor"]})
        # when the list is asked for the page after each cursor it did not issue
        answers = {
            name: await http.post(query, {"after": cursor})
            for name, cursor in _bad_cursors(tag, other_tag).items()
        }
    # then the real cursor pages on, and every other one is refused on `after`, and nothing
    # else is answered (no rows of some other position in the list)
    assert [node[key] for node in real[field]["nodes"]] == listed.expected[field][2:4]
    refusals = {name: _refusal(body) for name, body in answers.items()}
    assert refusals == {name: [("BAD_USER_INPUT", "after")] for name in answers}
    assert all(not (body["data"] or {}).get(field) for body in answers.values())
