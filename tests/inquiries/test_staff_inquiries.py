"""The staff inquiry list: every filter and sort (age, value), keyset pages of any size that
hold while inquiries arrive between pages, constant SQL, and hostile arguments refused."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.db import Database
from core.global_id import decode_global_id, encode_global_id
from core.settings import Settings
from models.accounts import Role, User
from models.clients import ClientCompany
from models.inquiries import (
    Inquiry,
    InquirySource,
    InquiryStatus,
    Lead,
    LostReasonCode,
    Quote,
    QuoteStatus,
)
from tests.callers import error_codes, make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.paging import PAGE_SIZES, page_through
from tests.user_builders import make_user, session_for

St, Q = InquiryStatus, QuoteStatus
NOW = datetime.now(UTC)
TODAY = NOW.date()
_leads = count(1)

STAFF_INQUIRIES = """
query($first: Int, $after: String, $filter: StaffInquiryFilter, $sortBy: StaffInquirySort) {
  staffInquiries(first: $first, after: $after, filter: $filter, sortBy: $sortBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id reference status fromGuest createdAt quotes { revision total { amount } } }
  }
}
"""


async def make_inquiry(
    session: AsyncSession,
    *,
    days_old: float,
    company: ClientCompany | None = None,
    status: InquiryStatus = InquiryStatus.NEW,
    assignee: User | None = None,
    quotes: tuple[tuple[str, QuoteStatus, int], ...] = (),
) -> Inquiry:
    """An inquiry submitted `days_old` days ago, from `company` or else a guest, with quotes
    (total, status, days until it expires) as revisions 1, 2, ..."""
    lead_id = None
    if company is None:
        lead = Lead(
            email=f"lead{next(_leads)}@guest.example", company_name="Guest Co", country="FR"
        )
        session.add(lead)
        await session.flush()
        lead_id = lead.id
    inquiry = Inquiry(
        client_company_id=None if company is None else company.id,
        lead_id=lead_id,
        incoterm="FOB",
        named_place="Hamburg",
        status=status,
        source=InquirySource.CLIENT_USER if lead_id is None else InquirySource.STOREFRONT_GUEST,
        lost_reason_code=LostReasonCode.OTHER if status == InquiryStatus.LOST else None,
        assigned_to_user_id=None if assignee is None else assignee.id,
        created_at=NOW - timedelta(days=days_old),
    )
    session.add(inquiry)
    await session.flush()
    assert inquiry.id is not None
    for revision, (total, quote_status, valid_days) in enumerate(quotes, start=1):
        session.add(
            Quote(
                inquiry_id=inquiry.id,
                revision=revision,
                status=quote_status,
                currency="USD",
                valid_until=TODAY + timedelta(days=valid_days),
                lead_time_days=30,
                incoterm=inquiry.incoterm,
                named_place=inquiry.named_place,
                total=Decimal(total),
            )
        )
    await session.flush()
    return inquiry


@dataclass
class World:
    company: ClientCompany
    other: ClientCompany
    ana: User
    ben: User
    inquiries: list[Inquiry]
    staff: GraphQLClient
    staff_token: str
    client_user: GraphQLClient


async def _world(db: Database, settings: Settings, http: GraphQLClient) -> World:
    """Eighteen inquiries of two clients and guests, ties on age and on value."""
    async with db.transaction() as session:
        company = await make_client_company(session, name="Hanse Textil GmbH")
        other = await make_client_company(session, name="Bombay Cotton Mills", country="IN")
        ana = await make_user(session, Role.SALES)
        ben = await make_user(session, Role.SALES)
        rows = [
            await make_inquiry(session, days_old=40, company=company),
            await make_inquiry(session, days_old=30, company=company, status=St.ASSIGNED,
                               assignee=ana),
            await make_inquiry(session, days_old=30, status=St.QUOTED, assignee=ben,
                               quotes=(("500.00", Q.SUPERSEDED, 3), ("450.00", Q.OPEN, 5))),
            await make_inquiry(session, days_old=20, company=other, status=St.QUOTED,
                               assignee=ana, quotes=(("450.00", Q.OPEN, 20),)),
            await make_inquiry(session, days_old=10, company=other, status=St.WON,
                               assignee=ana, quotes=(("9000.00", Q.CONVERTED, 1),)),
            await make_inquiry(session, days_old=5, status=St.LOST, assignee=ben,
                               quotes=(("75.50", Q.WITHDRAWN, -2),)),
            await make_inquiry(session, days_old=2, company=company, status=St.QUOTED,
                               assignee=ben, quotes=(("1200.00", Q.OPEN, -1),)),
            await make_inquiry(session, days_old=0.5),
        ]  # fmt: skip
        for n in range(10):
            rows.append(
                await make_inquiry(
                    session,
                    days_old=(n // 2) + 1.25,
                    company=(company, other, None)[n % 3],
                    status=St.QUOTED if n % 2 else St.NEW,
                    assignee=(ana, ben, None)[n % 3] if n % 2 else None,
                    quotes=((f"{(n * 53) % 400 + 10}.{n:02d}", Q.OPEN, n - 4),) if n % 2 else (),
                )
            )
        staff_token = (await session_for(session, ana, settings)).access_token
        client_user = http.as_(await token_for(session, settings, Role.CLIENT, company=company))
    return World(company, other, ana, ben, rows, http.as_(staff_token), staff_token, client_user)


def _pk(node: dict[str, Any]) -> int:
    return decode_global_id(node["id"], argument="id")[1]


def _created(node: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(node["createdAt"])


def _value(node: dict[str, Any]) -> Decimal:
    quotes = node["quotes"]
    if not quotes:
        return Decimal(0)
    return Decimal(max(quotes, key=lambda quote: quote["revision"])["total"]["amount"])


SORT_KEYS: dict[str, tuple[Callable[[dict[str, Any]], tuple[Any, ...]], bool]] = {
    "OLDEST_FIRST": (lambda n: (_created(n), _pk(n)), False),
    "NEWEST_FIRST": (lambda n: (_created(n), _pk(n)), True),
    "VALUE_HIGHEST": (lambda n: (_value(n), _pk(n)), True),
    "VALUE_LOWEST": (lambda n: (_value(n), _pk(n)), False),
}


def _in_order(nodes: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    key, descending = SORT_KEYS[sort]
    return sorted(nodes, key=key, reverse=descending)


def _ids(rows: list[Inquiry]) -> set[str]:
    return {encode_global_id("Inquiry", row.id) for row in rows if row.id is not None}


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("size", PAGE_SIZES)
async def test_every_sort_pages_each_inquiry_once_in_order_even_while_inquiries_arrive(
    db: Database, settings: Settings, client: GraphQLClient, sort: str, size: int
) -> None:
    world = await _world(db, settings, client)
    everything = await page_through(world.staff, STAFF_INQUIRIES, "staffInquiries", 100,
                                    {"sortBy": sort})  # fmt: skip
    assert {node["id"] for node in everything} == _ids(world.inquiries)
    assert everything == _in_order(everything, sort)
    paged = await page_through(
        world.staff, STAFF_INQUIRIES, "staffInquiries", size, {"sortBy": sort}
    )
    assert paged == everything

    arrived: list[Inquiry] = []

    async def arrive(page: int) -> None:
        if page > 4:  # or a list read one row a page would never end
            return
        async with db.transaction() as session:
            for days, quotes in (
                (100, ()),
                (20, (("450.00", Q.OPEN, 9),)),
                (0, (("1.00", Q.OPEN, 9),)),
            ):
                arrived.append(
                    await make_inquiry(session, days_old=days, company=world.company, quotes=quotes)
                )

    while_arriving = await page_through(
        world.staff, STAFF_INQUIRIES, "staffInquiries", size, {"sortBy": sort}, between=arrive
    )
    ids = [node["id"] for node in while_arriving]
    assert len(ids) == len(set(ids)), "no inquiry is listed twice"
    assert _ids(world.inquiries) <= set(ids), "every inquiry there was is listed"
    assert set(ids) <= _ids(world.inquiries) | _ids(arrived)
    assert while_arriving == _in_order(while_arriving, sort)


def _age(row: Inquiry) -> timedelta:
    assert row.created_at is not None
    return NOW - row.created_at


FILTERS: list[Any] = [
    pytest.param(lambda w: {"status": ["QUOTED", "LOST"]},
                 lambda w, r: r.status in (St.QUOTED, St.LOST), id="status"),
    pytest.param(lambda w: {"assignedTo": encode_global_id("User", w.ben.id)},
                 lambda w, r: r.assigned_to_user_id == w.ben.id, id="assignee"),
    pytest.param(lambda w: {"unassigned": True},
                 lambda w, r: r.assigned_to_user_id is None, id="unassigned"),
    pytest.param(lambda w: {"unassigned": False},
                 lambda w, r: r.assigned_to_user_id is not None, id="assigned"),
    pytest.param(lambda w: {"origin": "GUEST"}, lambda w, r: r.lead_id is not None, id="guests"),
    pytest.param(lambda w: {"origin": "CLIENT"},
                 lambda w, r: r.client_company_id is not None, id="clients"),
    pytest.param(lambda w: {"client": encode_global_id("ClientCompany", w.other.id)},
                 lambda w, r: r.client_company_id == w.other.id, id="one-client"),
    pytest.param(lambda w: {"olderThanDays": 10},
                 lambda w, r: _age(r) >= timedelta(days=10), id="older-than"),
    pytest.param(lambda w: {"olderThanDays": 0}, lambda w, r: True, id="older-than-zero"),
    pytest.param(lambda w: {"createdFrom": (NOW - timedelta(days=25)).isoformat(),
                            "createdTo": (NOW - timedelta(days=3)).isoformat()},
                 lambda w, r: timedelta(days=3) <= _age(r) <= timedelta(days=25),
                 id="created-range"),
    pytest.param(lambda w: {"quoteExpiringBefore": (TODAY + timedelta(days=6)).isoformat()},
                 None, id="quote-expiring"),
    pytest.param(lambda w: {"origin": "CLIENT", "status": ["QUOTED"],
                            "assignedTo": encode_global_id("User", w.ana.id)},
                 lambda w, r: r.client_company_id is not None and r.status is St.QUOTED
                 and r.assigned_to_user_id == w.ana.id, id="together"),
]  # fmt: skip


async def _open_quote_days(db: Database) -> dict[int, date]:
    async with db.transaction() as session:
        found = await session.execute(
            select(col(Quote.inquiry_id), col(Quote.valid_until)).where(
                col(Quote.status) == Q.OPEN.value
            )
        )
        return {row[0]: row[1] for row in found}


@pytest.mark.parametrize(("make_filter", "matches"), FILTERS)
async def test_each_filter_lists_exactly_the_matching_inquiries_at_any_page_size(
    db: Database, settings: Settings, client: GraphQLClient, make_filter: Any, matches: Any
) -> None:
    world = await _world(db, settings, client)
    if matches is None:
        open_until = await _open_quote_days(db)
        limit = TODAY + timedelta(days=6)
        expected = [r for r in world.inquiries if r.id in open_until and open_until[r.id] < limit]
    else:
        expected = [r for r in world.inquiries if matches(world, r)]
    if make_filter(world) != {"olderThanDays": 0}:
        assert expected, "a filter that keeps nothing proves little"
        assert len(expected) < len(world.inquiries), "nor one that keeps everything"
    arguments = {"filter": make_filter(world)}
    for sort in ("OLDEST_FIRST", "VALUE_HIGHEST"):
        listed = await page_through(world.staff, STAFF_INQUIRIES, "staffInquiries", 100,
                                    {**arguments, "sortBy": sort})  # fmt: skip
        assert {node["id"] for node in listed} == _ids(expected)
        assert listed == _in_order(listed, sort)
        for size in (1, 7):
            assert await page_through(world.staff, STAFF_INQUIRIES, "staffInquiries", size,
                                      {**arguments, "sortBy": sort}) == listed  # fmt: skip
    body = await world.staff.post(STAFF_INQUIRIES, {**arguments, "first": 1})
    assert body["data"]["staffInquiries"]["totalCount"] == len(expected)


async def test_value_is_the_latest_revision_and_zero_without_a_quote(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    world = await _world(db, settings, client)
    listed = await page_through(world.staff, STAFF_INQUIRIES, "staffInquiries", 100,
                                {"sortBy": "VALUE_LOWEST"})  # fmt: skip
    by_id = {node["id"]: node for node in listed}
    (revised_id,) = _ids([world.inquiries[2]])
    revised = by_id[revised_id]
    assert _value(revised) == Decimal("450.00"), "the latest revision, not the highest"
    unquoted = [node for node in listed if not node["quotes"]]
    assert unquoted
    assert listed[: len(unquoted)] == unquoted, "no quote sorts as 0, first"


async def test_a_client_user_cannot_read_the_staff_list_but_keeps_its_own_inquiries(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    world = await _world(db, settings, client)
    body = await world.client_user.post(STAFF_INQUIRIES, {"first": 100})
    assert body["data"]["staffInquiries"] is None
    assert error_codes(body) == [("staffInquiries", "FORBIDDEN")]
    own = await world.client_user.post("{ inquiries(first: 100) { nodes { id } } }")
    mine = [row for row in world.inquiries if row.client_company_id == world.company.id]
    assert {node["id"] for node in own["data"]["inquiries"]["nodes"]} == _ids(mine)


NESTED = """
query($first: Int) { staffInquiries(first: $first, sortBy: VALUE_HIGHEST) {
  totalCount nodes { reference client { name } assignedTo { email } items { quantity }
                     quotes { revision total { amount } lines { quantity } } } } }
"""


async def test_a_page_costs_the_same_statements_whatever_its_size(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    world = await _world(db, settings, client)
    counted = settings.model_copy(update={"debug_extensions": True})
    counts = {}
    async with graphql_client(counted, db) as http:
        staff = http.as_(world.staff_token)
        for first in (1, 7, 100):
            body = await staff.post_with_extensions(NESTED, {"first": first})
            assert "errors" not in body, body
            assert len(body["data"]["staffInquiries"]["nodes"]) == min(first, 18)
            counts[first] = body["extensions"]["sqlStatements"]
    assert counts[1] == counts[7] == counts[100], counts


def _cursor(tag: str, *key: Any) -> str:
    raw = json.dumps([tag, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


HOSTILE: list[Any] = [
    pytest.param({"filter": {"status": []}}, "filter.status", id="no-status"),
    pytest.param({"filter": {"assignedTo": "not-an-id"}}, "filter.assignedTo", id="bad-user-id"),
    pytest.param({"filter": {"assignedTo": encode_global_id("Order", 1)}}, "filter.assignedTo",
                 id="id-of-another-type"),
    pytest.param({"filter": {"assignedTo": "x" * 100_000}}, "filter.assignedTo",
                 id="huge-user-id"),
    pytest.param({"filter": {"assignedTo": "VXNlcjox\x00"}}, "filter", id="nul-in-user-id"),
    pytest.param({"filter": {"assignedTo": encode_global_id("User", 1), "unassigned": True}},
                 "filter.unassigned", id="assigned-and-unassigned"),
    pytest.param({"filter": {"origin": "GUEST", "client": encode_global_id("ClientCompany", 1)}},
                 "filter.client", id="a-guest-of-a-client"),
    pytest.param({"filter": {"olderThanDays": -1}}, "filter.olderThanDays", id="negative-age"),
    pytest.param({"filter": {"olderThanDays": 36_501}}, "filter.olderThanDays", id="huge-age"),
    pytest.param({"filter": {"createdFrom": "2026-11-02T00:00:00Z",
                             "createdTo": "2026-11-01T00:00:00Z"}}, "filter.createdTo",
                 id="from-after-to"),
    pytest.param({"first": 0}, "first", id="empty-page"),
    pytest.param({"after": "not a cursor"}, "after", id="garbage-cursor"),
    pytest.param({"after": _cursor("staff_inquiries:newest_first", "2026-11-01T09:00:00+00:00",
                                   1)}, "after", id="cursor-of-another-sort"),
    pytest.param({"after": _cursor("staff_orders:placed_oldest", "2026-11-01T09:00:00+00:00",
                                   1)}, "after", id="cursor-of-another-list"),
    pytest.param({"sortBy": "VALUE_HIGHEST",
                  "after": _cursor("staff_inquiries:value_highest", "1e999999", 1)}, "after",
                 id="cursor-with-a-huge-value"),
    pytest.param({"sortBy": "VALUE_HIGHEST",
                  "after": _cursor("staff_inquiries:value_highest", "1.00", 2**64)}, "after",
                 id="cursor-with-a-huge-id"),
]  # fmt: skip


@pytest.mark.parametrize(("variables", "argument"), HOSTILE)
async def test_hostile_arguments_are_refused_naming_the_argument(
    db: Database,
    settings: Settings,
    client: GraphQLClient,
    variables: dict[str, Any],
    argument: str,
) -> None:
    async with db.transaction() as session:
        staff = client.as_(await token_for(session, settings, Role.SALES))
    body = await staff.post(STAFF_INQUIRIES, {"first": 5, **variables})
    assert body["data"] is None or body["data"]["staffInquiries"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"].get("argument") == argument, error


@pytest.mark.parametrize(
    "filter_",
    [
        {"quoteExpiringBefore": "2026-02-30"},
        {"quoteExpiringBefore": "tomorrow"},
        {"createdFrom": "2026-13-01T00:00:00Z"},
        {"olderThanDays": 2**40},
        {"quoteExpiringBefore": "9" * 5000},
    ],
)
async def test_a_date_or_number_that_is_none_is_a_coded_error(
    db: Database, settings: Settings, client: GraphQLClient, filter_: dict[str, Any]
) -> None:
    async with db.transaction() as session:
        staff = client.as_(await token_for(session, settings, Role.SALES))
    body = await staff.post(STAFF_INQUIRIES, {"first": 5, "filter": filter_})
    assert body["data"] is None
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes
    assert codes <= {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}, body


async def test_an_id_beyond_every_key_names_nothing_and_lists_nothing(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    world = await _world(db, settings, client)
    beyond = base64.b64encode(b"ClientCompany:9999999999999999999999").decode()
    body = await world.staff.post(STAFF_INQUIRIES, {"first": 5, "filter": {"client": beyond}})
    assert "errors" not in body
    assert body["data"]["staffInquiries"]["totalCount"] == 0
    assert body["data"]["staffInquiries"]["nodes"] == []


async def test_every_sort_and_filter_reads_the_same_on_both_databases(
    any_db: Database, settings: Settings, any_client: GraphQLClient
) -> None:
    world = await _world(any_db, settings, any_client)
    for sort in SORT_KEYS:
        listed = await page_through(
            world.staff, STAFF_INQUIRIES, "staffInquiries", 7, {"sortBy": sort}
        )
        assert {node["id"] for node in listed} == _ids(world.inquiries)
        assert listed == _in_order(listed, sort)
    arguments = {
        "sortBy": "VALUE_LOWEST",
        "filter": {"origin": "CLIENT", "unassigned": False, "olderThanDays": 1,
                   "quoteExpiringBefore": (TODAY + timedelta(days=30)).isoformat()},
    }  # fmt: skip
    open_until = await _open_quote_days(any_db)
    expected = [
        r for r in world.inquiries
        if r.client_company_id is not None and r.assigned_to_user_id is not None
        and _age(r) >= timedelta(days=1) and r.id in open_until
        and open_until[r.id] < TODAY + timedelta(days=30)
    ]  # fmt: skip
    assert expected
    listed = await page_through(world.staff, STAFF_INQUIRIES, "staffInquiries", 1, arguments)
    assert {node["id"] for node in listed} == _ids(expected)
    assert listed == _in_order(listed, "VALUE_LOWEST")
