"""Updating a shipment leg as the journey unfolds: only the fields given change, each update
is kept in the leg's history (who, when, before and after) and the audit log, the shipment's
ETD and ETA follow its legs, and a new ETA is announced as `shipment.eta_changed`; a refused
update changes nothing."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from core import event_types
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role, User
from models.audit import AuditEntry
from models.clients import ClientCompany
from models.orders import Order, order_number
from models.shipments import Shipment, ShipmentLegChange
from tests.callers import make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.ledger.books import order_gid
from tests.outbox_support import events_of
from tests.shipments.support import CREATE, SEA_LEG, make_shippable_order, shipment_input

UPDATE = """mutation($id: ID!, $sequence: Int!, $input: ShipmentLegUpdateInput!) {
  updateShipmentLeg(shipmentId: $id, sequence: $sequence, input: $input) {
    leg { sequence carrier vesselOrFlight voyage containerNumber etd eta
      history { changedAt changedBy changes { field before after } } }
    userErrors { field code message } } }"""
READ = """query($id: ID!) { shipment(id: $id) { etd eta legs { eta history {
  changedBy changes { field before after } } } } }"""
ROAD_LEG = {"carrier": "DB Schenker", "mode": "ROAD", "etd": "2026-12-31T08:00:00+00:00",
            "eta": "2027-01-02T08:00:00+00:00"}  # fmt: skip
DELAYED = "2027-01-04T10:00:00+00:00"


async def _booked(
    db: Database, settings: Settings, http: GraphQLClient
) -> tuple[GraphQLClient, str, Order]:
    """Sales, a two-leg shipment's id (sea, then road) and its order."""
    async with db.transaction() as session:
        company = await make_client_company(session)
        sales = http.as_(await token_for(session, settings, Role.SALES))
    order = await make_shippable_order(db, company)
    given = shipment_input(legs=[SEA_LEG, ROAD_LEG])
    booked = await sales.data(CREATE, {"order": order_gid(order), "input": given})
    return sales, booked["createShipment"]["shipment"]["id"], order


async def _email_of_sales(db: Database) -> str:
    async with db.session() as session:
        email = await session.scalar(select(col(User.email)).where(col(User.role) == Role.SALES))
    return str(email)


async def _shipment(db: Database) -> Shipment:
    async with db.session() as session:
        return (await session.scalars(select(Shipment))).one()


async def test_a_new_eta_is_kept_with_its_history_and_announced(
    any_db: Database, settings: Settings
) -> None:
    db = any_db  # on PostgreSQL and on SQLite, the embedded default
    async with graphql_client(settings, db) as http:
        sales, shipment_id, order = await _booked(db, settings, http)
        # when the road leg is delayed and the sea leg changes vessel
        delayed = await sales.data(
            UPDATE, {"id": shipment_id, "sequence": 2, "input": {"eta": DELAYED}}
        )
        renamed = await sales.data(
            UPDATE,
            {
                "id": shipment_id,
                "sequence": 1,
                "input": {"vesselOrFlight": " Maersk Kendal ", "voyage": "415E"},
            },
        )
        read = await sales.data(READ, {"id": shipment_id})

    # then each leg is as updated, with its history
    assert delayed["updateShipmentLeg"]["userErrors"] == []
    road = delayed["updateShipmentLeg"]["leg"]
    assert (road["carrier"], road["eta"]) == ("DB Schenker", DELAYED)
    [change] = road["history"]
    assert change["changes"] == [{"field": "eta", "before": ROAD_LEG["eta"], "after": DELAYED}]
    assert change["changedBy"] == await _email_of_sales(db)
    sea = renamed["updateShipmentLeg"]["leg"]
    assert (sea["vesselOrFlight"], sea["voyage"], sea["eta"]) == (
        "Maersk Kendal",
        "415E",
        SEA_LEG["eta"],
    )
    assert sea["history"][0]["changes"] == [
        {"field": "vesselOrFlight", "before": "Maersk Kinloss", "after": "Maersk Kendal"},
        {"field": "voyage", "before": "412W", "after": "415E"},
    ]
    # and the shipment arrives with its latest ETA, kept on its row for the staff list
    assert read["shipment"]["eta"] == DELAYED
    assert (await _shipment(db)).eta is not None
    assert (await _shipment(db)).eta.isoformat() == DELAYED  # type: ignore[union-attr]
    # and only the ETA change is announced, with the published payload
    [event] = await events_of(db, event_types.SHIPMENT_ETA_CHANGED)
    assert event.payload == {
        "shipment_id": shipment_id,
        "order_id": order_gid(order),
        "number": order_number(order.id or 0),
        "client_company_id": encode_global_id("ClientCompany", order.client_company_id),
        "leg_sequence": 2,
        "previous_eta": ROAD_LEG["eta"],
        "eta": DELAYED,
    }
    # and each update left one audit row
    async with db.session() as session:
        actions = list(
            await session.scalars(select(col(AuditEntry.action)).order_by(col(AuditEntry.id)))
        )
    assert actions == ["shipment.create", "shipment.update_leg", "shipment.update_leg"]


async def test_the_client_reads_the_history_but_not_who_changed_it(
    db: Database, settings: Settings
) -> None:
    async with graphql_client(settings, db) as http:
        sales, shipment_id, order = await _booked(db, settings, http)
        await sales.data(UPDATE, {"id": shipment_id, "sequence": 1, "input": {"eta": DELAYED}})
        async with db.transaction() as session:
            company = await session.get(ClientCompany, order.client_company_id)
            client = http.as_(await token_for(session, settings, Role.CLIENT, company=company))
        body = await client.post(READ, {"id": shipment_id})

    history = body["data"]["shipment"]["legs"][0]["history"]
    assert history == [
        {
            "changedBy": None,
            "changes": [{"field": "eta", "before": SEA_LEG["eta"], "after": DELAYED}],
        }
    ]
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]


async def _company_of(db: Database, order: Order) -> ClientCompany | None:
    async with db.session() as session:
        return await session.get(ClientCompany, order.client_company_id)


async def test_refused_updates_change_nothing(db: Database, settings: Settings) -> None:
    async with graphql_client(settings, db) as http:
        sales, shipment_id, _order = await _booked(db, settings, http)
        early = await sales.data(
            UPDATE, {"id": shipment_id, "sequence": 1, "input": {"eta": "2026-12-01T00:00:00Z"}}
        )
        late_departure = await sales.data(
            UPDATE, {"id": shipment_id, "sequence": 1, "input": {"etd": "2027-02-01T00:00:00Z"}}
        )
        blank = await sales.data(
            UPDATE,
            {"id": shipment_id, "sequence": 1, "input": {"carrier": " ", "voyage": "V" * 41}},
        )
        no_leg = await sales.data(UPDATE, {"id": shipment_id, "sequence": 3, "input": {}})
        no_shipment = await sales.data(
            UPDATE,
            {"id": encode_global_id("Shipment", 999_999), "sequence": 1, "input": {"eta": DELAYED}},
        )
        unchanged = await sales.data(
            UPDATE, {"id": shipment_id, "sequence": 1, "input": {"carrier": "Maersk"}}
        )

    def codes(payload: dict[str, Any]) -> list[tuple[str, str]]:
        errors = payload["updateShipmentLeg"]["userErrors"]
        return [(".".join(error["field"]), error["code"]) for error in errors]

    assert codes(early) == [("input.eta", "ETA_BEFORE_ETD")]
    assert codes(late_departure) == [("input.etd", "ETA_BEFORE_ETD")]
    assert codes(blank) == [("input.carrier", "REQUIRED"), ("input.voyage", "TOO_LONG")]
    assert codes(no_leg) == [("sequence", "NOT_FOUND")]
    assert codes(no_shipment) == [("shipmentId", "NOT_FOUND")]
    # an update to the values the leg already has is answered, and writes nothing
    assert codes(unchanged) == []
    assert unchanged["updateShipmentLeg"]["leg"]["history"] == []
    async with db.session() as session:
        assert list(await session.scalars(select(ShipmentLegChange))) == []
        actions = list(await session.scalars(select(col(AuditEntry.action))))
    assert actions == ["shipment.create"]
    assert await events_of(db, event_types.SHIPMENT_ETA_CHANGED) == []
    assert (await _shipment(db)).eta is not None


async def test_clients_cannot_update_a_leg(db: Database, settings: Settings) -> None:
    async with graphql_client(settings, db) as http:
        _sales, shipment_id, order = await _booked(db, settings, http)
        company = await _company_of(db, order)
        async with db.transaction() as session:
            client = http.as_(await token_for(session, settings, Role.CLIENT, company=company))
        body = await client.post(
            UPDATE, {"id": shipment_id, "sequence": 1, "input": {"eta": DELAYED}}
        )
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert await events_of(db, event_types.SHIPMENT_ETA_CHANGED) == []


async def test_dates_no_longer_known_are_cleared_and_the_cleared_eta_announced(
    db: Database, settings: Settings
) -> None:
    async with graphql_client(settings, db) as http:
        sales, shipment_id, order = await _booked(db, settings, http)
        # when the road leg's arrival and the sea leg's departure are no longer known
        cleared = await sales.data(
            UPDATE, {"id": shipment_id, "sequence": 2, "input": {"clearEta": True}}
        )
        undeparted = await sales.data(
            UPDATE, {"id": shipment_id, "sequence": 1, "input": {"clearEtd": True}}
        )
        # and someone both gives and clears a date
        both = await sales.data(
            UPDATE,
            {"id": shipment_id, "sequence": 1, "input": {"eta": DELAYED, "clearEta": True}},
        )
        read = await sales.data(READ, {"id": shipment_id})

    # then each date is gone, with its history
    road = cleared["updateShipmentLeg"]["leg"]
    assert cleared["updateShipmentLeg"]["userErrors"] == []
    assert road["eta"] is None
    assert road["history"][0]["changes"] == [
        {"field": "eta", "before": ROAD_LEG["eta"], "after": None}
    ]
    assert undeparted["updateShipmentLeg"]["leg"]["etd"] is None
    # and the shipment's journey dates come from the dates still known
    assert read["shipment"]["etd"] == ROAD_LEG["etd"]
    assert read["shipment"]["eta"] == SEA_LEG["eta"]
    # and the cleared ETA is announced as an ETA no longer known
    [event] = await events_of(db, event_types.SHIPMENT_ETA_CHANGED)
    assert (event.payload["previous_eta"], event.payload["eta"]) == (ROAD_LEG["eta"], None)
    assert event.payload["number"] == order_number(order.id or 0)
    # and giving and clearing a date at once is refused, changing nothing
    assert both["updateShipmentLeg"]["userErrors"] == [
        {
            "field": ["input", "clearEta"],
            "code": "INVALID",
            "message": "give a new ETA or clear it, not both",
        }
    ]
    assert both["updateShipmentLeg"]["leg"] is None
    assert read["shipment"]["legs"][0]["eta"] == SEA_LEG["eta"]
