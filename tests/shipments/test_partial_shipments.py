"""An order ships in parts: each shipment carries quantities of its lines, never more than is
left to book; its departure takes exactly those units off stock, marks them shipped and makes
the order partly shipped, and the shipment that takes the last units ships it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, func, select

from core import event_types
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.orders import Order, order_number
from models.shipments import Shipment, ShipmentLine, ShipmentStatus
from tests.callers import make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.ledger.books import order_gid
from tests.outbox_support import events_of
from tests.shipments.support import (
    CREATE,
    DEPART,
    SEA_LEG,
    lines_of,
    make_shippable_order,
    shipment_input,
    stock_of,
)

SHIP = "mutation($id: ID!) { shipOrder(id: $id) { order { status } userErrors { code } } }"
CANCEL = """mutation($id: ID!) { cancelOrder(id: $id, reason: "changed mind") {
  userErrors { code } } }"""
PAY = """mutation($id: ID!) { recordPayment(orderId: $id, amount: "10", reference: "R-1",
  receivedAt: "2026-12-01T00:00:00Z") { order { status paymentStatus } userErrors { code } } }"""
DEPARTED_AT = "2026-12-02T06:30:00+00:00"


async def _staff(db: Database, settings: Settings, http: GraphQLClient, role: Role) -> Any:
    async with db.transaction() as session:
        return http.as_(await token_for(session, settings, role))


async def _order(db: Database, quantities: tuple[int, ...] = (10, 6)) -> Order:
    async with db.transaction() as session:
        company = await make_client_company(session)
    return await make_shippable_order(db, company, quantities=quantities)


def _codes(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(".".join(error["field"] or []), error["code"]) for error in payload["userErrors"]]


async def test_an_order_ships_in_parts_and_the_last_shipment_ships_it(
    any_db: Database, settings: Settings
) -> None:
    db = any_db  # on PostgreSQL and on SQLite, the embedded default
    # given a confirmed order of 10 towels and 6 robes, all reserved
    order = await _order(db)
    towels, robes = await lines_of(db, order)
    async with graphql_client(settings, db) as http:
        sales = await _staff(db, settings, http, Role.SALES)
        # when a first shipment carries 4 towels and departs
        first = await sales.data(
            CREATE, {"order": order_gid(order), "input": shipment_input((towels, 4))}
        )
        first_id = first["createShipment"]["shipment"]["id"]
        booked_stock = await stock_of(db, towels)
        departed = await sales.data(DEPART, {"id": first_id, "at": DEPARTED_AT, "bl": None})
        # and a second books what is left
        second = await sales.data(CREATE, {"order": order_gid(order), "input": shipment_input()})
        second_id = second["createShipment"]["shipment"]["id"]
        partly_stock = (await stock_of(db, towels), await stock_of(db, robes))
        shipped_events_before = len(await events_of(db, event_types.ORDER_SHIPPED))
        last = await sales.data(DEPART, {"id": second_id, "at": None, "bl": "2026-12-05"})

    # then booking moved no stock, and the departure took the 4 towels off hand and reserve
    assert booked_stock == (100, 10)
    assert partly_stock == ((96, 6), (100, 6))
    shipment = departed["departShipment"]["shipment"]
    assert departed["departShipment"]["userErrors"] == []
    assert (shipment["status"], shipment["departedAt"], shipment["billOfLadingDate"]) == (
        "DEPARTED",
        DEPARTED_AT,
        "2026-12-02",
    )
    assert shipment["order"]["status"] == "PARTLY_SHIPPED"
    assert [line["shippedQuantity"] for line in shipment["order"]["lines"]] == [4, 0]
    # and the second shipment carried what was left: 6 towels and 6 robes
    assert second["createShipment"]["shipment"]["lines"] == [
        {"orderLineId": encode_global_id("OrderLine", towels.id or 0), "quantity": 6},
        {"orderLineId": encode_global_id("OrderLine", robes.id or 0), "quantity": 6},
    ]
    # and its departure shipped the order, everything off stock
    assert last["departShipment"]["userErrors"] == []
    assert last["departShipment"]["shipment"]["order"]["status"] == "SHIPPED"
    assert last["departShipment"]["shipment"]["billOfLadingDate"] == "2026-12-05"
    assert (await stock_of(db, towels), await stock_of(db, robes)) == ((90, 0), (94, 0))
    assert [line.shipped_quantity for line in await lines_of(db, order)] == [10, 6]
    # and partners and the buyer heard of each departure, and of the order shipped once
    departures = [event.payload for event in await events_of(db, event_types.SHIPMENT_DEPARTED)]
    assert departures[0] == {
        "shipment_id": first_id,
        "order_id": order_gid(order),
        "number": order_number(order.id or 0),
        "client_company_id": encode_global_id("ClientCompany", order.client_company_id),
        "reference": "",
        "carrier": SEA_LEG["carrier"],
        "transport_document_number": SEA_LEG["transportDocumentNumber"],
        "container_number": SEA_LEG["containerNumber"],
        "vessel_or_flight": SEA_LEG["vesselOrFlight"],
        "etd": SEA_LEG["etd"],
        "eta": SEA_LEG["eta"],
        "departed_at": DEPARTED_AT,
        "order_status": "partly_shipped",
        "lines": [{"sku": towels.sku, "quantity": 4}],
    }
    assert departures[1]["order_status"] == "shipped"
    assert departures[1]["lines"] == [
        {"sku": towels.sku, "quantity": 6},
        {"sku": robes.sku, "quantity": 6},
    ]
    assert shipped_events_before == 0
    [shipped] = await events_of(db, event_types.ORDER_SHIPPED)
    assert (shipped.payload["status"], shipped.payload["previous_status"]) == (
        "shipped",
        "partly_shipped",
    )


async def test_no_shipment_carries_more_than_is_left_to_book(
    any_db: Database, settings: Settings
) -> None:
    db = any_db
    order = await _order(db)
    towels, robes = await lines_of(db, order)
    other_order = await _order(db, (5,))
    [foreign] = await lines_of(db, other_order)
    async with graphql_client(settings, db) as http:
        sales = await _staff(db, settings, http, Role.SALES)

        async def book(*lines: tuple[Any, int]) -> dict[str, Any]:
            variables = {"order": order_gid(order), "input": shipment_input(*lines)}
            payload: dict[str, Any] = (await sales.data(CREATE, variables))["createShipment"]
            return payload

        booked = await book((towels, 7))
        too_many = await book((towels, 4))
        not_its_line = await book((foreign, 1))
        twice = await book((robes, 1), (robes, 1))
        nothing = await book((robes, 0))
        rest = await book()
        none_left = await book()

    assert _codes(booked) == []
    assert _codes(too_many) == [("input.lines.0.quantity", "EXCEEDS_UNBOOKED")]
    assert "3 of 10" in too_many["userErrors"][0]["message"]
    assert _codes(not_its_line) == [("input.lines.0.orderLineId", "NOT_FOUND")]
    assert _codes(twice) == [("input.lines.1.orderLineId", "DUPLICATE_ITEM")]
    assert _codes(nothing) == [("input.lines.0.quantity", "OUT_OF_RANGE")]
    assert [line["quantity"] for line in rest["shipment"]["lines"]] == [3, 6]
    assert _codes(none_left) == [("orderId", "NOTHING_TO_SHIP")]
    # and the refusals booked nothing: two shipments, 10 towels and 6 robes in all
    async with db.session() as session:
        total = await session.scalar(select(func.sum(col(ShipmentLine.quantity))))
    assert total == 16


async def test_a_departure_is_refused_when_it_cannot_happen(
    db: Database, settings: Settings
) -> None:
    order = await _order(db)
    ahead = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    async with graphql_client(settings, db) as http:
        sales = await _staff(db, settings, http, Role.SALES)
        booked = await sales.data(CREATE, {"order": order_gid(order), "input": shipment_input()})
        shipment_id = booked["createShipment"]["shipment"]["id"]
        future = await sales.data(DEPART, {"id": shipment_id, "at": ahead, "bl": None})
        late_bl = await sales.data(DEPART, {"id": shipment_id, "at": None, "bl": "2099-01-01"})
        missing = await sales.data(
            DEPART, {"id": encode_global_id("Shipment", 999_999), "at": None, "bl": None}
        )
        stock_before = await stock_of(db, (await lines_of(db, order))[0])
        first = await sales.data(DEPART, {"id": shipment_id, "at": None, "bl": None})
        again = await sales.data(DEPART, {"id": shipment_id, "at": None, "bl": None})

    assert _codes(future["departShipment"]) == [("departedAt", "IN_THE_FUTURE")]
    assert _codes(late_bl["departShipment"]) == [("billOfLadingDate", "IN_THE_FUTURE")]
    assert _codes(missing["departShipment"]) == [("id", "NOT_FOUND")]
    assert stock_before == (100, 10)
    assert _codes(first["departShipment"]) == []
    assert _codes(again["departShipment"]) == [("id", "ILLEGAL_TRANSITION")]
    # the second departure took nothing more off stock, and was announced once
    assert await stock_of(db, (await lines_of(db, order))[0]) == (90, 0)
    assert len(await events_of(db, event_types.SHIPMENT_DEPARTED)) == 1


async def test_a_partly_shipped_order_is_paid_but_not_cancelled_or_shipped_whole(
    db: Database, settings: Settings
) -> None:
    order = await _order(db)
    towels, _robes = await lines_of(db, order)
    async with graphql_client(settings, db) as http:
        sales = await _staff(db, settings, http, Role.SALES)
        finance = await _staff(db, settings, http, Role.FINANCE)
        booked = await sales.data(
            CREATE, {"order": order_gid(order), "input": shipment_input((towels, 1))}
        )
        await sales.data(
            DEPART, {"id": booked["createShipment"]["shipment"]["id"], "at": None, "bl": None}
        )
        cancel = await sales.data(CANCEL, {"id": order_gid(order)})
        ship = await sales.data(SHIP, {"id": order_gid(order)})
        paid = await finance.data(PAY, {"id": order_gid(order)})

    assert cancel["cancelOrder"]["userErrors"] == [{"code": "ILLEGAL_TRANSITION"}]
    assert ship["shipOrder"]["userErrors"] == [{"code": "ILLEGAL_TRANSITION"}]
    assert paid["recordPayment"]["userErrors"] == []
    assert paid["recordPayment"]["order"] == {
        "status": "PARTLY_SHIPPED",
        "paymentStatus": "PARTLY_PAID",
    }
    assert await stock_of(db, towels) == (99, 9)


async def test_ship_order_ships_what_was_booked_and_the_rest_in_one_go(
    db: Database, settings: Settings
) -> None:
    order = await _order(db)
    towels, robes = await lines_of(db, order)
    async with graphql_client(settings, db) as http:
        sales = await _staff(db, settings, http, Role.SALES)
        booked = await sales.data(
            CREATE, {"order": order_gid(order), "input": shipment_input((towels, 3))}
        )
        shipped = await sales.data(SHIP, {"id": order_gid(order)})
        depart = await sales.data(
            DEPART, {"id": booked["createShipment"]["shipment"]["id"], "at": None, "bl": None}
        )

    assert shipped["shipOrder"] == {"order": {"status": "SHIPPED"}, "userErrors": []}
    assert [line.shipped_quantity for line in await lines_of(db, order)] == [10, 6]
    assert (await stock_of(db, towels), await stock_of(db, robes)) == ((90, 0), (94, 0))
    # the shipment booked before left with the order: it cannot leave a second time
    assert _codes(depart["departShipment"]) == [("id", "ILLEGAL_TRANSITION")]
    async with db.session() as session:
        statuses = list(await session.scalars(select(col(Shipment.status))))
    assert statuses == [ShipmentStatus.DEPARTED]


STAFF_LIST = """query($status: [OrderStatus!]) { staffOrders(first: 10, filter: {status: $status}) {
  totalCount nodes { number status } } }"""


async def test_staff_list_partly_shipped_orders_by_their_status(
    db: Database, settings: Settings
) -> None:
    partly = await _order(db)
    untouched = await _order(db)
    towels, _robes = await lines_of(db, partly)
    async with graphql_client(settings, db) as http:
        sales = await _staff(db, settings, http, Role.SALES)
        booked = await sales.data(
            CREATE, {"order": order_gid(partly), "input": shipment_input((towels, 2))}
        )
        await sales.data(
            DEPART, {"id": booked["createShipment"]["shipment"]["id"], "at": None, "bl": None}
        )
        listed = await sales.data(STAFF_LIST, {"status": ["PARTLY_SHIPPED"]})
        confirmed = await sales.data(STAFF_LIST, {"status": ["CONFIRMED"]})

    assert listed["staffOrders"]["nodes"] == [
        {"number": order_number(partly.id or 0), "status": "PARTLY_SHIPPED"}
    ]
    assert confirmed["staffOrders"]["nodes"] == [
        {"number": order_number(untouched.id or 0), "status": "CONFIRMED"}
    ]
