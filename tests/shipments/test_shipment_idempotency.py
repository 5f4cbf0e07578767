"""Booking a shipment with an idempotency key: a retry answers the shipment first booked (one
shipment, one `shipment.created`, one audit row), another input under the key is refused, keys
are each caller's, and a key sent by several calls at once books one shipment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import col, func, select

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.orders import OrderStatus
from models.outbox import OutboxEvent
from models.shipments import Shipment, ShipmentLeg
from tests.callers import make_client_company, token_for
from tests.concurrently import settled
from tests.graphql_client import GraphQLClient, graphql_client
from tests.ledger.books import make_order, order_gid
from tests.shipments.support import line_gid, lines_of, make_shippable_order

CREATE = """mutation($order: ID!, $input: ShipmentInput!, $key: String) {
  createShipment(orderId: $order, input: $input, idempotencyKey: $key) {
    shipment { id reference legs { carrier } } userErrors { field code } } }"""
SEA = {
    "carrier": "Maersk",
    "mode": "SEA",
    "transportDocumentNumber": "MAEU240112345",
    "etd": "2026-12-02T06:00:00+00:00",
    "eta": "2026-12-30T18:00:00+00:00",
}
BOOKING = {"reference": "MAEU-2611-0042", "legs": [SEA]}
RACERS = 6


@dataclass
class Yard:
    sales: GraphQLClient
    other_sales: GraphQLClient
    order_id: str
    cancelled_order_id: str
    line_id: str  # the order's one line, of 10 units


async def _yard(database: Database, settings: Settings, http: GraphQLClient) -> Yard:
    async with database.transaction() as session:
        company = await make_client_company(session)
        sales = await token_for(session, settings, Role.SALES)
        other_sales = await token_for(session, settings, Role.SALES)
    order = await make_shippable_order(database, company, status=OrderStatus.PAID)
    cancelled = await make_order(database, company, status=OrderStatus.CANCELLED)
    [line] = await lines_of(database, order)
    return Yard(
        http.as_(sales),
        http.as_(other_sales),
        order_gid(order),
        order_gid(cancelled),
        line_gid(line),
    )


@pytest.fixture
async def yard(db: Database, settings: Settings) -> AsyncIterator[Yard]:
    async with graphql_client(settings, db) as http:
        yield await _yard(db, settings, http)


async def _book(
    api: GraphQLClient, order_id: str, given: dict[str, Any], key: str | None
) -> dict[str, Any]:
    variables = {"order": order_id, "input": given, "key": key}
    payload: dict[str, Any] = (await api.data(CREATE, variables))["createShipment"]
    return payload


def _errors(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(".".join(error["field"] or []), error["code"]) for error in payload["userErrors"]]


async def _written(db: Database) -> tuple[int, int, int, int]:
    """Shipments, legs, `shipment.created` events and `shipment.create` audit rows."""
    async with db.session() as session:
        shipments = await session.scalar(select(func.count()).select_from(Shipment))
        legs = await session.scalar(select(func.count()).select_from(ShipmentLeg))
        events = await session.scalar(
            select(func.count()).where(col(OutboxEvent.event_type) == "shipment.created")
        )
        audits = await session.scalar(
            select(func.count()).where(col(AuditEntry.action) == "shipment.create")
        )
    return int(shipments or 0), int(legs or 0), int(events or 0), int(audits or 0)


async def test_a_retried_booking_answers_the_shipment_first_booked(
    db: Database, yard: Yard
) -> None:
    first = await _book(yard.sales, yard.order_id, BOOKING, "book-42")
    retry = await _book(yard.sales, yard.order_id, BOOKING, "book-42")

    assert first["userErrors"] == []
    assert retry["userErrors"] == []
    assert retry["shipment"] == first["shipment"]
    assert await _written(db) == (1, 1, 1, 1)


async def test_another_booking_under_a_used_key_is_refused_and_writes_nothing(
    db: Database, yard: Yard
) -> None:
    await _book(yard.sales, yard.order_id, BOOKING, "book-43")
    other_vessel = {**BOOKING, "legs": [{**SEA, "carrier": "CMA CGM"}]}
    reused = await _book(yard.sales, yard.order_id, other_vessel, "book-43")

    assert _errors(reused) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    assert reused["shipment"] is None
    assert await _written(db) == (1, 1, 1, 1)


async def test_a_key_is_each_caller_s(db: Database, yard: Yard) -> None:
    one_unit = {**BOOKING, "lines": [{"orderLineId": yard.line_id, "quantity": 1}]}
    mine = await _book(yard.sales, yard.order_id, one_unit, "same-key")
    theirs = await _book(yard.other_sales, yard.order_id, one_unit, "same-key")

    assert theirs["userErrors"] == []
    assert theirs["shipment"]["id"] != mine["shipment"]["id"]
    assert await _written(db) == (2, 2, 2, 2)


async def test_a_refused_booking_leaves_its_key_free(db: Database, yard: Yard) -> None:
    refused = await _book(yard.sales, yard.cancelled_order_id, BOOKING, "book-44")
    corrected = await _book(yard.sales, yard.order_id, {**BOOKING, "note": "paid one"}, "book-44")

    assert _errors(refused) == [("orderId", "ORDER_NOT_SHIPPABLE")]
    assert corrected["userErrors"] == []
    assert await _written(db) == (1, 1, 1, 1)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("", [("idempotencyKey", "REQUIRED")]),
        ("   ", [("idempotencyKey", "REQUIRED")]),
        ("b" * 101, [("idempotencyKey", "TOO_LONG")]),
    ],
)
async def test_a_blank_or_overlong_key_is_refused_with_a_code(
    db: Database, yard: Yard, key: str, expected: list[tuple[str, str]]
) -> None:
    refused = await _book(yard.sales, yard.order_id, BOOKING, key)
    assert _errors(refused) == expected
    assert await _written(db) == (0, 0, 0, 0)


async def test_a_key_with_a_nul_is_bad_input(db: Database, yard: Yard) -> None:
    body = await yard.sales.post(
        CREATE, {"order": yard.order_id, "input": BOOKING, "key": "book\x00"}
    )
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}
    assert await _written(db) == (0, 0, 0, 0)


@pytest.mark.slow
async def test_a_key_sent_by_several_calls_at_once_books_one_shipment(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with graphql_client(committed_settings, committed_db) as http:
        yard = await _yard(committed_db, committed_settings, http)
        results = await settled(
            *(_book(yard.sales, yard.order_id, BOOKING, "double-click") for _ in range(RACERS))
        )

    assert all(result["userErrors"] == [] for result in results)
    assert len({result["shipment"]["id"] for result in results}) == 1
    assert await _written(committed_db) == (1, 1, 1, 1)
