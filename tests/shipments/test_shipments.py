"""Booking shipments and tracking them: staff with `orders:write` book a shipment of an
order that is confirmed, paid or partly shipped; refusals are userErrors naming the input and
write nothing; every change emits its partner event and leaves one audit row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from core import event_types
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.clients import ClientCompany
from models.orders import OrderStatus
from models.outbox import OutboxEvent
from models.shipments import Shipment
from tests.callers import error_codes, make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.ledger.books import make_order, order_gid
from tests.shipments.support import make_shippable_order

CREATE = """mutation($order: ID!, $input: ShipmentInput!) {
  createShipment(orderId: $order, input: $input) {
    shipment { id reference note legs { sequence carrier mode transportDocumentNumber
      containerNumber vesselOrFlight origin destination etd eta } }
    userErrors { field code message } } }"""
TRACK = """mutation($shipment: ID!, $input: TrackingEventInput!) {
  addTrackingEvent(shipmentId: $shipment, input: $input) {
    trackingEvent { occurredAt location status description } userErrors { field code } } }"""
SEA = {
    "carrier": " Maersk ",
    "mode": "SEA",
    "transportDocumentNumber": "MAEU240112345",
    "containerNumber": "MSKU1234565",
    "vesselOrFlight": "Maersk Kinloss 412W",
    "origin": "Nhava Sheva, IN",
    "destination": "Hamburg, DE",
    "etd": "2026-12-02T06:00:00+00:00",
    "eta": "2026-12-30T18:00:00+00:00",
}
ROAD = {"carrier": "DB Schenker", "mode": "ROAD", "origin": "Hamburg, DE",
        "destination": "Leipzig, DE", "etd": "2026-12-31T08:00:00+00:00"}  # fmt: skip


async def _sales(db: Database, settings: Settings, http: GraphQLClient) -> GraphQLClient:
    async with db.transaction() as session:
        return http.as_(await token_for(session, settings, Role.SALES))


async def _company(db: Database) -> ClientCompany:
    async with db.transaction() as session:
        return await make_client_company(session)


async def _rows(db: Database, model: type[Any]) -> list[Any]:
    async with db.session() as session:
        return list(await session.scalars(select(model).order_by(col(model.id))))


async def _events(db: Database, event_type: str) -> list[dict[str, Any]]:
    async with db.session() as session:
        events = await session.scalars(
            select(OutboxEvent)
            .where(col(OutboxEvent.event_type) == event_type)
            .order_by(col(OutboxEvent.id))
        )
        return [event.payload for event in events]


async def test_sales_book_a_shipment_with_its_legs(db: Database, settings: Settings) -> None:
    order = await make_shippable_order(db, await _company(db), status=OrderStatus.PAID)
    async with graphql_client(settings, db) as anyone:
        sales = await _sales(db, settings, anyone)
        given = {"reference": "MAEU-2611-0042", "note": "Two pallets", "legs": [SEA, ROAD]}
        payload = (await sales.data(CREATE, {"order": order_gid(order), "input": given}))[
            "createShipment"
        ]

    # then the shipment is booked with its legs in journey order, text tidied
    assert payload["userErrors"] == []
    shipment = payload["shipment"]
    assert (shipment["reference"], shipment["note"]) == ("MAEU-2611-0042", "Two pallets")
    assert [leg["sequence"] for leg in shipment["legs"]] == [1, 2]
    assert shipment["legs"][0] == {**SEA, "carrier": "Maersk", "sequence": 1}
    assert shipment["legs"][1]["eta"] is None
    assert shipment["legs"][1]["containerNumber"] == ""
    # and it belongs to the order's client
    [row] = await _rows(db, Shipment)
    assert (row.order_id, row.client_company_id) == (order.id, order.client_company_id)
    # and partners are told, with the published payload
    assert await _events(db, event_types.SHIPMENT_CREATED) == [
        {
            "shipment_id": shipment["id"],
            "order_id": order_gid(order),
            "reference": "MAEU-2611-0042",
            "leg_count": 2,
        }
    ]
    # and one audit row names the shipment
    [entry] = await _rows(db, AuditEntry)
    assert (entry.action, entry.target_type, entry.target_id) == (
        "shipment.create",
        "Shipment",
        str(row.id),
    )


async def test_invalid_legs_are_named_and_nothing_is_booked(
    db: Database, settings: Settings
) -> None:
    order = await make_order(db, await _company(db))
    late = {**SEA, "eta": "2026-12-01T00:00:00Z"}
    nameless = {**ROAD, "carrier": "  ", "containerNumber": "X" * 33}
    async with graphql_client(settings, db) as anyone:
        sales = await _sales(db, settings, anyone)
        refused = await sales.data(
            CREATE, {"order": order_gid(order), "input": {"legs": [SEA, late, nameless]}}
        )
        empty = await sales.data(CREATE, {"order": order_gid(order), "input": {"legs": []}})

    payload = refused["createShipment"]
    assert payload["shipment"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "legs", "1", "eta"], "ETA_BEFORE_ETD"),
        (["input", "legs", "2", "carrier"], "REQUIRED"),
        (["input", "legs", "2", "containerNumber"], "TOO_LONG"),
    ]
    assert [(e["field"], e["code"]) for e in empty["createShipment"]["userErrors"]] == [
        (["input", "legs"], "NO_ITEMS")
    ]
    assert await _rows(db, Shipment) == []
    assert await _events(db, event_types.SHIPMENT_CREATED) == []
    assert await _rows(db, AuditEntry) == []


@pytest.mark.parametrize(
    "status",
    [OrderStatus.PLACED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED],
)
async def test_only_confirmed_paid_or_partly_shipped_orders_get_a_shipment(
    db: Database, settings: Settings, status: OrderStatus
) -> None:
    order = await make_shippable_order(db, await _company(db), status=status)
    async with graphql_client(settings, db) as anyone:
        sales = await _sales(db, settings, anyone)
        payload = (await sales.data(CREATE, {"order": order_gid(order), "input": {"legs": [SEA]}}))[
            "createShipment"
        ]
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["orderId"], "ORDER_NOT_SHIPPABLE")
    assert status.value in error["message"]
    assert await _rows(db, Shipment) == []


async def test_an_unknown_order_or_shipment_is_not_found(db: Database, settings: Settings) -> None:
    missing_order = encode_global_id("Order", 999_999)
    not_an_order = encode_global_id("Product", 1)
    missing_shipment = encode_global_id("Shipment", 999_999)
    event = {"occurredAt": "2026-11-02T06:30:00Z", "location": "Nhava Sheva, IN",
             "status": "departed"}  # fmt: skip
    async with graphql_client(settings, db) as anyone:
        sales = await _sales(db, settings, anyone)
        codes = [
            (await sales.data(CREATE, {"order": order, "input": {"legs": [SEA]}}))[
                "createShipment"
            ]["userErrors"]
            for order in (missing_order, not_an_order)
        ]
        tracked = await sales.data(TRACK, {"shipment": missing_shipment, "input": event})
    assert [[(e["field"], e["code"]) for e in errors] for errors in codes] == [
        [(["orderId"], "NOT_FOUND")],
        [(["orderId"], "NOT_FOUND")],
    ]
    assert tracked["addTrackingEvent"]["userErrors"] == [
        {"field": ["shipmentId"], "code": "NOT_FOUND"}
    ]


async def test_tracking_events_are_added_and_announced(db: Database, settings: Settings) -> None:
    order = await make_shippable_order(db, await _company(db))
    async with graphql_client(settings, db) as anyone:
        sales = await _sales(db, settings, anyone)
        created = await sales.data(CREATE, {"order": order_gid(order), "input": {"legs": [SEA]}})
        shipment_id = created["createShipment"]["shipment"]["id"]
        event = {
            "occurredAt": "2026-11-02T12:00:00+05:30",
            "location": " Nhava Sheva, IN ",
            "status": "departed",
            "description": "Loaded on Maersk Kinloss",
        }
        added = await sales.data(TRACK, {"shipment": shipment_id, "input": event})
        future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
        ahead = await sales.data(
            TRACK, {"shipment": shipment_id, "input": {**event, "occurredAt": future}}
        )
        blank = await sales.data(
            TRACK, {"shipment": shipment_id, "input": {**event, "location": "", "status": " "}}
        )

    assert added["addTrackingEvent"] == {
        "trackingEvent": {
            "occurredAt": "2026-11-02T06:30:00+00:00",
            "location": "Nhava Sheva, IN",
            "status": "departed",
            "description": "Loaded on Maersk Kinloss",
        },
        "userErrors": [],
    }
    assert ahead["addTrackingEvent"]["userErrors"] == [
        {"field": ["input", "occurredAt"], "code": "IN_THE_FUTURE"}
    ]
    assert blank["addTrackingEvent"]["userErrors"] == [
        {"field": ["input", "location"], "code": "REQUIRED"},
        {"field": ["input", "status"], "code": "REQUIRED"},
    ]
    # and partners got exactly one tracking update, in the published shape
    assert await _events(db, event_types.SHIPMENT_TRACKING_UPDATED) == [
        {
            "shipment_id": shipment_id,
            "order_id": order_gid(order),
            "status": "departed",
            "location": "Nhava Sheva, IN",
            "occurred_at": "2026-11-02T06:30:00+00:00",
        }
    ]
    actions = [entry.action for entry in await _rows(db, AuditEntry)]
    assert actions == ["shipment.create", "shipment.add_tracking_event"]


async def test_clients_cannot_book_or_track(db: Database, settings: Settings) -> None:
    company = await _company(db)
    order = await make_order(db, company)
    async with graphql_client(settings, db) as anyone:
        async with db.transaction() as session:
            client = anyone.as_(await token_for(session, settings, Role.CLIENT, company=company))
        body = await client.post(CREATE, {"order": order_gid(order), "input": {"legs": [SEA]}})
    assert error_codes(body) == [("createShipment", "FORBIDDEN")]
    assert await _rows(db, Shipment) == []
