"""The inquiry funnel equals a count over the same inquiries done here in Python, by local day.

Inquiries are written directly with moments in the past (submission, first quote), statuses,
sources and assignees, around the period's edges in a reporting zone east of UTC.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.settings import Settings
from models.accounts import Role, User
from models.inquiries import Inquiry, InquirySource, InquiryStatus, Lead, LostReasonCode
from tests.callers import error_codes, make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.user_builders import make_user

ZONE = "Asia/Kolkata"  # UTC+05:30: a UTC evening is the next local day
FIRST_DAY, LAST_DAY = date(2026, 3, 1), date(2026, 3, 31)
FUNNEL = """query($from: Date!, $to: Date!, $by: FunnelGrouping!) {
  inquiryFunnel(from: $from, to: $to, by: $by) {
    from to
    total { received quoted won lost open medianHoursToFirstQuote }
    rows { source assignee { email }
           figures { received quoted won lost open medianHoursToFirstQuote } } } }"""


@dataclass
class Seeded:
    inquiries: list[Inquiry]
    sales: list[User]
    admin_token: str


@pytest.fixture
def zoned_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"reporting_timezone": ZONE})


@pytest.fixture
async def api(zoned_settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(zoned_settings, db) as client:
        yield client


async def _seed(
    session: AsyncSession,
    settings: Settings,
    count: int = 60,
    resolution: timedelta = timedelta(microseconds=1),
) -> Seeded:
    """Inquiries from mid-February to mid-April (UTC), some at local midnights and within
    `resolution` of them."""
    picks = random.Random(18)
    company = await make_client_company(session)
    lead = Lead(email="guest@funnel.example", company_name="Guest", country="TR")
    session.add(lead)
    await session.flush()
    sales = [await make_user(session, Role.SALES) for _ in range(3)]
    zone = ZoneInfo(ZONE)
    edges = [
        datetime(2026, 3, 1, tzinfo=zone),  # the period's first local moment
        datetime(2026, 4, 1, tzinfo=zone) - resolution,  # its last
        datetime(2026, 4, 1, tzinfo=zone),  # just after
        datetime(2026, 3, 1, tzinfo=zone) - resolution,  # just before
    ]
    inquiries = []
    for index in range(count):
        created = (
            edges[index].astimezone(UTC)
            if index < len(edges)
            else datetime(2026, 2, 14, tzinfo=UTC) + timedelta(minutes=picks.randrange(86_400))
        )
        status = picks.choice(list(InquiryStatus))
        quoted = status is InquiryStatus.QUOTED or (
            status is not InquiryStatus.NEW and picks.random() < 0.6
        )
        source = picks.choice(list(InquirySource))
        guest = source is InquirySource.STOREFRONT_GUEST
        assignee = None if status is InquiryStatus.NEW else picks.choice([*sales, None])
        inquiries.append(
            Inquiry(
                client_company_id=None if guest else company.id,
                lead_id=lead.id if guest else None,
                incoterm="FOB",
                named_place="Mumbai",
                status=status,
                source=source,
                assigned_to_user_id=None if assignee is None else assignee.id,
                lost_reason_code=LostReasonCode.PRICE if status is InquiryStatus.LOST else None,
                created_at=created,
                first_quoted_at=created + timedelta(minutes=picks.randrange(1, 20_000))
                if quoted
                else None,
            )
        )
    session.add_all(inquiries)
    await session.flush()
    return Seeded(inquiries, sales, await token_for(session, settings, Role.ADMIN))


def _figures(inquiries: list[Inquiry]) -> dict[str, Any]:
    waits = [
        (row.first_quoted_at - row.created_at).total_seconds() / 3_600
        for row in inquiries
        if row.first_quoted_at is not None and row.created_at is not None
    ]
    return {
        "received": len(inquiries),
        "quoted": len(waits),
        "won": sum(row.status == InquiryStatus.WON for row in inquiries),
        "lost": sum(row.status == InquiryStatus.LOST for row in inquiries),
        "open": sum(
            row.status in (InquiryStatus.NEW, InquiryStatus.ASSIGNED, InquiryStatus.QUOTED)
            for row in inquiries
        ),
        "medianHoursToFirstQuote": round(statistics.median(waits), 2) if waits else None,
    }


def _in_period(seeded: Seeded) -> list[Inquiry]:
    zone = ZoneInfo(ZONE)
    return [
        row
        for row in seeded.inquiries
        if row.created_at is not None
        and FIRST_DAY <= row.created_at.astimezone(zone).date() <= LAST_DAY
    ]


def _close(got: dict[str, Any], expected: dict[str, Any]) -> None:
    """Equal, the median within the 0.01 h it is rounded to."""
    median, wanted = got.pop("medianHoursToFirstQuote"), expected.pop("medianHoursToFirstQuote")
    assert got == expected
    assert (median is None) == (wanted is None)
    if median is not None:
        assert median == pytest.approx(wanted, abs=0.011)


async def _funnel(api: GraphQLClient, token: str, by: str) -> dict[str, Any]:
    report: dict[str, Any] = (
        await api.as_(token).data(
            FUNNEL, {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat(), "by": by}
        )
    )["inquiryFunnel"]
    return report


async def test_the_funnel_counts_the_inquiries_of_the_local_period(
    api: GraphQLClient, db: Database, zoned_settings: Settings
) -> None:
    # given inquiries around March 2026 in Kolkata, some at the period's very edges
    async with db.transaction() as session:
        seeded = await _seed(session, zoned_settings)
    expected = _in_period(seeded)
    # when the funnel of March is asked for, in total
    report = await _funnel(api, seeded.admin_token, "NONE")
    # then it counts exactly the inquiries submitted on a local day of March
    assert (report["from"], report["to"]) == ("2026-03-01", "2026-03-31")
    assert len(expected) < len(seeded.inquiries)
    _close(report["total"], _figures(expected))
    assert len(report["rows"]) == 1
    _close(report["rows"][0]["figures"], _figures(expected))


async def test_the_funnel_by_source_lists_every_source(
    api: GraphQLClient, db: Database, zoned_settings: Settings
) -> None:
    async with db.transaction() as session:
        seeded = await _seed(session, zoned_settings)
    expected = _in_period(seeded)
    report = await _funnel(api, seeded.admin_token, "SOURCE")
    by_source = {row["source"]: row["figures"] for row in report["rows"]}
    assert set(by_source) == {"STOREFRONT_GUEST", "CLIENT_USER", "STAFF"}
    for source in InquirySource:
        mine = [row for row in expected if row.source == source]
        _close(by_source[source.name], _figures(mine))
    _close(report["total"], _figures(expected))
    received = [row["figures"]["received"] for row in report["rows"]]
    assert received == sorted(received, reverse=True)


async def test_the_funnel_by_assignee_has_a_row_per_salesperson_and_one_unassigned(
    api: GraphQLClient, db: Database, zoned_settings: Settings
) -> None:
    async with db.transaction() as session:
        seeded = await _seed(session, zoned_settings)
    expected = _in_period(seeded)
    report = await _funnel(api, seeded.admin_token, "ASSIGNEE")
    emails = {user.id: user.email for user in seeded.sales}
    wanted: dict[str | None, list[Inquiry]] = {}
    for row in expected:
        email = None if row.assigned_to_user_id is None else emails[row.assigned_to_user_id]
        wanted.setdefault(email, []).append(row)
    got = {
        None if row["assignee"] is None else row["assignee"]["email"]: row["figures"]
        for row in report["rows"]
    }
    assert set(got) == set(wanted)
    for email, rows in wanted.items():
        _close(got[email], _figures(rows))


async def test_an_empty_period_has_zero_figures_and_no_median(
    api: GraphQLClient, db: Database, zoned_settings: Settings
) -> None:
    async with db.transaction() as session:
        token = await token_for(session, zoned_settings, Role.FINANCE)
    body = await api.as_(token).data(
        FUNNEL, {"from": "2001-01-01", "to": "2001-01-31", "by": "SOURCE"}
    )
    report = body["inquiryFunnel"]
    zero = {"received": 0, "quoted": 0, "won": 0, "lost": 0, "open": 0}
    assert report["total"] == {**zero, "medianHoursToFirstQuote": None}
    assert [row["figures"]["received"] for row in report["rows"]] == [0, 0, 0]


async def test_sqlite_counts_and_medians_as_postgresql_does(
    settings: Settings, any_db: Database
) -> None:
    # given the same inquiries on either database (SQLite has no percentile_cont, and
    # compares moments as julian days, to the millisecond)
    zoned = settings.model_copy(update={"reporting_timezone": ZONE})
    async with any_db.transaction() as session:
        seeded = await _seed(session, zoned, count=25, resolution=timedelta(milliseconds=1))
    async with graphql_client(zoned, any_db) as api:
        report = await _funnel(api, seeded.admin_token, "SOURCE")
    expected = _in_period(seeded)
    _close(report["total"], _figures(expected))
    for row in report["rows"]:
        mine = [item for item in expected if item.source.name == row["source"]]
        _close(row["figures"], _figures(mine))


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ({"from": "0001-01-01", "to": "2026-03-01"}, "from"),
        ({"from": "2026-03-01", "to": "9999-12-31"}, "to"),
        ({"from": "2000-01-01", "to": "2026-03-01"}, "from"),
    ],
)
async def test_hostile_periods_are_refused_naming_the_argument(
    api: GraphQLClient,
    db: Database,
    zoned_settings: Settings,
    variables: dict[str, str],
    argument: str,
) -> None:
    async with db.transaction() as session:
        token = await token_for(session, zoned_settings, Role.ADMIN)
    body = await api.as_(token).post(FUNNEL, {**variables, "by": "NONE"})
    assert error_codes(body) == [("inquiryFunnel", "BAD_USER_INPUT")]
    assert body["errors"][0]["extensions"]["argument"] == argument
    assert body["data"] == {"inquiryFunnel": None}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.ADMIN, True),
        (Role.SALES, True),
        (Role.FINANCE, True),
        (Role.CATALOG_MANAGER, True),
        (Role.SUPPORT, False),
    ],
)
async def test_the_funnel_follows_the_policy_table(
    api: GraphQLClient, db: Database, zoned_settings: Settings, role: Role, visible: bool
) -> None:
    async with db.transaction() as session:
        seeded = await _seed(session, zoned_settings, count=8)
        token = await token_for(session, zoned_settings, role)
    variables = {"from": "2026-01-01", "to": "2026-12-31", "by": "ASSIGNEE"}
    body = await api.as_(token).post(FUNNEL, variables)
    if not visible:
        assert body["data"] == {"inquiryFunnel": None}
        assert error_codes(body) == [("inquiryFunnel", "FORBIDDEN")]
        return
    assert error_codes(body) == []
    rows = body["data"]["inquiryFunnel"]["rows"]
    assert sum(row["figures"]["received"] for row in rows) == len(seeded.inquiries)
    assert any(row["assignee"] is not None for row in rows)


async def test_a_client_user_and_a_guest_reach_nothing(
    api: GraphQLClient, db: Database, zoned_settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        client = await token_for(session, zoned_settings, Role.CLIENT, company=company)
    variables = {"from": "2026-01-01", "to": "2026-12-31", "by": "NONE"}
    for token in (client, None):
        body = await api.as_(token).post(FUNNEL, variables)
        assert body["data"] == {"inquiryFunnel": None}
        assert {code for _, code in error_codes(body)} <= {"FORBIDDEN", "UNAUTHENTICATED"}
        assert error_codes(body)


@pytest.mark.parametrize(
    "variables",
    [
        {"from": "2026-13-45", "to": "2026-03-01", "by": "NONE"},
        {"from": "yesterday", "to": "2026-03-01", "by": "NONE"},
        {"from": "2026-03-01", "to": "\u0000", "by": "NONE"},
        {"from": "2026-03-01", "to": "2026-03-02", "by": "CLIENT"},
    ],
)
async def test_malformed_values_are_refused_before_any_query(
    api: GraphQLClient, db: Database, zoned_settings: Settings, variables: dict[str, str]
) -> None:
    async with db.transaction() as session:
        token = await token_for(session, zoned_settings, Role.ADMIN)
    body = await api.as_(token).post(FUNNEL, variables)
    assert body.get("data") in (None, {"inquiryFunnel": None}), body
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}
