"""Receivables aging equals a recomputation here, in Python, from the same ledger entries:
each receivable's balance at the end of the day, bucketed by days past its due date."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from admin_queries.reports.aging import overdue_receivables_totals
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.clients import ClientCompany
from models.ledger import LedgerEntry, LedgerEntryKind, Receivable, ReceivableStatus
from models.money import round_money
from models.orders import Order, OrderStatus
from models.outbox import OutboxEvent
from tests.callers import context_for, error_codes, make_client_company, principal_of, token_for
from tests.graphql_client import GraphQLClient, graphql_client

TODAY = datetime.now(UTC).date()
BUCKETS = ("current", "days1To30", "days31To60", "days61To90", "over90Days")
AGING = """query($asOf: Date, $first: Int! = 50, $client: ID) {
  receivablesAging(asOf: $asOf, first: $first, clientId: $client) {
    asOf
    rows { client { name } buckets { ...amounts } }
    totals { ...amounts } } }
fragment amounts on AgingBuckets {
  currency current { amount } days1To30 { amount } days31To60 { amount }
  days61To90 { amount } over90Days { amount } overdue { amount } total { amount } }"""


@dataclass
class Posted:
    receivable: Receivable
    client: str
    entries: list[tuple[datetime, Decimal]]


@pytest.fixture
async def api(settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(settings, db) as client:
        yield client


def _moment(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


async def _event(session: AsyncSession) -> int:
    event = OutboxEvent(event_type="order.confirmed", payload={}, available_at=datetime.now(UTC))
    session.add(event)
    await session.flush()
    assert event.id is not None
    return event.id


async def _receivable(
    session: AsyncSession,
    company: ClientCompany,
    currency: str,
    due: date | None,
    entries: list[tuple[date, str]],
) -> Posted:
    """A confirmed order's receivable with its invoice and payments (or reversal) posted on
    the given days; its balance is their sum, created with its invoice and settled by its
    last entry when nothing is owed, as the ledger keeps it."""
    assert company.id is not None
    order = Order(
        client_company_id=company.id,
        request_hash="0" * 64,
        status=OrderStatus.CONFIRMED,
        currency=currency,
        incoterm="FOB",
        total=Decimal(entries[0][1]),
        credit_currency=currency,
        fx_rate=Decimal(1),
    )
    session.add(order)
    await session.flush()
    assert order.id is not None
    posted = [(_moment(day), Decimal(amount)) for day, amount in entries]
    balance = sum((amount for _, amount in posted), Decimal(0))
    receivable = Receivable(
        order_id=order.id,
        client_company_id=company.id,
        currency=currency,
        amount=posted[0][1],
        balance=balance,
        due_date=due,
        status=ReceivableStatus.OPEN if balance > 0 else ReceivableStatus.SETTLED,
        created_at=posted[0][0],
        settled_at=None if balance > 0 else max(moment for moment, _ in posted),
    )
    session.add(receivable)
    await session.flush()
    assert receivable.id is not None
    for index, (moment, amount) in enumerate(posted):
        kind = LedgerEntryKind.INVOICE if index == 0 else LedgerEntryKind.PAYMENT
        session.add(
            LedgerEntry(
                receivable_id=receivable.id,
                kind=kind,
                amount=amount,
                currency=currency,
                event_id=await _event(session),
                created_at=moment,
            )
        )
    await session.flush()
    return Posted(receivable, company.name, posted)


async def _books(session: AsyncSession) -> list[Posted]:
    """Three clients' receivables in two currencies, due at every age, part paid, paid off,
    invoiced after a past day, and without a due date yet."""
    picks = random.Random(90)
    companies = [
        await make_client_company(session, name=name) for name in ("Hanse", "Demir", "Osaka")
    ]
    books = []
    for _ in range(40):
        company = picks.choice(companies)
        currency = picks.choice(["USD", "EUR"])
        invoiced = TODAY - timedelta(days=picks.randrange(0, 200))
        amount = Decimal(picks.randrange(10_000, 500_000)) / 100
        entries = [(invoiced, str(amount))]
        for _ in range(picks.randrange(0, 3)):
            paid_on = invoiced + timedelta(days=picks.randrange(0, (TODAY - invoiced).days + 1))
            entries.append((paid_on, str(-(amount / 4).quantize(Decimal("0.01")))))
        if picks.random() < 0.15:  # paid off
            rest = sum(Decimal(value) for _, value in entries)
            entries.append((TODAY - timedelta(days=picks.randrange(0, 5)), str(-rest)))
        due = None if picks.random() < 0.1 else invoiced + timedelta(days=picks.choice([0, 30]))
        books.append(await _receivable(session, company, currency, due, entries))
    return books


def _expected(books: list[Posted], as_of: date) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows and per-currency totals, as the report is documented, recomputed from entries."""
    end = _moment(as_of + timedelta(days=1), 0)
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 5)
    for posted in books:
        owed = sum((amount for moment, amount in posted.entries if moment < end), Decimal(0))
        if owed <= 0:
            continue
        due = posted.receivable.due_date
        late = 0 if due is None else (as_of - due).days
        bucket = (
            0 if late <= 0 else 1 if late <= 30 else 2 if late <= 60 else 3 if late <= 90 else 4
        )
        sums[(posted.client, posted.receivable.currency)][bucket] += owed
    rows = sorted(
        sums.items(), key=lambda item: (-item[1][4], -sum(item[1][1:]), item[0][0], item[0][1])
    )
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 5)
    for (_, currency), amounts in sums.items():
        totals[currency] = [a + b for a, b in zip(totals[currency], amounts, strict=True)]
    return (
        [{"client": {"name": client}, "buckets": _shown(currency, amounts)}
         for (client, currency), amounts in rows],
        {currency: _shown(currency, amounts) for currency, amounts in totals.items()},
    )  # fmt: skip


def _shown(currency: str, amounts: list[Decimal]) -> dict[str, Any]:
    def money(amount: Decimal) -> dict[str, str]:
        return {"amount": str(round_money(amount, currency))}

    return {
        "currency": currency,
        **{name: money(amount) for name, amount in zip(BUCKETS, amounts, strict=True)},
        "overdue": money(sum(amounts[1:], Decimal(0))),
        "total": money(sum(amounts, Decimal(0))),
    }


async def _aging(api: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    report: dict[str, Any] = (await api.as_(token).data(AGING, variables))["receivablesAging"]
    return report


def _sorted_like_report(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows by over-90, then overdue, descending; ties in any order (client ids differ)."""
    return sorted(
        (
            -Decimal(row["buckets"]["over90Days"]["amount"]),
            -Decimal(row["buckets"]["overdue"]["amount"]),
            row["client"]["name"],
            row["buckets"]["currency"],
            str(row),
        )
        for row in rows
    )


async def test_todays_aging_equals_a_recomputation_from_the_entries(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    # given receivables at every age, in two currencies
    async with db.transaction() as session:
        books = await _books(session)
        token = await token_for(session, settings, Role.FINANCE)
    # when finance asks for today's aging
    report = await _aging(api, token)
    # then each client's amounts by age and the totals per currency are the recomputed ones
    rows, totals = _expected(books, TODAY)
    assert report["asOf"] == TODAY.isoformat()
    assert _sorted_like_report(report["rows"]) == _sorted_like_report(rows)
    over_90 = [Decimal(row["buckets"]["over90Days"]["amount"]) for row in report["rows"]]
    assert over_90 == sorted(over_90, reverse=True)
    assert {row["currency"]: row for row in report["totals"]} == totals
    assert [row["currency"] for row in report["totals"]] == sorted(totals)
    # and the books reach every bucket
    for bucket in BUCKETS:
        assert any(Decimal(row[bucket]["amount"]) > 0 for row in report["totals"]), bucket


async def test_sqlite_ages_the_same_books_alike(settings: Settings, any_db: Database) -> None:
    async with any_db.transaction() as session:
        books = await _books(session)
        token = await token_for(session, settings, Role.FINANCE)
    as_of = TODAY - timedelta(days=20)
    async with graphql_client(settings, any_db) as api:
        report = await _aging(api, token, asOf=as_of.isoformat())
    rows, totals = _expected(books, as_of)
    assert _sorted_like_report(report["rows"]) == _sorted_like_report(rows)
    assert {row["currency"]: row for row in report["totals"]} == totals


async def test_a_past_day_counts_what_was_owed_then(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        books = await _books(session)
        token = await token_for(session, settings, Role.ADMIN)
    as_of = TODAY - timedelta(days=45)
    report = await _aging(api, token, asOf=as_of.isoformat())
    rows, totals = _expected(books, as_of)
    # payments since, and receivables invoiced since, do not count; one paid off since does
    assert rows != _expected(books, TODAY)[0]
    assert _sorted_like_report(report["rows"]) == _sorted_like_report(rows)
    assert {row["currency"]: row for row in report["totals"]} == totals


@pytest.mark.parametrize("days_back", [1, 60, 150, 400])
async def test_any_past_day_recent_or_far_back_counts_what_was_owed_then(
    api: GraphQLClient, db: Database, settings: Settings, days_back: int
) -> None:
    # given books invoiced over the last 200 days: a day in the older half is summed from the
    # entries before it, a recent one from the balances less the entries after it
    async with db.transaction() as session:
        books = await _books(session)
        token = await token_for(session, settings, Role.FINANCE)
    as_of = TODAY - timedelta(days=days_back)
    report = await _aging(api, token, asOf=as_of.isoformat())
    rows, totals = _expected(books, as_of)
    assert _sorted_like_report(report["rows"]) == _sorted_like_report(rows)
    assert {row["currency"]: row for row in report["totals"]} == totals
    assert bool(rows) is (days_back < 200)  # nothing was invoiced 400 days ago


async def test_one_client_and_the_first_rows_only_narrow_the_rows(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        books = await _books(session)
        token = await token_for(session, settings, Role.FINANCE)
    rows, totals = _expected(books, TODAY)
    # the first two rows, and the totals of everyone
    report = await _aging(api, token, first=2)
    assert len(report["rows"]) == 2
    assert {row["currency"]: row for row in report["totals"]} == totals
    # one client's rows, and its totals
    hanse = next(p.receivable.client_company_id for p in books if p.client == "Hanse")
    report = await _aging(api, token, client=encode_global_id("ClientCompany", hanse))
    mine = [p for p in books if p.client == "Hanse"]
    rows, totals = _expected(mine, TODAY)
    assert {row["client"]["name"] for row in report["rows"]} == {"Hanse"}
    assert _sorted_like_report(report["rows"]) == _sorted_like_report(rows)
    assert {row["currency"]: row for row in report["totals"]} == totals


async def test_the_home_screen_total_is_todays_overdue_per_currency(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        books = await _books(session)
        token = await token_for(session, settings, Role.FINANCE)
    ctx = context_for(db, settings, await principal_of(db, settings, token))
    totals = await overdue_receivables_totals(ctx)
    _, expected = _expected(books, TODAY)
    assert {
        buckets.currency: str(round_money(buckets.overdue, buckets.currency)) for buckets in totals
    } == {currency: shown["overdue"]["amount"] for currency, shown in expected.items()}


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"asOf": (TODAY + timedelta(days=1)).isoformat()}, "asOf"),
        ({"asOf": "0001-01-01"}, "asOf"),
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"client": "not an id"}, "clientId"),
        ({"client": encode_global_id("Order", 1)}, "clientId"),
    ],
)
async def test_hostile_arguments_are_refused_naming_them(
    api: GraphQLClient, db: Database, settings: Settings, variables: dict[str, Any], argument: str
) -> None:
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.FINANCE)
    body = await api.as_(token).post(AGING, variables)
    assert error_codes(body) == [("receivablesAging", "BAD_USER_INPUT")]
    assert body["errors"][0]["extensions"]["argument"] == argument


@pytest.mark.parametrize(
    ("role", "served"),
    [
        (Role.ADMIN, True),
        (Role.FINANCE, True),
        (Role.SALES, False),
        (Role.SUPPORT, False),
        (Role.CATALOG_MANAGER, False),
        (Role.CLIENT, False),
    ],
)
async def test_only_finance_reads_the_aging(
    api: GraphQLClient, db: Database, settings: Settings, role: Role, served: bool
) -> None:
    async with db.transaction() as session:
        books = await _books(session)
        company = await make_client_company(session, name="Own") if role is Role.CLIENT else None
        token = await token_for(session, settings, role, company=company)
    body = await api.as_(token).post(AGING)
    if served:
        assert error_codes(body) == []
        assert len(body["data"]["receivablesAging"]["rows"]) == len(_expected(books, TODAY)[0])
    else:
        assert error_codes(body) == [("receivablesAging", "FORBIDDEN")]
        assert body["data"] == {"receivablesAging": None}


@pytest.mark.parametrize(
    "variables",
    [
        {"asOf": "2026-13-45"},
        {"asOf": "yesterday"},
        {"asOf": "2026-12-06T10:00:00"},
        {"client": "\u0000"},
        {"client": "x" * 100_000},
        {"first": 2**40},
    ],
)
async def test_malformed_values_are_refused_before_any_query(
    api: GraphQLClient, db: Database, settings: Settings, variables: dict[str, Any]
) -> None:
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.FINANCE)
    body = await api.as_(token).post(AGING, variables)
    assert body.get("data") in (None, {"receivablesAging": None}), body
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}
