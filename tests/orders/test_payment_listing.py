"""Finance's payments list: every filter (client, received-day range, currency) and sort
(received date either way, amount either way), paged at 1, 7 and 100 while payments are
recorded between pages, every match once and in order; an exact total; the same statements at
any page size; hostile arguments coded; FORBIDDEN without `finance:read`."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from admin_queries.ledger import BY_DUE_DATE
from admin_queries.orders import ORDERS as STAFF_ORDER_SORTS
from admin_queries.orders import PAYMENT_ORDERS, PaymentSort, StaffOrderSort
from core.db import Database
from core.global_id import decode_global_id, encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.clients import ClientCompany
from models.orders import Order, OrderStatus, Payment
from tests.callers import error_codes, make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.orders.staff_support import make_order
from tests.paging import PAGE_SIZES, page_through

LIST = """
query($first: Int, $after: String, $filter: PaymentFilter, $sortBy: PaymentSort) {
  payments(first: $first, after: $after, filter: $filter, sortBy: $sortBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor }
    nodes { id reference receivedAt amount { amount currency }
            order { number client { name } } }
  }
}
"""
DAY = datetime(2026, 11, 2, tzinfo=UTC)  # seeds are received on the days after this one
INSERTED = "INS-"  # references of the payments recorded while paging


@dataclass(frozen=True)
class Seed:
    company: int  # index into the world's companies
    currency: str
    amount: str
    received: timedelta  # after DAY

    @property
    def received_at(self) -> datetime:
        return DAY + self.received


H = timedelta(hours=1)
SEEDS = [
    Seed(0, "USD", "100.00", 0 * H),  # the first moment of 2 November
    Seed(0, "USD", "100.00", 0 * H),  # same moment and amount: the id breaks the tie
    Seed(1, "EUR", "250.50", 23 * H + timedelta(minutes=59, seconds=59)),  # end of 2 November
    Seed(1, "EUR", "250.50", 24 * H),  # the first moment of 3 November
    Seed(2, "GBP", "9.99", 30 * H),
    Seed(0, "EUR", "1234.56", 47 * H),
    Seed(1, "USD", "0.01", 48 * H),  # 4 November
    Seed(2, "USD", "100.00", 72 * H),
    Seed(0, "GBP", "77.70", 100 * H),
    Seed(1, "USD", "5000.00", 120 * H),
    Seed(2, "EUR", "42.00", 121 * H),
    Seed(0, "USD", "3.30", 200 * H),
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
    "received 2 to 3 November": Case(
        lambda ids: {"receivedFrom": "2026-11-02", "receivedTo": "2026-11-03"},
        lambda s: date(2026, 11, 2) <= s.received_at.date() <= date(2026, 11, 3),
    ),
    "received from 3 November": Case(
        lambda ids: {"receivedFrom": "2026-11-03"},
        lambda s: s.received_at.date() >= date(2026, 11, 3),
    ),
    "received up to the last day there is": Case(
        lambda ids: {"receivedTo": "9999-12-31"}, lambda s: True
    ),
    "in euros": Case(lambda ids: {"currency": "EUR"}, lambda s: s.currency == "EUR"),
    "one client's dollars from 3 November": Case(
        lambda ids: {
            "client": encode_global_id("ClientCompany", ids[0]),
            "currency": "USD",
            "receivedFrom": "2026-11-03",
        },
        lambda s: (
            s.company == 0 and s.currency == "USD" and s.received_at.date() >= date(2026, 11, 3)
        ),
    ),
}


def _key(sort: PaymentSort, received_at: datetime, amount: Decimal, pk: int) -> tuple[Any, ...]:
    if sort in (PaymentSort.RECEIVED_NEWEST, PaymentSort.RECEIVED_OLDEST):
        return received_at, pk
    return amount, pk


def _descending(sort: PaymentSort) -> bool:
    return sort in (PaymentSort.RECEIVED_NEWEST, PaymentSort.AMOUNT_HIGHEST)


def _extremes(sort: PaymentSort) -> tuple[tuple[str, timedelta], tuple[str, timedelta]]:
    """(amount, received) of a payment first in `sort`, and of one last, beyond every seed."""
    lowest, highest = ("0.0001", 0 * H), ("88888.00", 0 * H)
    earliest, latest = ("7.00", -400 * H), ("7.00", 900 * H)
    return {
        PaymentSort.RECEIVED_NEWEST: (latest, earliest),
        PaymentSort.RECEIVED_OLDEST: (earliest, latest),
        PaymentSort.AMOUNT_HIGHEST: (highest, lowest),
        PaymentSort.AMOUNT_LOWEST: (lowest, highest),
    }[sort]


@dataclass
class World:
    companies: list[ClientCompany]
    orders: list[Order]  # one per company and currency, indexed by (company, currency)
    finance: GraphQLClient
    payments: dict[int, Seed]
    count: itertools.count[int]

    def order_of(self, seed: Seed) -> Order:
        return self.orders[seed.company * 3 + ("USD", "EUR", "GBP").index(seed.currency)]

    async def record(
        self, db: Database, seeds: list[Seed], prefix: str = "PAY-"
    ) -> dict[int, Seed]:
        made: dict[int, Seed] = {}
        async with db.transaction() as session:
            for seed in seeds:
                order = self.order_of(seed)
                assert order.id is not None
                payment = Payment(
                    order_id=order.id,
                    amount=Decimal(seed.amount),
                    currency=seed.currency,
                    reference=f"{prefix}{next(self.count)}",
                    received_at=seed.received_at,
                )
                session.add(payment)
                await session.flush()
                assert payment.id is not None
                made[payment.id] = seed
        return made


async def _world(db: Database, settings: Settings, http: GraphQLClient, seeds: list[Seed]) -> World:
    async with db.transaction() as session:
        companies = [
            await make_client_company(session, name="Hanse Textil GmbH"),
            await make_client_company(session, name="Lyon Tissus SA", country="FR"),
            await make_client_company(session, name="Bombay Cotton Mills", country="IN"),
        ]
        orders = [
            await make_order(
                session, company, total="99999.00", hours=n, status=OrderStatus.CONFIRMED,
                currency=currency,
            )
            for n, (company, currency) in enumerate(
                itertools.product(companies, ("USD", "EUR", "GBP"))
            )
        ]  # fmt: skip
        finance = http.as_(await token_for(session, settings, Role.FINANCE))
    world = World(companies, orders, finance, {}, itertools.count())
    world.payments = await world.record(db, seeds)
    return world


def _pk(node: dict[str, Any]) -> int:
    return decode_global_id(node["id"], argument="id")[1]


def _node_key(sort: PaymentSort, node: dict[str, Any]) -> tuple[Any, ...]:
    received = datetime.fromisoformat(node["receivedAt"])
    return _key(sort, received, Decimal(node["amount"]["amount"]), _pk(node))


@pytest.mark.parametrize("size", PAGE_SIZES)
@pytest.mark.parametrize("sort", list(PaymentSort))
@pytest.mark.parametrize("case_name", list(CASES))
async def test_each_filter_and_sort_pages_every_payment_once_in_order_while_more_are_recorded(
    db: Database, settings: Settings, case_name: str, sort: PaymentSort, size: int
) -> None:
    # given payments of three clients in three currencies, tied on moment and on amount
    case = CASES[case_name]
    async with graphql_client(settings, db) as http:
        world = await _world(db, settings, http, SEEDS)
        ids = [company.id or 0 for company in world.companies]

        async def record_more(page_number: int) -> None:
            # a payment before those read so far in the sort, and (a few times, so that the
            # pages end) one among those still to come or just read, and one beyond them all
            company = page_number % 3
            first, last = _extremes(sort)
            more = [Seed(company, "USD", *first)]
            if page_number <= 3:
                more += [Seed(company, "GBP", "500.00", 60 * H), Seed(company, "EUR", *last)]
            await world.record(db, more, prefix=INSERTED)

        # when finance pages through the list with the filter in the sort
        variables = {"filter": case.filter(ids), "sortBy": sort.name}
        nodes = await page_through(
            world.finance, LIST, "payments", size, variables, between=record_more
        )

    # then every payment comes once, and the seeded matches exactly, in the sort's order
    assert len({node["id"] for node in nodes}) == len(nodes)
    expected = sorted(
        (pk for pk, seed in world.payments.items() if case.matches(seed)),
        key=lambda pk: _key(
            sort, world.payments[pk].received_at, Decimal(world.payments[pk].amount), pk
        ),
        reverse=_descending(sort),
    )
    assert expected
    seeded = [node for node in nodes if not node["reference"].startswith(INSERTED)]
    assert [_pk(node) for node in seeded] == expected
    for node in seeded:
        seed = world.payments[_pk(node)]
        assert node["amount"] == {"amount": seed.amount, "currency": seed.currency}
        assert datetime.fromisoformat(node["receivedAt"]) == seed.received_at
        assert node["order"]["client"]["name"] == world.companies[seed.company].name
    # and the whole list, payments recorded while paging included, is in the sort's order
    keys = [_node_key(sort, node) for node in nodes]
    assert keys == sorted(keys, reverse=_descending(sort))


@pytest.mark.parametrize("case_name", list(CASES))
async def test_the_total_counts_every_match(
    db: Database, settings: Settings, case_name: str
) -> None:
    case = CASES[case_name]
    async with graphql_client(settings, db) as http:
        world = await _world(db, settings, http, SEEDS)
        ids = [company.id or 0 for company in world.companies]
        body = await world.finance.data(LIST, {"first": 1, "filter": case.filter(ids)})
    expected = sum(case.matches(seed) for seed in world.payments.values())
    assert body["payments"]["totalCount"] == expected
    assert len(body["payments"]["nodes"]) == min(1, expected)


async def test_a_client_no_payment_is_for_lists_nothing(db: Database, settings: Settings) -> None:
    async with graphql_client(settings, db) as http:
        world = await _world(db, settings, http, SEEDS)
        for client in (encode_global_id("ClientCompany", 999_999_999), None):
            async with db.transaction() as session:
                quiet = await make_client_company(session, name="Quiet Buyer Ltd")
            client = client or encode_global_id("ClientCompany", quiet.id or 0)
            body = await world.finance.data(LIST, {"first": 5, "filter": {"client": client}})
            assert body["payments"] == {
                "totalCount": 0,
                "pageInfo": {"hasNextPage": False, "endCursor": None},
                "edges": [],
                "nodes": [],
            }


async def test_a_page_costs_the_same_statements_at_any_size(
    db: Database, settings: Settings
) -> None:
    counted = settings.model_copy(update={"debug_extensions": True})
    statements = {}
    async with graphql_client(counted, db) as http:
        world = await _world(db, counted, http, SEEDS * 10)
        for size in (1, 7, 100):
            body = await world.finance.post_with_extensions(LIST, {"first": size})
            assert len(body["data"]["payments"]["nodes"]) == min(size, 120), body
            statements[size] = body["extensions"]["sqlStatements"]
    assert statements[1] == statements[7] == statements[100]
    # the caller's session, the page, its count, the orders, their clients
    assert statements[100] <= 5


HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"filter": {"client": "\u0000"}}, "filter.client"),
    ({"filter": {"client": "x" * 100_000}}, "filter.client"),
    ({"filter": {"client": encode_global_id("Order", 1)}}, "filter.client"),
    ({"filter": {"client": "not an id"}}, "filter.client"),
    ({"filter": {"receivedFrom": "2026-13-45"}}, "filter"),
    ({"filter": {"receivedTo": "yesterday"}}, "filter"),
    ({"filter": {"receivedFrom": "2026-12-06T10:00:00"}}, "filter"),
    ({"filter": {"receivedFrom": "\u00002026-12-06"}}, "filter"),
    (
        {"filter": {"receivedFrom": "2026-12-07", "receivedTo": "2026-12-06"}},
        "filter.receivedFrom",
    ),
    ({"filter": {"currency": "\u0000"}}, "filter.currency"),
    ({"filter": {"currency": "usd"}}, "filter.currency"),
    ({"filter": {"currency": "U" * 100_000}}, "filter.currency"),
    ({"sortBy": "NEWEST"}, "sortBy"),
    ({"first": 0}, "first"),
    ({"first": 101}, "first"),
    ({"after": "\u0000"}, "after"),
    ({"after": "y" * 100_000}, "after"),
    ({"after": BY_DUE_DATE.cursor((date(2026, 12, 6), 1))}, "after"),
    (
        {"after": STAFF_ORDER_SORTS[StaffOrderSort.PLACED_NEWEST].cursor((DAY, 1))},
        "after",
    ),
    (  # a cursor of another sort of this list
        {
            "after": PAYMENT_ORDERS[PaymentSort.AMOUNT_LOWEST].cursor((Decimal("1.00"), 1)),
            "sortBy": "RECEIVED_NEWEST",
        },
        "after",
    ),
]


@pytest.mark.parametrize(("variables", "argument"), HOSTILE)
async def test_hostile_arguments_get_coded_errors_naming_them(
    db: Database, settings: Settings, variables: dict[str, Any], argument: str
) -> None:
    async with graphql_client(settings, db) as http:
        async with db.transaction() as session:
            finance = http.as_(await token_for(session, settings, Role.FINANCE))
        body = await finance.post(LIST, {"first": 5, **variables})
    assert body.get("data") in (None, {"payments": None}), body
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}, body
    # a value no scalar accepts is refused on its variable, the message naming the field
    error = body["errors"][0]
    top, _, field = argument.partition(".")
    assert error["extensions"].get("argument") in (argument, top), body
    assert error["extensions"].get("argument") == argument or field in error["message"], body


async def test_a_client_user_and_sales_get_none_of_it(db: Database, settings: Settings) -> None:
    # given payments, a user of the paying company and sales staff (orders, not finance)
    async with graphql_client(settings, db) as http:
        world = await _world(db, settings, http, SEEDS)
        async with db.transaction() as session:
            client = await token_for(session, settings, Role.CLIENT, company=world.companies[0])
            sales = await token_for(session, settings, Role.SALES)
        for token in (client, sales):
            body = await http.as_(token).post(LIST, {"first": 5})
            # then the list is FORBIDDEN, revealing no row and no count
            assert error_codes(body) == [("payments", "FORBIDDEN")], body
            assert body["data"] == {"payments": None}


async def test_a_client_user_sees_the_order_of_its_own_payments_and_no_other(
    db: Database, settings: Settings
) -> None:
    # given payments for two clients' orders, and a user of the first client
    async with graphql_client(settings, db) as http:
        world = await _world(db, settings, http, SEEDS)
        own, other = world.orders[0], world.orders[3]  # Hanse's and Lyon's dollar orders
        async with db.transaction() as session:
            client = http.as_(
                await token_for(session, settings, Role.CLIENT, company=world.companies[0])
            )
        query = "query($id: ID!) { order(id: $id) { payments { reference order { number } } } }"
        # when it reads its own order's payments, and another client's
        mine = await client.data(query, {"id": encode_global_id("Order", own.id or 0)})
        theirs = await client.data(query, {"id": encode_global_id("Order", other.id or 0)})
    # then each of its payments names the order; the other client's order is not there
    paid = [seed for seed in world.payments.values() if world.order_of(seed) is own]
    assert len(mine["order"]["payments"]) == len(paid) > 0
    assert {p["order"]["number"] for p in mine["order"]["payments"]} == {f"SO-{own.id:06d}"}
    assert theirs == {"order": None}


@pytest.mark.parametrize(
    ("received_from", "received_to", "expected"),
    [
        ("0001-01-01", "0001-01-01", 0),
        ("9999-12-31", "9999-12-31", 0),
        ("0001-01-01", "9999-12-31", 12),
    ],
)
async def test_the_first_and_last_days_there_are_are_plain_bounds(
    db: Database, settings: Settings, received_from: str, received_to: str, expected: int
) -> None:
    async with graphql_client(settings, db) as http:
        world = await _world(db, settings, http, SEEDS)
        given = {"receivedFrom": received_from, "receivedTo": received_to}
        body = await world.finance.data(LIST, {"first": 20, "filter": given})
    assert body["payments"]["totalCount"] == len(body["payments"]["nodes"]) == expected
