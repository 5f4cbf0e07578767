"""The staff shipment list: leg filters, orders by ETA and ETD, keyset pages while shipments
are booked, the same statements at any page size, and refusals of hostile arguments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from admin_queries.shipments import ORDERS, ShipmentSort
from auth.api_keys import create_api_key
from core.db import Database
from core.global_id import decode_typed_id, encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.clients import ClientCompany
from models.orders import Order, OrderStatus
from models.shipments import UNDATED, Shipment, ShipmentLeg, TrackingEvent, TransportMode
from resolvers.pagination import encode_cursor
from resolvers.shipments.writes import journey_dates
from tests.callers import error_codes, make_client_company, token_for
from tests.graphql_client import GraphQLClient
from tests.ledger.books import make_order, order_gid
from tests.paging import PAGE_SIZES
from tests.shipments.support import make_shippable_order

LIST = """
query($first: Int, $after: String, $filter: ShipmentFilter, $sortBy: ShipmentSort) {
  shipments(first: $first, after: $after, filter: $filter, sortBy: $sortBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { id reference etd eta }
  }
}
"""
DAY = datetime(2027, 3, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return DAY + timedelta(days=n)


@dataclass(frozen=True)
class Leg:
    carrier: str = "Maersk"
    etd: datetime | None = None
    eta: datetime | None = None
    vessel: str = ""
    container: str = ""


async def _ship(db: Database, order: Order, reference: str, *legs: Leg) -> Shipment:
    """A shipment with its legs, its own ETD and ETA set as booking sets them."""
    assert order.id is not None
    values = [{"etd": leg.etd, "eta": leg.eta} for leg in legs]
    etd, eta = journey_dates(values)
    async with db.transaction() as session:
        shipment = Shipment(
            order_id=order.id,
            client_company_id=order.client_company_id,
            reference=reference,
            etd=etd,
            eta=eta,
        )
        session.add(shipment)
        await session.flush()
        assert shipment.id is not None
        for sequence, leg in enumerate(legs, start=1):
            session.add(
                ShipmentLeg(
                    shipment_id=shipment.id,
                    sequence=sequence,
                    carrier=leg.carrier,
                    mode=TransportMode.SEA,
                    vessel_or_flight=leg.vessel,
                    container_number=leg.container,
                    etd=leg.etd,
                    eta=leg.eta,
                )
            )
    return shipment


async def _company(db: Database) -> ClientCompany:
    async with db.transaction() as session:
        return await make_client_company(session)


async def _order(db: Database) -> Order:
    return await make_order(db, await _company(db), status=OrderStatus.SHIPPED)


async def _world(db: Database) -> Order:
    """Five shipments: two legs each for A and B, a shipment without dates, a tie on ETA."""
    order = await _order(db)
    await _ship(
        db,
        order,
        "A",
        Leg("Maersk", day(0), day(20), "Maersk Kinloss 412W", "MSKU1234565"),
        Leg("DB Schenker", day(21), None),  # a road leg whose arrival nobody knows yet
    )
    await _ship(
        db,
        order,
        "B",
        Leg("MSC", day(2), day(10), "MSC Oscar 09E", "MEDU7654321"),
        Leg("Lufthansa Cargo", day(11), day(12), "LH8400"),
    )
    await _ship(db, order, "C", Leg("CMA CGM 50%_off", day(5), day(12), "CMA CGM Marco Polo"))
    await _ship(db, order, "D", Leg("Hapag-Lloyd"))
    await _ship(db, order, "E", Leg("maersk", day(1), day(30), "", "mskU9999999"))
    return order


async def _staff(
    db: Database, settings: Settings, http: GraphQLClient, role: Role
) -> GraphQLClient:
    async with db.transaction() as session:
        return http.as_(await token_for(session, settings, role))


async def _references(staff: GraphQLClient, **variables: Any) -> list[str]:
    body = await staff.post(LIST, {"first": 100, **variables})
    assert "errors" not in body, body
    return [node["reference"] for node in body["data"]["shipments"]["nodes"]]


async def test_booking_keeps_the_earliest_etd_and_latest_eta_on_the_shipment(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    # given a paid order
    order = await make_shippable_order(db, await _company(db), status=OrderStatus.PAID)
    sales = await _staff(db, settings, client, Role.SALES)
    legs = [
        {"carrier": "Maersk", "mode": "SEA", "etd": "2027-03-02T06:00:00+00:00",
         "eta": "2027-03-30T18:00:00+00:00"},
        {"carrier": "DB Schenker", "mode": "ROAD", "etd": "2027-03-31T08:00:00+00:00"},
    ]  # fmt: skip
    create = """mutation($order: ID!, $input: ShipmentInput!) {
      createShipment(orderId: $order, input: $input) { shipment { etd eta } userErrors { code } }
    }"""
    # when sales book a shipment of it with a sea leg and a road leg without ETA
    booked = await sales.data(create, {"order": order_gid(order), "input": {"legs": legs}})
    # then the shipment leaves with its first leg and arrives with the last known ETA
    expected = {"etd": "2027-03-02T06:00:00+00:00", "eta": "2027-03-30T18:00:00+00:00"}
    assert booked["createShipment"]["shipment"] == expected
    async with db.session() as session:
        row = (await session.scalars(select(Shipment))).one()
    assert (row.etd, row.eta) == (
        datetime(2027, 3, 2, 6, tzinfo=UTC),
        datetime(2027, 3, 30, 18, tzinfo=UTC),
    )
    body = await sales.post(LIST, {"first": 5})
    assert [(n["etd"], n["eta"]) for n in body["data"]["shipments"]["nodes"]] == [
        (expected["etd"], expected["eta"])
    ]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, ["B", "C", "A", "E", "D"]),
        # a window matches a shipment one of whose legs has its date inside, ends included
        ({"etaFrom": _iso(day(12)), "etaTo": _iso(day(12))}, ["B", "C"]),
        ({"etaFrom": _iso(day(11)), "etaTo": _iso(day(19))}, ["B", "C"]),
        ({"etaFrom": _iso(day(20))}, ["A", "E"]),
        ({"etaTo": _iso(day(10))}, ["B"]),
        ({"etaTo": _iso(day(9))}, []),
        ({"etdFrom": _iso(day(21)), "etdTo": _iso(day(21))}, ["A"]),  # A's second leg
        ({"etdFrom": _iso(day(1)), "etdTo": _iso(day(2))}, ["B", "E"]),
        ({"etdTo": _iso(day(0) - timedelta(seconds=1))}, []),
        # a time with another offset is the same moment
        (
            {"etaFrom": "2027-03-13T02:00:00+02:00", "etaTo": "2027-03-13T01:00:00+01:00"},
            ["B", "C"],
        ),
        # carrier, vessel, container: a prefix of any leg's, in any case; % and _ are text
        ({"carrier": "maersk"}, ["A", "E"]),
        ({"carrier": " MAE "}, ["A", "E"]),
        ({"carrier": "db schenker"}, ["A"]),
        ({"carrier": "Lufthansa"}, ["B"]),
        ({"carrier": "CMA CGM 50%_"}, ["C"]),
        ({"carrier": "%"}, []),
        ({"carrier": "_"}, []),
        ({"carrier": "Schenker"}, []),  # a prefix, not a substring
        ({"carrier": "  "}, ["B", "C", "A", "E", "D"]),  # blank: no condition
        ({"vessel": "lh84"}, ["B"]),
        ({"vessel": "Maersk Kinloss 412W"}, ["A"]),
        ({"container": "msku"}, ["A", "E"]),
        ({"container": "MSKU1234565"}, ["A"]),
        ({"container": "MSKU12345650"}, []),
        # conditions together; each may be met by another leg of the shipment
        ({"carrier": "Lufthansa", "etaTo": _iso(day(10))}, ["B"]),
        ({"carrier": "maersk", "container": "mskU9"}, ["E"]),
        ({"carrier": "maersk", "etaFrom": _iso(day(25))}, ["E"]),
    ],
)
async def test_filters_look_at_every_leg(
    db: Database,
    settings: Settings,
    client: GraphQLClient,
    given: dict[str, Any],
    expected: list[str],
) -> None:
    await _world(db)
    staff = await _staff(db, settings, client, Role.SUPPORT)
    assert await _references(staff, filter=given) == expected
    body = await staff.post(LIST, {"first": 1, "filter": given})
    assert body["data"]["shipments"]["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # ETA: A 20, B 12 (its last leg), C 12, D none, E 30; a tie goes by booking (id)
        ("ETA", ["B", "C", "A", "E", "D"]),
        ("ETA_DESC", ["D", "E", "A", "C", "B"]),
        # ETD: A 0, B 2, C 5, D none, E 1
        ("ETD", ["A", "E", "B", "C", "D"]),
        ("ETD_DESC", ["D", "C", "B", "E", "A"]),
    ],
)
async def test_orders_by_eta_and_etd_with_undated_shipments_at_the_end_of_time(
    db: Database, settings: Settings, client: GraphQLClient, sort: str, expected: list[str]
) -> None:
    await _world(db)
    staff = await _staff(db, settings, client, Role.FINANCE)
    assert await _references(staff, sortBy=sort) == expected


async def _expected_order(db: Database, sort: ShipmentSort) -> list[int]:
    """The ids in the order the list must give, computed here in Python."""
    async with db.session() as session:
        shipments = list(await session.scalars(select(Shipment)))
    by_eta = sort in (ShipmentSort.ETA, ShipmentSort.ETA_DESC)

    def key(row: Shipment) -> tuple[datetime, int]:
        moment = row.eta if by_eta else row.etd
        return (UNDATED if moment is None else moment, row.id or 0)

    descending = sort in (ShipmentSort.ETA_DESC, ShipmentSort.ETD_DESC)
    return [row.id or 0 for row in sorted(shipments, key=key, reverse=descending)]


def _pk(global_id: str) -> int:
    return decode_typed_id(global_id, "Shipment", argument="id")


@pytest.mark.parametrize("size", PAGE_SIZES)
@pytest.mark.parametrize("sort", list(ShipmentSort))
async def test_every_shipment_once_and_in_order_while_others_are_booked(
    db: Database, settings: Settings, client: GraphQLClient, size: int, sort: ShipmentSort
) -> None:
    # given 24 shipments, some on the same dates, some without any
    order = await _order(db)
    for n in range(24):
        dated = n % 5 != 0
        leg = Leg(etd=day(n % 4) if dated else None, eta=day(10 + n % 3) if dated else None)
        await _ship(db, order, f"S{n}", leg)
    expected = await _expected_order(db, sort)
    staff = await _staff(db, settings, client, Role.SALES)
    # when staff page through, while shipments are booked on the first pages
    seen: list[int] = []
    after = None
    for page_number in range(60):
        body = await staff.post(
            LIST, {"first": size, "after": after, "sortBy": sort.name, "filter": None}
        )
        assert "errors" not in body, body
        listing = body["data"]["shipments"]
        seen += [_pk(node["id"]) for node in listing["nodes"]]
        assert listing["pageInfo"]["hasPreviousPage"] is (after is not None)
        if page_number < 3:
            moment = day(page_number - 1)  # before, among and after the listed dates
            await _ship(
                db, order, f"new{page_number}", Leg(etd=moment, eta=moment + timedelta(days=11))
            )
            await _ship(db, order, f"undated{page_number}", Leg())
        if not listing["pageInfo"]["hasNextPage"]:
            break
        after = listing["pageInfo"]["endCursor"]
    # then every shipment booked before is listed exactly once, in the order asked for
    assert len(seen) == len(set(seen))
    assert [pk for pk in seen if pk in set(expected)] == expected


async def test_a_page_of_100_costs_the_statements_of_a_page_of_1(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    order = await _order(db)
    for n in range(101):
        shipment = await _ship(
            db,
            order,
            f"S{n}",
            Leg("Maersk", day(n % 9), day(20 + n % 7), "Kinloss", f"MSKU{n:07d}"),
            Leg("DB Schenker", day(30)),
        )
        async with db.transaction() as session:
            session.add(
                TrackingEvent(
                    shipment_id=shipment.id or 0, occurred_at=day(1), location="Port", status="x"
                )
            )
    staff = await _staff(db, settings, client, Role.SUPPORT)
    query = """
    query($first: Int!, $sortBy: ShipmentSort) {
      shipments(first: $first, sortBy: $sortBy,
                filter: {carrier: "mae", etaFrom: "2027-03-01T00:00:00Z", container: "msku"}) {
        totalCount
        edges { cursor node { reference etd eta order { number }
                legs { carrier eta } trackingEvents { status } } }
      }
    }
    """
    for sort in ("ETA", "ETD_DESC"):
        one = await staff.post_with_extensions(query, {"first": 1, "sortBy": sort})
        hundred = await staff.post_with_extensions(query, {"first": 100, "sortBy": sort})
        assert "errors" not in hundred, hundred
        assert len(hundred["data"]["shipments"]["edges"]) == 100
        assert hundred["data"]["shipments"]["totalCount"] == 101
        assert one["extensions"]["sqlStatements"] == hundred["extensions"]["sqlStatements"]
        # the caller's session, the page, its count, orders, legs, tracking events
        assert hundred["extensions"]["sqlStatements"] <= 6


@pytest.mark.parametrize("sort", list(ShipmentSort))
async def test_each_order_and_its_next_page_are_read_through_the_index(
    db: Database, sort: ShipmentSort
) -> None:
    order = ORDERS[sort]
    bound = order.after(order.cursor((day(3), 10)))
    statement = select(col(Shipment.id)).where(bound).order_by(*order.order_by()).limit(21)
    async with db.session() as session:
        connection = await session.connection()
        sql = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        # a handful of rows would be read whole: ask what the planner does at scale
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join((await session.execute(text(f"EXPLAIN {sql}"))).scalars())
    index = "ix_shipments_eta_key" if sort.name.startswith("ETA") else "ix_shipments_etd_key"
    assert index in plan, plan
    assert "Sort" not in plan.replace("Sort Key", ""), plan


async def test_callers_without_orders_read_all_are_forbidden(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    order = await _world(db)
    async with db.transaction() as session:
        owner = await session.get(ClientCompany, order.client_company_id)
        assert owner is not None
        buyer = client.as_(await token_for(session, settings, Role.CLIENT, company=owner))
        key = await create_api_key(session, name="shop", role=Role.STOREFRONT)
    catalog_manager = await _staff(db, settings, client, Role.CATALOG_MANAGER)
    for caller in (client, buyer, client.as_(key.key), catalog_manager):
        body = await caller.post(LIST, {"first": 5})
        assert error_codes(body) == [("shipments", "FORBIDDEN")]
        assert body["data"]["shipments"] is None


HOSTILE = [
    # a NUL or a lone surrogate is refused while the variables are read, naming the variable
    ({"filter": {"carrier": "mae\u0000"}}, "filter"),
    ({"filter": {"vessel": "\ud800"}}, "filter"),
    ({"filter": {"carrier": "x" * 121}}, "filter.carrier"),
    ({"filter": {"vessel": "x" * 121}}, "filter.vessel"),
    ({"filter": {"container": "M" * 33}}, "filter.container"),
    ({"filter": {"container": "M" * 100_000}}, "filter.container"),
    (
        {"filter": {"etaFrom": "2027-03-10T00:00:00Z", "etaTo": "2027-03-09T23:59:59Z"}},
        "filter.etaFrom",
    ),
    (
        {"filter": {"etdFrom": "2027-03-10T00:00:00Z", "etdTo": "2027-03-01T00:00:00Z"}},
        "filter.etdFrom",
    ),
    ({"first": 0}, "first"),
    ({"first": 101}, "first"),
    ({"after": "not a cursor"}, "after"),
    ({"after": "x" * 5_000}, "after"),
    ({"after": encode_cursor("catalog_name", ["A", 1])}, "after"),
    ({"after": encode_cursor("shipments:eta", ["2027-03-01T00:00:00+00:00", 2**63])}, "after"),
    ({"after": encode_cursor("shipments:eta", ["2027-03-01", 1])}, "after"),
    ({"after": encode_cursor("shipments:eta", ["2027-03-01T00:00:00+00:00\u0000", 1])}, "after"),
    ({"after": encode_cursor("shipments:eta", ["2027-03-01T00:00:00+00:00"])}, "after"),
    ({"after": encode_cursor("shipments:etd", ["2027-03-01T00:00:00+00:00", 1])}, "after"),
]


@pytest.mark.parametrize(("variables", "argument"), HOSTILE)
async def test_hostile_arguments_get_bad_user_input_naming_them(
    db: Database,
    settings: Settings,
    client: GraphQLClient,
    variables: dict[str, Any],
    argument: str,
) -> None:
    staff = await _staff(db, settings, client, Role.SUPPORT)
    body = await staff.post(LIST, {"first": 5, "sortBy": "ETA", **variables})
    assert [code for _path, code in error_codes(body)] == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"].get("argument") == argument
    assert (body.get("data") or {}).get("shipments") is None


@pytest.mark.parametrize(
    "moment", ["2027-13-45T00:00:00Z", "yesterday", "", "2027-03-01T25:00:00Z", "9" * 1000]
)
async def test_dates_that_are_not_dates_are_refused_before_anything_runs(
    db: Database, settings: Settings, client: GraphQLClient, moment: str
) -> None:
    staff = await _staff(db, settings, client, Role.SUPPORT)
    body = await staff.post(LIST, {"filter": {"etaFrom": moment}})
    assert body.get("data") is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]


async def test_a_cursor_of_another_order_is_refused(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    await _world(db)
    staff = await _staff(db, settings, client, Role.SUPPORT)
    body = await staff.post(LIST, {"first": 1, "sortBy": "ETA"})
    by_eta = body["data"]["shipments"]["pageInfo"]["endCursor"]
    for sort in ("ETA_DESC", "ETD", "ETD_DESC"):
        body = await staff.post(LIST, {"first": 1, "after": by_eta, "sortBy": sort})
        assert error_codes(body) == [("shipments", "BAD_USER_INPUT")], (sort, body)
    global_id = encode_global_id("Shipment", 1)
    body = await staff.post(LIST, {"first": 1, "after": global_id})
    assert error_codes(body) == [("shipments", "BAD_USER_INPUT")]


@pytest.mark.parametrize("sort", ["ETA", "ETD_DESC"])
async def test_the_list_pages_and_filters_alike_on_the_embedded_sqlite_default(
    any_db: Database, settings: Settings, any_client: GraphQLClient, sort: str
) -> None:
    # given the same shipments on PostgreSQL and on SQLite
    await _world(any_db)
    staff = await _staff(any_db, settings, any_client, Role.SUPPORT)
    whole = await _references(staff, sortBy=sort)
    # when staff page through two at a time
    paged: list[str] = []
    after = None
    while True:
        body = await staff.post(LIST, {"first": 2, "after": after, "sortBy": sort})
        listing = body["data"]["shipments"]
        paged += [node["reference"] for node in listing["nodes"]]
        if not listing["pageInfo"]["hasNextPage"]:
            break
        after = listing["pageInfo"]["endCursor"]
    # then the pages are the whole list, undated last or first, and the filters agree
    expected = {"ETA": ["B", "C", "A", "E", "D"], "ETD_DESC": ["D", "C", "B", "E", "A"]}[sort]
    assert paged == whole == expected
    window = {"etaFrom": "2027-03-13T02:00:00+02:00", "etaTo": "2027-03-13T00:00:00Z"}
    assert await _references(staff, sortBy=sort, filter=window) == [
        ref for ref in expected if ref in ("B", "C")
    ]
    assert await _references(staff, sortBy=sort, filter={"carrier": "MAERSK"}) == [
        ref for ref in expected if ref in ("A", "E")
    ]
