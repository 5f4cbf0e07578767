"""Who sees a shipment: the client whose order it is (with its legs and tracking), staff
with `orders:read_all`, and nobody else, on every path: `shipment(id:)`, `node(id:)` and
`Order.shipments`. For anyone else a shipment answers null, exactly like a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.orders import OrderStatus
from models.shipments import Shipment, ShipmentLeg, TrackingEvent, TransportMode
from tests.callers import make_client_company, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.ledger.books import make_order, order_gid

SHIPMENT_FIELDS = """id reference order { number }
  legs { sequence carrier mode origin destination }
  trackingEvents { occurredAt location status }"""
BY_ID = f"query($id: ID!) {{ shipment(id: $id) {{ {SHIPMENT_FIELDS} }} }}"
BY_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Shipment {{ {SHIPMENT_FIELDS} }} }} }}"
OF_ORDER = "query($id: ID!) { node(id: $id) { ... on Order { number shipments { reference } } } }"


@dataclass
class World:
    shipment_id: str
    order_id: str
    number: str
    owner: str
    other: str
    support: str


async def _world(db: Database, settings: Settings) -> World:
    async with db.transaction() as session:
        owner = await make_client_company(session)
        other = await make_client_company(session, name="Other Imports SA")
    order = await make_order(db, owner, status=OrderStatus.SHIPPED)
    assert order.id is not None
    async with db.transaction() as session:
        shipment = Shipment(
            order_id=order.id, client_company_id=owner.id or 0, reference="MAEU-2611-0042"
        )
        session.add(shipment)
        await session.flush()
        assert shipment.id is not None
        session.add_all(
            [
                ShipmentLeg(shipment_id=shipment.id, sequence=2, carrier="DB Schenker",
                            mode=TransportMode.ROAD, origin="Hamburg", destination="Leipzig"),
                ShipmentLeg(shipment_id=shipment.id, sequence=1, carrier="Maersk",
                            mode=TransportMode.SEA, origin="Nhava Sheva", destination="Hamburg"),
                TrackingEvent(shipment_id=shipment.id, location="Hamburg", status="arrived",
                              occurred_at=datetime(2026, 11, 20, tzinfo=UTC)),
                TrackingEvent(shipment_id=shipment.id, location="Nhava Sheva", status="departed",
                              occurred_at=datetime(2026, 10, 28, tzinfo=UTC)),
            ]
        )  # fmt: skip
        tokens = [
            await token_for(session, settings, Role.CLIENT, company=owner),
            await token_for(session, settings, Role.CLIENT, company=other),
            await token_for(session, settings, Role.SUPPORT),
        ]
    return World(
        encode_global_id("Shipment", shipment.id), order_gid(order), f"SO-{order.id:06d}", *tokens
    )


async def _read(http: GraphQLClient, query: str, gid: str) -> dict[str, object]:
    body = await http.post(query, {"id": gid})
    assert "errors" not in body, body["errors"]
    return body["data"]  # type: ignore[no-any-return]


async def test_the_client_whose_order_it_is_sees_the_shipment_with_legs_and_tracking(
    db: Database, settings: Settings
) -> None:
    world = await _world(db, settings)
    expected = {
        "id": world.shipment_id,
        "reference": "MAEU-2611-0042",
        "order": {"number": world.number},
        "legs": [
            {"sequence": 1, "carrier": "Maersk", "mode": "SEA", "origin": "Nhava Sheva",
             "destination": "Hamburg"},
            {"sequence": 2, "carrier": "DB Schenker", "mode": "ROAD", "origin": "Hamburg",
             "destination": "Leipzig"},
        ],
        "trackingEvents": [
            {"occurredAt": "2026-10-28T00:00:00+00:00", "location": "Nhava Sheva",
             "status": "departed"},
            {"occurredAt": "2026-11-20T00:00:00+00:00", "location": "Hamburg",
             "status": "arrived"},
        ],
    }  # fmt: skip
    async with graphql_client(settings, db) as anyone:
        for token in (world.owner, world.support):
            reader = anyone.as_(token)
            assert await _read(reader, BY_ID, world.shipment_id) == {"shipment": expected}
            assert await _read(reader, BY_NODE, world.shipment_id) == {"node": expected}
            assert await _read(reader, OF_ORDER, world.order_id) == {
                "node": {"number": world.number, "shipments": [{"reference": "MAEU-2611-0042"}]}
            }


async def test_another_client_and_anonymous_callers_get_null_as_for_a_missing_shipment(
    db: Database, settings: Settings
) -> None:
    world = await _world(db, settings)
    missing = encode_global_id("Shipment", 999_999)
    async with graphql_client(settings, db) as anyone:
        for reader in (anyone.as_(world.other), anyone):
            assert await _read(reader, BY_ID, world.shipment_id) == {"shipment": None}
            assert await _read(reader, BY_NODE, world.shipment_id) == {"node": None}
            assert await _read(reader, OF_ORDER, world.order_id) == {"node": None}
            assert await _read(reader, BY_ID, missing) == {"shipment": None}
