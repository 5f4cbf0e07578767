"""Bookings and departures racing on one order, on committed transactions: the order row's
lock lets them apply one after the other, so the lines are never over-booked, a shipment
departs once, and a departure and a cancellation never both happen."""

from __future__ import annotations

from typing import Any

import pytest

from core import event_types
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.orders import Order
from tests.callers import make_client_company, token_for
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient, graphql_client
from tests.ledger.books import order_gid
from tests.outbox_support import events_of
from tests.shipments.support import (
    CREATE,
    DEPART,
    lines_of,
    make_shippable_order,
    shipment_input,
    stock_of,
)

RACERS = 4
CANCEL = """mutation($id: ID!) { cancelOrder(id: $id, reason: "changed mind") {
  userErrors { code } } }"""


async def _setup(db: Database, settings: Settings, http: GraphQLClient) -> tuple[Any, Order]:
    async with db.transaction() as session:
        company = await make_client_company(session)
        sales = http.as_(await token_for(session, settings, Role.SALES))
    return sales, await make_shippable_order(db, company, quantities=(10,))


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


@pytest.mark.slow
async def test_racing_bookings_never_carry_more_than_the_line(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with graphql_client(committed_settings, committed_db) as http:
        sales, order = await _setup(committed_db, committed_settings, http)
        [line] = await lines_of(committed_db, order)
        # when four bookings of 4 units of a 10-unit line race
        variables = {"order": order_gid(order), "input": shipment_input((line, 4))}
        results = await settled(*(sales.data(CREATE, variables) for _ in range(RACERS)))

    # then two are booked and the others told what is left
    outcomes = sorted(tuple(_codes(result["createShipment"])) for result in results)
    assert outcomes == [(), (), ("EXCEEDS_UNBOOKED",), ("EXCEEDS_UNBOOKED",)]


@pytest.mark.slow
async def test_a_shipment_departs_once_and_never_beside_a_cancellation(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with graphql_client(committed_settings, committed_db) as http:
        sales, order = await _setup(committed_db, committed_settings, http)
        booked = await sales.data(CREATE, {"order": order_gid(order), "input": shipment_input()})
        shipment_id = booked["createShipment"]["shipment"]["id"]
        # when departures of the shipment race each other and a cancellation of its order
        departures = [
            sales.data(DEPART, {"id": shipment_id, "at": None, "bl": None}) for _ in range(RACERS)
        ]
        cancel = sales.data(CANCEL, {"id": order_gid(order)})
        *departed, cancelled = await settled(*departures, cancel)

    [line] = await lines_of(committed_db, order)
    won = [result for result in departed if not _codes(result["departShipment"])]
    if cancelled["cancelOrder"]["userErrors"]:
        # then either it departed once: the stock left once, one announcement
        assert len(won) == 1
        assert await stock_of(committed_db, line) == (90, 0)
        assert len(await events_of(committed_db, event_types.SHIPMENT_DEPARTED)) == 1
        assert line.shipped_quantity == 10
    else:
        # or the order was cancelled first: nothing left, the reservation released
        assert won == []
        assert await stock_of(committed_db, line) == (100, 0)
        assert await events_of(committed_db, event_types.SHIPMENT_DEPARTED) == []
        assert line.shipped_quantity == 0
