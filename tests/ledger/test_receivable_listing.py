"""Finance's receivables listing: by due date (none yet last), filtered by client, due-date
range and overdue; paged at 1, 7 and 100 with receivables added between pages, every match
once and in order; the same statements at any page size; hostile arguments coded.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from admin_queries.clients import ORDERS as COMPANY_ORDERS
from admin_queries.clients import CompanySort
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.clients import ClientCompany
from models.ledger import NO_DUE_DATE, Receivable, ReceivableStatus
from models.orders import Order, OrderStatus
from tests.callers import error_codes, make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.paging import PAGE_SIZES

LIST = """query($first: Int!, $after: String, $filter: ReceivableFilter) {
  receivables(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { dueDate status balance { amount currency }
                          client { name } order { number } entries { kind } } } } }"""
TODAY = datetime.now(UTC).date()


@dataclass(frozen=True)
class Seed:
    company: int  # index into the seeded companies
    due: int | None  # days from today
    balance: str
    status: ReceivableStatus = ReceivableStatus.OPEN

    @property
    def due_date(self) -> date | None:
        return None if self.due is None else TODAY + timedelta(days=self.due)

    def overdue(self) -> bool:
        late = self.due_date is not None and self.due_date < TODAY
        return late and Decimal(self.balance) > 0 and self.status != ReceivableStatus.REVERSED


SEEDS = [
    Seed(0, -30, "100.00"),
    Seed(0, -30, "50.00", ReceivableStatus.PARTLY_SETTLED),  # same day: the id breaks the tie
    Seed(1, -1, "10.00"),
    Seed(1, -5, "0", ReceivableStatus.SETTLED),  # past due but paid
    Seed(0, -2, "0", ReceivableStatus.REVERSED),  # cancelled
    Seed(1, 0, "70.00"),  # due today: not yet overdue
    Seed(0, 10, "80.00"),
    Seed(1, 40, "90.00"),
    Seed(0, None, "60.00"),  # due from the bill of lading, still to come
    Seed(1, None, "40.00"),
]


@dataclass(frozen=True)
class Case:
    filter: Callable[[list[int]], dict[str, Any]]  # given the companies' ids
    matches: Callable[[Seed], bool]


CASES = {
    "everything": Case(lambda ids: {}, lambda s: True),
    "of one client": Case(
        lambda ids: {"client": encode_global_id("ClientCompany", ids[1])}, lambda s: s.company == 1
    ),
    "due in a range": Case(
        lambda ids: {
            "dueFrom": (TODAY - timedelta(days=5)).isoformat(),
            "dueTo": (TODAY + timedelta(days=10)).isoformat(),
        },
        lambda s: s.due is not None and -5 <= s.due <= 10,
    ),
    "overdue": Case(lambda ids: {"overdue": True}, lambda s: s.overdue()),
    "not overdue": Case(lambda ids: {"overdue": False}, lambda s: not s.overdue()),
    "one client's overdue": Case(
        lambda ids: {"client": encode_global_id("ClientCompany", ids[0]), "overdue": True},
        lambda s: s.company == 0 and s.overdue(),
    ),
}


async def _companies(db: Database) -> list[ClientCompany]:
    async with db.transaction() as session:
        return [
            await make_client_company(session, name="Hanse Textil GmbH"),
            await make_client_company(session, name="Lyon Tissus SA"),
        ]


async def _seed(db: Database, companies: list[ClientCompany], seeds: list[Seed]) -> dict[int, Seed]:
    made: dict[int, Seed] = {}
    async with db.transaction() as session:
        for seed in seeds:
            company = companies[seed.company]
            assert company.id is not None
            order = Order(
                client_company_id=company.id,
                request_hash="0" * 64,
                status=OrderStatus.CONFIRMED,
                currency="USD",
                incoterm="FOB",
                total=Decimal("100.00"),
                credit_currency="USD",
                fx_rate=Decimal(1),
            )
            session.add(order)
            await session.flush()
            assert order.id is not None
            receivable = Receivable(
                order_id=order.id,
                client_company_id=company.id,
                currency="USD",
                amount=Decimal("100.00"),
                balance=Decimal(seed.balance),
                due_date=seed.due_date,
                status=seed.status,
            )
            session.add(receivable)
            await session.flush()
            assert receivable.id is not None
            made[receivable.id] = seed
    return made


async def _token(db: Database, settings: Settings, role: Role = Role.FINANCE) -> str:
    async with db.transaction() as session:
        return await token_for(session, settings, role)


def _order_key(seed: Seed, pk: int) -> tuple[date, int]:
    return (seed.due_date or NO_DUE_DATE, pk)


async def _page_through(
    client: GraphQLClient, given: dict[str, Any], size: int, between: Callable[[], Any]
) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    after = None
    for _ in range(200):
        body = await client.post(LIST, {"first": size, "after": after, "filter": given})
        assert "errors" not in body, body
        page = body["data"]["receivables"]
        edges += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            return edges
        after = page["pageInfo"]["endCursor"]
        await between()
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize("size", PAGE_SIZES)
@pytest.mark.parametrize("case_name", list(CASES))
async def test_each_filter_pages_every_receivable_once_by_due_date_while_rows_are_added(
    db: Database, settings: Settings, case_name: str, size: int
) -> None:
    # given receivables of two clients, due at every distance, paid, reversed and undated
    case = CASES[case_name]
    companies = await _companies(db)
    seeded = await _seed(db, companies, SEEDS)
    token = await _token(db, settings)
    counter = itertools.count()

    async def add_receivables() -> None:
        # new receivables before the pages read so far, and (a few times, so that the pages
        # end) between those still to come and after them
        step = next(counter)
        later = [Seed(step % 2, 20, "5.00"), Seed(step % 2, None, "5.00")] if step < 3 else []
        await _seed(db, companies, [Seed(step % 2, -400, "5.00"), *later])

    async with graphql_client(settings, db) as anyone:
        # when finance pages through the listing
        ids = [company.id or 0 for company in companies]
        edges = await _page_through(anyone.as_(token), case.filter(ids), size, add_receivables)

    # then every seeded match comes exactly once, by due date (undated last), then id
    cursors = [edge["cursor"] for edge in edges]
    assert len(cursors) == len(set(cursors))
    expected = sorted(
        (pk for pk, seed in seeded.items() if case.matches(seed)),
        key=lambda pk: _order_key(seeded[pk], pk),
    )
    assert expected
    shown = [
        (
            edge["node"]["dueDate"],
            Decimal(edge["node"]["balance"]["amount"]),
            edge["node"]["client"]["name"],
        )
        for edge in edges
    ]
    wanted = [
        (
            None if seeded[pk].due_date is None else str(seeded[pk].due_date),
            Decimal(seeded[pk].balance),
            companies[seeded[pk].company].name,
        )
        for pk in expected
    ]
    # (inserted rows have a balance of 5.00, which no seed has)
    assert [row for row in shown if row[1] != Decimal("5.00")] == wanted
    # and the whole list, inserted rows included, is in due-date order
    keys = [date.fromisoformat(row[0]) if row[0] else NO_DUE_DATE for row in shown]
    assert keys == sorted(keys)


async def test_a_page_costs_the_same_statements_at_any_size(
    db: Database, settings: Settings
) -> None:
    companies = await _companies(db)
    await _seed(db, companies, SEEDS * 11)
    token = await _token(db, settings)
    counted = settings.model_copy(update={"debug_extensions": True})
    statements = {}
    async with graphql_client(counted, db) as anyone:
        finance = anyone.as_(token)
        for size in (1, 7, 100):
            body = await finance.post_with_extensions(LIST, {"first": size})
            assert len(body["data"]["receivables"]["edges"]) == size, body
            statements[size] = body["extensions"]["sqlStatements"]
    assert statements[1] == statements[7] == statements[100]
    # the caller's session, the page, its count, clients, orders, entries
    assert statements[100] <= 6


async def test_the_total_counts_every_match(db: Database, settings: Settings) -> None:
    companies = await _companies(db)
    seeded = await _seed(db, companies, SEEDS)
    token = await _token(db, settings)
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(token).data(LIST, {"first": 1, "filter": {"overdue": True}})
    assert body["receivables"]["totalCount"] == sum(s.overdue() for s in seeded.values()) == 3


HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"filter": {"client": "\u0000"}}, "filter.client"),
    ({"filter": {"client": "x" * 100_000}}, "filter.client"),
    ({"filter": {"client": encode_global_id("Order", 1)}}, "filter.client"),
    ({"filter": {"client": "not an id"}}, "filter.client"),
    ({"filter": {"dueFrom": "2026-13-45"}}, "filter"),
    ({"filter": {"dueTo": "yesterday"}}, "filter"),
    ({"filter": {"dueFrom": "2026-12-06T10:00:00"}}, "filter"),
    ({"filter": {"dueFrom": "2026-12-07", "dueTo": "2026-12-06"}}, "filter.dueFrom"),
    ({"filter": {"overdue": "yes"}}, "filter"),
    ({"first": 0}, "first"),
    ({"first": 101}, "first"),
    ({"after": "\u0000"}, "after"),
    ({"after": "y" * 100_000}, "after"),
    ({"after": COMPANY_ORDERS[CompanySort.NAME].cursor(("Alpha", 1))}, "after"),
    ({"after": COMPANY_ORDERS[CompanySort.OVERDUE].cursor((Decimal("1.00"), 1))}, "after"),
]


@pytest.mark.parametrize(("variables", "argument"), HOSTILE)
async def test_hostile_arguments_get_coded_errors_naming_them(
    db: Database, settings: Settings, variables: dict[str, Any], argument: str
) -> None:
    token = await _token(db, settings)
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(token).post(LIST, {"first": 5, **variables})
    assert body.get("data") in (None, {"receivables": None}), body
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}, body
    # a value no scalar accepts is refused on its variable, the message naming the field
    error = body["errors"][0]
    top, _, field = argument.partition(".")
    assert error["extensions"].get("argument") in (argument, top), body
    assert error["extensions"].get("argument") == argument or field in error["message"], body


async def test_a_client_user_and_sales_get_none_of_it(db: Database, settings: Settings) -> None:
    # given receivables, a user of the owing company and sales staff
    companies = await _companies(db)
    await _seed(db, companies, SEEDS)
    async with db.transaction() as session:
        client = await token_for(session, settings, Role.CLIENT, company=companies[0])
        sales = await token_for(session, settings, Role.SALES)
    async with graphql_client(settings, db) as anyone:
        for token in (client, sales):
            body = await anyone.as_(token).post(LIST, {"first": 5})
            # then the listing is FORBIDDEN, revealing no row and no count
            assert error_codes(body) == [("receivables", "FORBIDDEN")], body
            assert body["data"] == {"receivables": None}
