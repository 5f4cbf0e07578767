"""The staff company listing's filters and orders: each paged through at 1, 7 and 100 returns
every matching company exactly once and in order, while companies are added between pages;
a page costs the same statements at any size; the credit standing needs `finance:read`; and
hostile arguments get coded errors.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from admin_queries.ledger import BY_DUE_DATE
from core.db import Database
from core.global_id import decode_global_id
from core.settings import Settings
from models.accounts import Role
from models.clients import ClientDue
from tests.callers import error_codes, make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.paging import PAGE_SIZES

LIST = """query($first: Int!, $after: String, $filter: ClientCompanyFilter,
               $sortBy: ClientCompanySort, $search: String) {
  clientCompanies(first: $first, after: $after, filter: $filter, sortBy: $sortBy,
                  search: $search) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id name country creditUsed { amount } overdueAmount { amount } } } }"""
TODAY = datetime.now(UTC).date()


@dataclass(frozen=True)
class Seed:
    name: str
    country: str
    limit: str
    used: str
    overdue: str  # stored as of the last write
    due: tuple[int, str] | None = None  # (days from today, amount) still in `client_dues`

    def exact_overdue(self) -> Decimal:
        late = self.due is not None and self.due[0] < 0
        return Decimal(self.overdue) + (Decimal(self.due[1]) if late and self.due else 0)


SEEDS = [
    Seed("Alpha Trading", "DE", "1000", "900.00", "0"),
    Seed("Beta Handel", "DE", "1000", "500.00", "120.00"),
    Seed("Gamma Imports", "FR", "2000", "1900.00", "0", (-3, "200.00")),  # time overtook it
    Seed("Delta SA", "FR", "0", "10.00", "0"),  # no limit, owes something
    Seed("Epsilon BV", "NL", "1000", "500.00", "500.00", (5, "80.00")),
    Seed("Zeta Co", "DE", "100", "100.00", "100.00"),
    Seed("Eta Ltd", "GB", "5000", "0", "0"),
    Seed("Theta AG", "DE", "1000", "810.00", "99.99"),
    Seed("Iota SRL", "IT", "1000", "500.00", "120.00"),
    Seed("Kappa Oy", "FI", "300", "250.00", "0", (-1, "100.00")),
    Seed("Lambda AB", "SE", "1000", "801.00", "0"),
    Seed("Alpha Trading", "AT", "1000", "0", "0"),  # same name: the id breaks the tie
]


@dataclass(frozen=True)
class Case:
    sort: str
    filter: dict[str, Any]
    matches: Callable[[Seed], bool]
    key: Callable[[Seed, int], Any]
    search: str | None = None


CASES = {
    "by name": Case("NAME", {}, lambda s: True, lambda s, pk: (s.name, pk)),
    "by name in a country": Case(
        "NAME", {"country": "de"}, lambda s: s.country == "DE", lambda s, pk: (s.name, pk)
    ),
    "searched in a country": Case(
        "NAME",
        {"country": "FR"},
        lambda s: s.country == "FR" and "a" in s.name.lower(),
        lambda s, pk: (s.name, pk),
        search="A",
    ),
    "by credit used": Case(
        "CREDIT_USED", {}, lambda s: True, lambda s, pk: (-Decimal(s.used), -pk)
    ),
    "credit used above 80 %": Case(
        "CREDIT_USED",
        {"creditUsedAbove": "0.8"},
        lambda s: Decimal(s.used) > Decimal(s.limit) * Decimal("0.8"),
        lambda s, pk: (-Decimal(s.used), -pk),
    ),
    "by overdue, at least 100": Case(
        "OVERDUE_AMOUNT",
        {"overdueAtLeast": "100"},
        lambda s: s.exact_overdue() >= 100,
        lambda s, pk: (-Decimal(s.overdue), -pk),
    ),
}


async def _seed(db: Database, seeds: list[Seed]) -> dict[int, Seed]:
    made: dict[int, Seed] = {}
    async with db.transaction() as session:
        for seed in seeds:
            due_day = None if seed.due is None else TODAY + timedelta(days=seed.due[0])
            company = await make_client_company(
                session,
                name=seed.name,
                country=seed.country,
                credit_limit=Decimal(seed.limit),
                credit_currency="USD",
                credit_used=Decimal(seed.used),
                overdue_amount=Decimal(seed.overdue),
                next_due_on=due_day,
            )
            assert company.id is not None
            if seed.due is not None and due_day is not None:
                session.add(
                    ClientDue(company_id=company.id, due_date=due_day, amount=Decimal(seed.due[1]))
                )
            made[company.id] = seed
    return made


async def _staff(db: Database, settings: Settings, role: Role) -> str:
    async with db.transaction() as session:
        return await token_for(session, settings, role)


def _pk(global_id: str) -> int:
    return decode_global_id(global_id, argument="id")[1]


async def _page_through(
    client: GraphQLClient, case: Case, size: int, between: Callable[[], Any]
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    for _ in range(200):
        variables = {"first": size, "after": after, "filter": case.filter, "sortBy": case.sort}
        body = await client.post(LIST, {**variables, "search": case.search})
        assert "errors" not in body, body
        page = body["data"]["clientCompanies"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]
        await between()
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize("size", PAGE_SIZES)
@pytest.mark.parametrize("case_name", list(CASES))
async def test_each_filter_and_order_pages_every_company_once_in_order_while_rows_are_added(
    db: Database, settings: Settings, case_name: str, size: int
) -> None:
    # given companies of every standing, and finance staff
    case = CASES[case_name]
    seeded = await _seed(db, SEEDS)
    token = await _staff(db, settings, Role.FINANCE)
    counter = itertools.count()

    async def add_companies() -> None:
        # companies added while someone pages: before the pages read so far in every order,
        # and (a few times, so that the pages end) after those still to come
        index = next(counter)
        first = [Seed(f"Aaa new {index}", "DE", "10", "9999.00", "9999.00")]
        last = [Seed(f"Zzz new {index}", "FR", "1000", "0", "0")] if index < 3 else []
        await _seed(db, first + last)

    async with graphql_client(settings, db) as anyone:
        # when they page through the listing
        nodes = await _page_through(anyone.as_(token), case, size, add_companies)

    # then every seeded company that matches comes exactly once, in the order's sequence
    pks = [_pk(node["id"]) for node in nodes]
    assert len(pks) == len(set(pks))
    expected = sorted(
        (pk for pk, seed in seeded.items() if case.matches(seed)),
        key=lambda pk: case.key(seeded[pk], pk),
    )
    assert [pk for pk in pks if pk in seeded] == expected
    assert expected  # the case is not vacuous
    # and each figure shown is the company's: the overdue amount exact today
    for node in nodes:
        seed = seeded.get(_pk(node["id"]))
        if seed is not None:
            assert Decimal(node["creditUsed"]["amount"]) == Decimal(seed.used)
            assert Decimal(node["overdueAmount"]["amount"]) == seed.exact_overdue()


async def test_the_total_counts_every_match_across_pages(db: Database, settings: Settings) -> None:
    seeded = await _seed(db, SEEDS)
    token = await _staff(db, settings, Role.FINANCE)
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(token).data(
            LIST, {"first": 1, "filter": {"overdueAtLeast": "100"}, "sortBy": "OVERDUE_AMOUNT"}
        )
    expected = [seed for seed in seeded.values() if seed.exact_overdue() >= 100]
    assert body["clientCompanies"]["totalCount"] == len(expected) == 6


@pytest.mark.parametrize("sort", ["NAME", "CREDIT_USED", "OVERDUE_AMOUNT"])
async def test_a_page_costs_the_same_statements_at_any_size(
    db: Database, settings: Settings, sort: str
) -> None:
    await _seed(db, SEEDS * 9)  # 108 companies, some with dues
    token = await _staff(db, settings, Role.FINANCE)
    counted = settings.model_copy(update={"debug_extensions": True})
    statements = {}
    async with graphql_client(counted, db) as anyone:
        finance = anyone.as_(token)
        for size in (1, 7, 100):
            variables = {"first": size, "sortBy": sort, "filter": {"overdueAtLeast": "0"}}
            body = await finance.post_with_extensions(LIST, variables)
            assert len(body["data"]["clientCompanies"]["nodes"]) == size
            statements[size] = body["extensions"]["sqlStatements"]
    assert statements[1] == statements[7] == statements[100]
    # the caller's session, the page, its count, the dues of the page's companies
    assert statements[100] <= 5


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"filter": {"creditUsedAbove": "0.8"}}, "filter"),
        ({"filter": {"overdueAtLeast": "1"}}, "filter"),
        ({"sortBy": "CREDIT_USED"}, "sortBy"),
        ({"sortBy": "OVERDUE_AMOUNT"}, "sortBy"),
    ],
)
async def test_the_credit_standing_filters_and_sorts_need_finance_read(
    db: Database, settings: Settings, variables: dict[str, Any], argument: str
) -> None:
    # given sales staff, who may list companies but not see their credit
    await _seed(db, SEEDS)
    token = await _staff(db, settings, Role.SALES)
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(token).post(LIST, {"first": 5, **variables})
    # then the listing is refused, revealing no company
    assert error_codes(body) == [("clientCompanies", "FORBIDDEN")]
    assert body["data"]["clientCompanies"] is None
    assert body["errors"][0]["extensions"]["argument"] == argument


async def test_sales_still_list_by_name_and_country(db: Database, settings: Settings) -> None:
    await _seed(db, SEEDS)
    token = await _staff(db, settings, Role.SALES)
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(token).data(
            'query { clientCompanies(first: 100, filter: {country: "FR"}) { nodes { name } } }'
        )
    names = [node["name"] for node in body["clientCompanies"]["nodes"]]
    assert names == ["Delta SA", "Gamma Imports"]


def _foreign_cursor() -> str:
    """A cursor of the finance receivables listing: valid there, foreign here."""
    return BY_DUE_DATE.cursor((TODAY, 1))


HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"filter": {"country": "D\u0000"}}, "filter.country"),
    ({"filter": {"country": "X" * 100_000}}, "filter.country"),
    ({"filter": {"country": "12"}}, "filter.country"),
    ({"filter": {"creditUsedAbove": "-0.1"}}, "filter.creditUsedAbove"),
    ({"filter": {"creditUsedAbove": "1000.01"}}, "filter.creditUsedAbove"),
    ({"filter": {"creditUsedAbove": "1E+60"}}, "filter.creditUsedAbove"),
    ({"filter": {"creditUsedAbove": "NaN"}}, "filter.creditUsedAbove"),
    ({"filter": {"creditUsedAbove": 0.8}}, "filter.creditUsedAbove"),
    ({"filter": {"overdueAtLeast": "-5"}}, "filter.overdueAtLeast"),
    ({"filter": {"overdueAtLeast": "99999999999999999999"}}, "filter.overdueAtLeast"),
    ({"filter": {"overdueAtLeast": "Infinity"}}, "filter.overdueAtLeast"),
    ({"search": "a" * 101}, "search"),
    ({"search": "bad\u0000"}, "search"),
    ({"first": 0}, "first"),
    ({"first": 101}, "first"),
    ({"after": "not a cursor"}, "after"),
    ({"after": "\u0000"}, "after"),
    ({"after": "x" * 100_000}, "after"),
]


@pytest.mark.parametrize(("variables", "argument"), HOSTILE)
async def test_hostile_arguments_get_coded_errors_naming_them(
    db: Database, settings: Settings, variables: dict[str, Any], argument: str
) -> None:
    token = await _staff(db, settings, Role.FINANCE)
    async with graphql_client(settings, db) as anyone:
        body = await anyone.as_(token).post(LIST, {"first": 5, **variables})
    assert body.get("data", {}) in (None, {"clientCompanies": None}), body
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes == {"BAD_USER_INPUT"}, body
    # a value no scalar accepts is refused on its variable, the message naming the field
    error = body["errors"][0]
    top, _, field = argument.partition(".")
    assert error["extensions"].get("argument") in (argument, top), body
    assert error["extensions"].get("argument") == argument or field in error["message"], body


@pytest.mark.parametrize("sort", ["NAME", "CREDIT_USED", "OVERDUE_AMOUNT"])
async def test_a_cursor_of_another_order_or_list_is_refused(
    db: Database, settings: Settings, sort: str
) -> None:
    # given a cursor of each other order of this list, and one of the receivables listing
    await _seed(db, SEEDS)
    token = await _staff(db, settings, Role.FINANCE)
    async with graphql_client(settings, db) as anyone:
        finance = anyone.as_(token)
        cursors = []
        for other in {"NAME", "CREDIT_USED", "OVERDUE_AMOUNT"} - {sort}:
            body = await finance.data(LIST, {"first": 1, "sortBy": other})
            cursors.append(body["clientCompanies"]["pageInfo"]["endCursor"])
        cursors.append(_foreign_cursor())
        # when each is passed as `after` in this order, then each is BAD_USER_INPUT on `after`
        for cursor in cursors:
            body = await finance.post(LIST, {"first": 1, "sortBy": sort, "after": cursor})
            assert error_codes(body) == [("clientCompanies", "BAD_USER_INPUT")], body
            assert body["errors"][0]["extensions"]["argument"] == "after"


def test_seeds_cover_today() -> None:
    # the stale seeds are stale today and the fresh one is not: the cases mean what they say
    assert SEEDS[2].exact_overdue() == Decimal("200.00") > Decimal(SEEDS[2].overdue)
    assert SEEDS[4].exact_overdue() == Decimal("500.00")
