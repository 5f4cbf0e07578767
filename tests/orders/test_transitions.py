"""The order state machine over HTTP: legal moves, refused ones, and their stock effects."""

from __future__ import annotations

from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.audit import AuditEntry
from tests.graphql_client import graphql_client
from tests.orders.builders import (
    CANCEL,
    MOVE,
    PAY,
    events_of,
    make_shop,
    move,
    place_one,
    stock_of,
)


async def test_an_order_goes_from_placed_to_delivered(db: Database, settings: Settings) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a")
        confirmed = await move(http, shop.sales_token, "confirmOrder", order_id)
        shipped = await move(http, shop.sales_token, "shipOrder", order_id)
        async with db.session() as session:
            after_ship = await stock_of(session, shop.variant)
        delivered = await move(http, shop.sales_token, "deliverOrder", order_id)
        # every later move from a final state is refused, and changes nothing
        refused = [
            await move(http, shop.sales_token, name, order_id)
            for name in ("confirmOrder", "shipOrder", "deliverOrder")
        ]
        late_cancel = await http.as_(shop.sales_token).data(
            CANCEL, {"id": order_id, "reason": "too late"}
        )
    assert [p["order"]["status"] for p in (confirmed, shipped, delivered)] == [
        "CONFIRMED",
        "SHIPPED",
        "DELIVERED",
    ]
    assert [p["order"]["version"] for p in (confirmed, shipped, delivered)] == [2, 3, 4]
    assert delivered["order"]["deliveredAt"] is not None
    assert [p["userErrors"] for p in refused] == [
        [{"field": ["id"], "code": "ILLEGAL_TRANSITION"}]
    ] * 3
    assert late_cancel["cancelOrder"]["userErrors"] == [
        {"field": ["id"], "code": "ILLEGAL_TRANSITION"}
    ]
    # shipping turned the reservation into a decrease of stock on hand
    assert after_ship == (990, 0)
    async with db.session() as session:
        assert await stock_of(session, shop.variant) == (990, 0)
        previous = [
            (e["status"], e["previous_status"])
            for kind in ("order.confirmed", "order.shipped", "order.delivered")
            for e in await events_of(session, kind, order_id)
        ]
        audited = list(
            await session.scalars(
                select(col(AuditEntry.action))
                .where(col(AuditEntry.action).like("order.%"))
                .order_by(col(AuditEntry.id))
            )
        )
    assert previous == [("confirmed", "placed"), ("shipped", "confirmed"), ("delivered", "shipped")]
    assert audited == ["order.place", "order.confirm", "order.ship", "order.deliver"]


async def test_cancelling_releases_the_reservation_once(db: Database, settings: Settings) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a", quantity=25)
        await move(http, shop.sales_token, "confirmOrder", order_id)
        blank = await http.as_(shop.sales_token).data(CANCEL, {"id": order_id, "reason": " "})
        first = await http.as_(shop.sales_token).data(
            CANCEL, {"id": order_id, "reason": "client request"}
        )
        second = await http.as_(shop.sales_token).data(CANCEL, {"id": order_id, "reason": "again"})
        ship = await move(http, shop.sales_token, "shipOrder", order_id)
    assert blank["cancelOrder"]["userErrors"] == [{"field": ["reason"], "code": "REQUIRED"}]
    assert first["cancelOrder"] == {
        "order": {"status": "CANCELLED", "cancelReason": "client request"},
        "userErrors": [],
    }
    assert second["cancelOrder"]["userErrors"] == [{"field": ["id"], "code": "ILLEGAL_TRANSITION"}]
    assert ship["userErrors"] == [{"field": ["id"], "code": "ILLEGAL_TRANSITION"}]
    async with db.session() as session:
        assert await stock_of(session, shop.variant) == (1_000, 0)
        events = await events_of(session, "order.cancelled", order_id)
    assert [(e["previous_status"], e["reason"]) for e in events] == [
        ("confirmed", "client request")
    ]


async def test_a_client_cancels_its_own_order_only_while_placed(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        other = await make_shop(session, settings, name="Other Buyer SA")
    async with graphql_client(settings, db) as http:
        placed = await place_one(http, shop, "a")
        confirmed = await place_one(http, shop, "b")
        await move(http, shop.sales_token, "confirmOrder", confirmed)
        client = http.as_(shop.client_token)
        stranger = await http.as_(other.client_token).data(
            CANCEL, {"id": placed, "reason": "not mine"}
        )
        own = await client.data(CANCEL, {"id": placed, "reason": "ordered twice"})
        too_late = await client.data(CANCEL, {"id": confirmed, "reason": "changed my mind"})
        client_confirms = await http.as_(shop.client_token).post(
            MOVE % "confirmOrder", {"id": confirmed}
        )
    assert stranger["cancelOrder"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    assert own["cancelOrder"]["order"]["status"] == "CANCELLED"
    assert too_late["cancelOrder"]["userErrors"] == [
        {"field": ["id"], "code": "ILLEGAL_TRANSITION"}
    ]
    assert [e["extensions"]["code"] for e in client_confirms["errors"]] == ["FORBIDDEN"]


async def test_an_order_can_ship_from_paid_and_the_event_says_so(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a")  # 10 x 10.00
        await move(http, shop.sales_token, "confirmOrder", order_id)
        paid = await http.as_(shop.finance_token).data(
            PAY, {"id": order_id, "amount": "100.00", "ref": "SWIFT-1"}
        )
        shipped = await move(http, shop.sales_token, "shipOrder", order_id)
    assert paid["recordPayment"]["order"]["status"] == "PAID"
    assert shipped["order"]["status"] == "SHIPPED"
    async with db.session() as session:
        events = await events_of(session, "order.shipped", order_id)
    assert [e["previous_status"] for e in events] == ["paid"]
