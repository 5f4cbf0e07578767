"""The staff order list: search, every filter and sort, keyset pages of any size that hold
while orders are placed between pages, constant SQL, and hostile arguments refused."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from core.db import Database
from core.global_id import decode_global_id, encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.clients import ClientCompany
from models.orders import Order, OrderStatus, PaymentStatus
from tests.callers import error_codes, make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.orders.staff_support import STAFF_ORDERS, make_order
from tests.paging import PAGE_SIZES, page_through

S, P = OrderStatus, PaymentStatus


@dataclass
class World:
    hanse: ClientCompany
    bombay: ClientCompany
    hansa: ClientCompany
    orders: list[Order]
    staff: GraphQLClient
    client_user: GraphQLClient


async def _world(db: Database, settings: Settings, http: GraphQLClient) -> World:
    """Twenty orders of three clients with ties on placed date and on total."""
    async with db.transaction() as session:
        hanse = await make_client_company(session, name="Hanse Textil GmbH")
        bombay = await make_client_company(session, name="Bombay Cotton Mills", country="IN")
        hansa = await make_client_company(session, name="Hansa 50%_Trade")
        orders = [
            await make_order(session, hanse, total="100.00", hours=0),
            await make_order(session, hanse, total="250.50", hours=1, status=S.CONFIRMED,
                             paid=P.PARTLY_PAID),
            await make_order(session, bombay, total="250.50", hours=1, status=S.PAID,
                             paid=P.PAID, currency="EUR", country="IN"),
            await make_order(session, bombay, total="9999.99", hours=2, status=S.SHIPPED,
                             paid=P.PAID, country="US"),
            await make_order(session, hansa, total="0.00", hours=3, status=S.CANCELLED,
                             currency="EUR"),
            await make_order(session, hanse, total="75.25", hours=4, status=S.DELIVERED,
                             paid=P.PAID, country="GB"),
            await make_order(session, bombay, total="100.00", hours=4, country="IN"),
            await make_order(session, hansa, total="1234.50", hours=5, status=S.CONFIRMED,
                             currency="GBP", country="FR"),
        ]  # fmt: skip
        statuses = list(OrderStatus)
        for n in range(12):
            company = (hanse, bombay, hansa)[n % 3]
            orders.append(
                await make_order(
                    session,
                    company,
                    total=f"{(n * 37) % 90 + 5}.{n:02d}",
                    hours=6 + n // 2,
                    status=statuses[n % len(statuses)],
                )
            )
        staff = http.as_(await token_for(session, settings, Role.SALES))
        client_user = http.as_(await token_for(session, settings, Role.CLIENT, company=hanse))
    return World(hanse, bombay, hansa, orders, staff, client_user)


def _pk(node: dict[str, Any]) -> int:
    return decode_global_id(node["id"], argument="id")[1]


def _placed(node: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(node["placedAt"])


# Each sort's key of a listed order, and whether it runs high to low.
SORT_KEYS: dict[str, tuple[Callable[[dict[str, Any]], tuple[Any, ...]], bool]] = {
    "PLACED_NEWEST": (lambda n: (_placed(n), _pk(n)), True),
    "PLACED_OLDEST": (lambda n: (_placed(n), _pk(n)), False),
    "TOTAL_HIGHEST": (lambda n: (Decimal(n["total"]["amount"]), _pk(n)), True),
    "TOTAL_LOWEST": (lambda n: (Decimal(n["total"]["amount"]), _pk(n)), False),
    "STATUS": (lambda n: (n["status"], _placed(n), _pk(n)), False),
}


def _in_order(nodes: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    key, descending = SORT_KEYS[sort]
    return sorted(nodes, key=key, reverse=descending)


def _ids(orders: list[Order]) -> set[str]:
    return {encode_global_id("Order", order.id) for order in orders if order.id is not None}


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("size", PAGE_SIZES)
async def test_every_sort_pages_each_order_once_in_order_even_while_orders_are_placed(
    db: Database, settings: Settings, client: GraphQLClient, sort: str, size: int
) -> None:
    world = await _world(db, settings, client)
    everything = await page_through(world.staff, STAFF_ORDERS, "staffOrders", 100,
                                    {"sortBy": sort})  # fmt: skip
    assert {node["id"] for node in everything} == _ids(world.orders)
    assert everything == _in_order(everything, sort)

    paged = await page_through(world.staff, STAFF_ORDERS, "staffOrders", size, {"sortBy": sort})
    assert paged == everything

    placed: list[Order] = []

    async def place_some(page: int) -> None:
        # before, amid and after the rows already read, on every key; on the first pages only,
        # or a list read one row a page would never end
        if page > 4:
            return
        async with db.transaction() as session:
            for hours, total in ((-5, "0.01"), (4, "100.00"), (500, "99999.00")):
                placed.append(
                    await make_order(session, world.bombay, total=total, hours=hours + page / 100)
                )

    while_placing = await page_through(
        world.staff, STAFF_ORDERS, "staffOrders", size, {"sortBy": sort}, between=place_some
    )
    ids = [node["id"] for node in while_placing]
    assert len(ids) == len(set(ids)), "no order is listed twice"
    assert _ids(world.orders) <= set(ids), "every order there was is listed"
    assert set(ids) <= _ids(world.orders) | _ids(placed)
    assert while_placing == _in_order(while_placing, sort)


def _numbers(nodes: list[dict[str, Any]]) -> list[str]:
    return [node["number"] for node in nodes]


FILTERS: list[Any] = [
    pytest.param({"filter": {"status": ["CONFIRMED", "SHIPPED"]}},
                 lambda o: o.status in (S.CONFIRMED, S.SHIPPED), id="status"),
    pytest.param({"filter": {"paymentStatus": ["PAID"]}},
                 lambda o: o.payment_status is P.PAID, id="payment-status"),
    pytest.param({"filter": {"currency": "EUR"}}, lambda o: o.currency == "EUR", id="currency"),
    pytest.param({"filter": {"placedFrom": "2026-11-01T10:00:00+00:00",
                             "placedTo": "2026-11-01T13:00:00+00:00"}},
                 lambda o: 1 <= (o.created_at.hour - 9) <= 4, id="placed-range"),
    pytest.param({"filter": {"placedFrom": "2026-11-01T19:00:00+09:00"}},
                 lambda o: o.created_at.hour >= 10, id="placed-from-other-zone"),
    pytest.param({"filter": {"totalMin": "100", "totalMax": "250.5"}},
                 lambda o: Decimal(100) <= o.total <= Decimal("250.5"), id="total-range"),
    pytest.param({"filter": {"totalMax": "0"}}, lambda o: o.total == 0, id="total-zero"),
    pytest.param({"filter": {"destinationCountry": "in"}},
                 lambda o: o.shipping_address["country"] == "IN", id="country"),
    pytest.param({"filter": {"currency": "USD", "status": ["PLACED"], "totalMin": "50"}},
                 lambda o: o.currency == "USD" and o.status is S.PLACED and o.total >= 50,
                 id="together"),
    pytest.param({"search": "so-000001"}, None, id="number"),
    pytest.param({"search": "hans"}, "hans", id="client-prefix-any-case"),
    pytest.param({"search": "  BOMBAY cotton "}, "bombay", id="client-trimmed"),
    pytest.param({"search": "hansa 50%_"}, "hansa", id="like-characters-are-plain"),
    pytest.param({"search": "50%"}, "nobody", id="a-prefix-not-a-substring"),
    pytest.param({"search": "%"}, "nobody", id="percent"),
    pytest.param({"search": "   "}, "everyone", id="blank"),
]  # fmt: skip


@pytest.mark.parametrize(("arguments", "matches"), FILTERS)
async def test_filters_and_search_list_exactly_the_matching_orders_at_any_page_size(
    db: Database, settings: Settings, client: GraphQLClient, arguments: dict[str, Any], matches: Any
) -> None:
    world = await _world(db, settings, client)
    by_company = {"hans": {world.hanse.id, world.hansa.id}, "bombay": {world.bombay.id},
                  "hansa": {world.hansa.id}, "nobody": set()}  # fmt: skip
    if matches is None:  # the order number of the first order
        first = world.orders[0]
        assert first.id is not None
        arguments = {"search": f"so-{first.id:06d}"}
        expected = [first]
    elif matches == "everyone":
        expected = world.orders
    elif isinstance(matches, str):
        expected = [o for o in world.orders if o.client_company_id in by_company[matches]]
    else:
        expected = [o for o in world.orders if matches(o)]
    assert expected or matches == "nobody", "a filter that matches nothing proves little"

    for sort in ("PLACED_NEWEST", "TOTAL_LOWEST"):
        listed = await page_through(world.staff, STAFF_ORDERS, "staffOrders", 100,
                                    {**arguments, "sortBy": sort})  # fmt: skip
        assert {node["id"] for node in listed} == _ids(expected)
        assert listed == _in_order(listed, sort)
        for size in (1, 7):
            assert await page_through(world.staff, STAFF_ORDERS, "staffOrders", size,
                                      {**arguments, "sortBy": sort}) == listed  # fmt: skip
    body = await world.staff.post(STAFF_ORDERS, {**arguments, "first": 1})
    assert body["data"]["staffOrders"]["totalCount"] == len(expected)


async def test_a_bare_number_finds_the_order_and_clients_named_with_it(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    world = await _world(db, settings, client)
    seventh = world.orders[6]
    async with db.transaction() as session:
        numbered = await make_client_company(session, name=f"{seventh.id} Seas Trading")
        theirs = await make_order(session, numbered, total="10.00", hours=90)
    body = await world.staff.post(STAFF_ORDERS, {"first": 100, "search": str(seventh.id)})
    listed = {node["id"] for node in body["data"]["staffOrders"]["nodes"]}
    assert listed == _ids([seventh, theirs])
    prefixed = await world.staff.post(STAFF_ORDERS, {"first": 100, "search": f"SO-{seventh.id}"})
    assert {node["id"] for node in prefixed["data"]["staffOrders"]["nodes"]} == _ids([seventh])


async def test_a_client_user_cannot_read_the_staff_list_but_keeps_its_own_orders(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    world = await _world(db, settings, client)
    body = await world.client_user.post(STAFF_ORDERS, {"first": 100})
    assert body["data"]["staffOrders"] is None
    assert error_codes(body) == [("staffOrders", "FORBIDDEN")]
    own = await world.client_user.post("{ orders(first: 100) { nodes { id } } }")
    hanse = [order for order in world.orders if order.client_company_id == world.hanse.id]
    assert {node["id"] for node in own["data"]["orders"]["nodes"]} == _ids(hanse)
    anonymous = await client.post(STAFF_ORDERS, {"first": 1})
    assert error_codes(anonymous) == [("staffOrders", "FORBIDDEN")]


NESTED = """
query($first: Int) { staffOrders(first: $first, sortBy: TOTAL_HIGHEST) {
  totalCount nodes { number client { name } lines { sku } payments { reference } } } }
"""


# The order book as the bench reads it (`orders`, newest first), with lines and client.
NESTED_BOOK = """
query($first: Int) { orders(first: $first) { edges { node { number client { name country }
  lines { sku quantity unitPrice { amount } } charges { amount { amount } } } } } }
"""


async def test_a_page_costs_the_same_statements_whatever_its_size(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    world = await _world(db, settings, client)
    counted = settings.model_copy(update={"debug_extensions": True})
    counts = {}
    async with graphql_client(counted, db) as http:
        staff = http.as_(world.staff.token)
        for first in (1, 7, 100):
            body = await staff.post_with_extensions(NESTED, {"first": first})
            assert len(body["data"]["staffOrders"]["nodes"]) == min(first, 20)
            book = await staff.post_with_extensions(NESTED_BOOK, {"first": first})
            assert len(book["data"]["orders"]["edges"]) == min(first, 20)
            counts[first] = (
                body["extensions"]["sqlStatements"],
                book["extensions"]["sqlStatements"],
                # looked ahead: no client, line, charge or payment awaited a loader
                body["extensions"]["awaitedFields"],
                book["extensions"]["awaitedFields"],
            )
    assert counts[1] == counts[7] == counts[100], counts
    assert counts[1][2:] == (0, 0)


def _cursor(tag: str, *key: Any) -> str:
    raw = json.dumps([tag, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


HOSTILE: list[Any] = [
    pytest.param({"search": "SO-1\x00"}, "search", id="nul-in-search"),
    pytest.param({"search": "x" * 201}, "search", id="search-too-long"),
    pytest.param({"search": "x" * 100_000}, "search", id="huge-search"),
    pytest.param({"filter": {"currency": "usd1"}}, "filter.currency", id="bad-currency"),
    pytest.param({"filter": {"currency": "U\x00D"}}, "filter", id="nul-in-currency"),
    pytest.param({"filter": {"destinationCountry": "ZZ"}}, "filter.destinationCountry",
                 id="unknown-country"),
    pytest.param({"filter": {"destinationCountry": "D" * 5000}}, "filter.destinationCountry",
                 id="huge-country"),
    pytest.param({"filter": {"status": []}}, "filter.status", id="no-status"),
    pytest.param({"filter": {"paymentStatus": []}}, "filter.paymentStatus",
                 id="no-payment-status"),
    pytest.param({"filter": {"placedFrom": "2026-11-02T00:00:00Z",
                             "placedTo": "2026-11-01T00:00:00Z"}}, "filter.placedTo",
                 id="from-after-to"),
    pytest.param({"filter": {"totalMin": "10", "totalMax": "9.99"}}, "filter.totalMax",
                 id="min-above-max"),
    pytest.param({"filter": {"totalMin": "-0.01"}}, "filter.totalMin", id="negative-total"),
    pytest.param({"filter": {"totalMax": "-1e30"}}, "filter.totalMax", id="huge-negative"),
    pytest.param({"filter": {"totalMax": "1e30"}}, "filter.totalMax", id="huge-total"),
    pytest.param({"filter": {"totalMin": "100000000000000"}}, "filter.totalMin",
                 id="beyond-the-column"),
    pytest.param({"first": 0}, "first", id="empty-page"),
    pytest.param({"first": 101}, "first", id="page-too-large"),
    pytest.param({"after": "not a cursor"}, "after", id="garbage-cursor"),
    pytest.param({"after": "\x00"}, "after", id="nul-cursor"),
    pytest.param({"after": _cursor("staff_orders:placed_oldest", "2026-11-01T09:00:00+00:00",
                                   1)}, "after", id="cursor-of-another-sort"),
    pytest.param({"after": _cursor("catalog_name", "Canvas", 1)}, "after",
                 id="cursor-of-another-list"),
    pytest.param({"after": _cursor("staff_orders:placed_newest", "yesterday", 1)}, "after",
                 id="cursor-with-a-bad-date"),
    pytest.param({"after": _cursor("staff_orders:placed_newest", "2026-11-01T09:00:00+00:00",
                                   2**70)}, "after", id="cursor-with-a-huge-id"),
    pytest.param({"sortBy": "TOTAL_HIGHEST",
                  "after": _cursor("staff_orders:total_highest", "NaN", 1)}, "after",
                 id="cursor-with-nan"),
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
    body = await staff.post(STAFF_ORDERS, {"first": 5, **variables})
    assert body["data"] is None or body["data"]["staffOrders"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"].get("argument") == argument, error


@pytest.mark.parametrize("moment", ["2026-13-45T00:00:00Z", "yesterday", "", "9" * 5000])
async def test_a_date_that_is_no_date_is_a_coded_error(
    db: Database, settings: Settings, client: GraphQLClient, moment: str
) -> None:
    async with db.transaction() as session:
        staff = client.as_(await token_for(session, settings, Role.SALES))
    body = await staff.post(STAFF_ORDERS, {"first": 5, "filter": {"placedFrom": moment}})
    assert body["data"] is None
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes <= {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}, body
    assert "INTERNAL_ERROR" not in codes


async def test_every_sort_and_filter_reads_the_same_on_both_databases(
    any_db: Database, settings: Settings, any_client: GraphQLClient
) -> None:
    world = await _world(any_db, settings, any_client)
    for sort in SORT_KEYS:
        listed = await page_through(world.staff, STAFF_ORDERS, "staffOrders", 7, {"sortBy": sort})
        assert {node["id"] for node in listed} == _ids(world.orders)
        assert listed == _in_order(listed, sort)
    arguments = {
        "search": "HANS",
        "filter": {"currency": "USD", "destinationCountry": "DE", "totalMin": "50",
                   "placedFrom": "2026-11-01T09:30:00Z", "paymentStatus": ["UNPAID"]},
    }  # fmt: skip
    expected = [
        o for o in world.orders
        if o.client_company_id in (world.hanse.id, world.hansa.id) and o.currency == "USD"
        and o.shipping_address["country"] == "DE" and o.total >= 50
        and o.payment_status is P.UNPAID and o.created_at is not None and o.created_at.hour >= 10
    ]  # fmt: skip
    assert expected
    listed = await page_through(world.staff, STAFF_ORDERS, "staffOrders", 1, arguments)
    assert {node["id"] for node in listed} == _ids(expected)
