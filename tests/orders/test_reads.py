"""Reading orders: each client sees its own, staff all; hidden is the same as missing."""

from __future__ import annotations

from core.db import Database
from core.settings import Settings
from tests.callers import error_codes
from tests.graphql_client import graphql_client
from tests.orders.builders import make_shop, place_one

ORDER = """query($id: ID!) {
  order(id: $id) { number status total { amount } client { name }
    shippingAddress { city country } lines { sku variant { sku } } payments { reference } }
  node(id: $id) { id ... on Order { number } } }"""
LIST = """query($status: OrderStatus) {
  orders(first: 10, status: $status) { totalCount nodes { number } } }"""
COST = "query($id: ID!) { order(id: $id) { lines { variant { sku costPrice { amount } } } } }"
FINANCE = "query($id: ID!) { order(id: $id) { number fxRate creditCurrency } }"


async def test_a_client_sees_its_own_orders_and_never_another_clients(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
        other = await make_shop(session, settings, name="Other Buyer SA")
    async with graphql_client(settings, db) as http:
        mine = await place_one(http, shop, "a")
        theirs = await place_one(http, other, "b")
        own = await http.as_(shop.client_token).data(ORDER, {"id": mine})
        foreign = await http.as_(shop.client_token).data(ORDER, {"id": theirs})
        listed = await http.as_(shop.client_token).data(LIST, {})
        staff = await http.as_(shop.sales_token).data(LIST, {"status": "PLACED"})
        anonymous = await http.as_(None).data(LIST, {})
    assert own["order"]["client"] == {"name": "Hanse Textil GmbH"}
    assert own["order"]["shippingAddress"] == {"city": "Hamburg", "country": "DE"}
    assert own["order"]["lines"] == [
        {"sku": shop.variant.sku, "variant": {"sku": shop.variant.sku}}
    ]
    assert own["node"] == {"id": mine, "number": own["order"]["number"]}
    assert foreign == {"order": None, "node": None}
    assert listed["orders"] == {"totalCount": 1, "nodes": [{"number": own["order"]["number"]}]}
    assert staff["orders"]["totalCount"] == 2
    assert anonymous["orders"] == {"totalCount": 0, "nodes": []}


async def test_restricted_fields_stay_restricted_on_the_way_through_an_order(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        shop = await make_shop(session, settings)
    async with graphql_client(settings, db) as http:
        order_id = await place_one(http, shop, "a")
        client_cost = await http.as_(shop.client_token).post(COST, {"id": order_id})
        client_fx = await http.as_(shop.client_token).post(FINANCE, {"id": order_id})
        finance_fx = await http.as_(shop.finance_token).data(FINANCE, {"id": order_id})
    assert error_codes(client_cost) == [("order.lines.0.variant.costPrice", "FORBIDDEN")]
    assert client_cost["data"]["order"]["lines"][0]["variant"]["costPrice"] is None
    assert sorted(error_codes(client_fx)) == [
        ("order.creditCurrency", "FORBIDDEN"),
        ("order.fxRate", "FORBIDDEN"),
    ]
    assert finance_fx["order"]["fxRate"] == "1.0000000000"
    assert finance_fx["order"]["creditCurrency"] == "USD"
