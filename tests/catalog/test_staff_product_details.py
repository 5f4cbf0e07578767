"""One product as staff see it, in any status, and a variant's stock ledger, newest first."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from auth.api_keys import create_api_key
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.catalog import ProductStatus
from models.catalog.stock import StockMovement, StockMovementKind
from models.orders import Order
from resolvers.pagination import encode_cursor
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.callers import error_codes, make_client_company
from tests.catalog.staff_support import as_role
from tests.graphql_client import GraphQLClient
from tests.user_builders import make_user

PRODUCT = """
query($id: ID!) {
  catalogProduct(id: $id) {
    id status version createdAt updatedAt stockOnHand variantCount
    product { name specs { key display } variants { sku priceTiers { currency unitPrice } } }
    variants { sku version stockOnHand stockReserved variant { costPrice { amount } } }
  }
}
"""
MOVEMENTS = """
query($variant: ID!, $first: Int, $after: String) {
  catalogStockMovements(variantId: $variant, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { kind onHandChange reservedChange onHandAfter reservedAfter reason orderId
            shipmentId requestId createdAt actor { userId apiKeyId isClientUser name } }
  }
}
"""


async def _draft(db: Database) -> tuple[str, str]:
    async with db.transaction() as session:
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
            name="Unreleased towel",
            status=ProductStatus.DRAFT,
        )
        variant = await make_variant(
            session,
            product=product,
            sku="UT-1",
            on_hand=12,
            reserved=2,
            cost_price=Decimal("1.25"),
            cost_currency="USD",
        )
    return encode_global_id("Product", product.id or 0), encode_global_id(
        "Variant", variant.id or 0
    )


async def test_staff_read_a_draft_whole_and_cost_prices_stay_gated(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    product_id, _variant_id = await _draft(db)
    finance = await as_role(db, settings, Role.FINANCE, client)
    body = await finance.post(PRODUCT, {"id": product_id})
    found = body["data"]["catalogProduct"]
    assert (found["status"], found["version"], found["stockOnHand"]) == ("DRAFT", 1, 12)
    assert found["product"]["name"] == "Unreleased towel"
    assert found["product"]["specs"][0]["display"] == "220 g/m²"
    assert found["product"]["variants"][0]["priceTiers"][0]["unitPrice"] == "4.2000"
    [variant] = found["variants"]
    assert (variant["sku"], variant["stockReserved"]) == ("UT-1", 2)
    assert variant["variant"]["costPrice"] == {"amount": "1.2500"}
    # support may read the product but not what it costs
    support = await as_role(db, settings, Role.SUPPORT, client)
    body = await support.post(PRODUCT, {"id": product_id})
    assert error_codes(body) == [("catalogProduct.variants.0.variant.costPrice", "FORBIDDEN")]
    assert body["data"]["catalogProduct"]["product"]["name"] == "Unreleased towel"
    # the storefront sees neither this field nor the draft through node or product
    body = await client.post(PRODUCT, {"id": product_id})
    assert error_codes(body) == [("catalogProduct", "FORBIDDEN")]
    body = await client.post("query($id: ID!) { node(id: $id) { id } }", {"id": product_id})
    assert body["data"]["node"] is None


@pytest.mark.parametrize(
    ("product_id", "expected"),
    [
        (encode_global_id("Product", 999_999), None),  # unknown: null, like node(id:)
        (encode_global_id("Product", 2**40), None),  # beyond the keys: unknown
        (encode_global_id("Variant", 1), "BAD_USER_INPUT"),
        ("bm9wZQ==", "BAD_USER_INPUT"),
        ("x\u0000", "BAD_USER_INPUT"),
        ("A" * 500, "BAD_USER_INPUT"),
    ],
)
async def test_unknown_and_malformed_product_ids(
    db: Database, settings: Settings, client: GraphQLClient, product_id: str, expected: str | None
) -> None:
    staff = await as_role(db, settings, Role.SALES, client)
    body = await staff.post(PRODUCT, {"id": product_id})
    if expected is None:
        assert body == {"data": {"catalogProduct": None}}
    else:
        assert [code for _path, code in error_codes(body)] == [expected]


async def _ledger(db: Database, variant_id: str) -> dict[str, Any]:
    """Movements by a staff user, a client's buyer, an API key and the system, in that order."""
    from core.global_id import decode_global_id

    _type, pk = decode_global_id(variant_id, argument="id")
    async with db.transaction() as session:
        company = await make_client_company(session)
        clerk = await make_user(session, Role.CATALOG_MANAGER)
        buyer = await make_user(session, Role.CLIENT, company=company)
        key = await create_api_key(session, name="ERP sync", role=Role.CATALOG_MANAGER)
        order = Order(
            client_company_id=company.id or 0,
            request_hash="1" * 64,
            currency="USD",
            incoterm="FOB",
            total=Decimal("10.00"),
            credit_currency="USD",
            fx_rate=Decimal(1),
        )
        session.add(order)
        await session.flush()
        figures: list[tuple[StockMovementKind, int, int, dict[str, Any]]] = [
            (StockMovementKind.RECEIVED, 10, 0, {"actor_user_id": clerk.id}),
            (StockMovementKind.RESERVED, 0, 2, {"actor_user_id": buyer.id, "order_id": order.id}),
            (StockMovementKind.ADJUSTED, 2, 0, {"actor_api_key_id": key.row.id, "reason": "count"}),
            (StockMovementKind.RELEASED, 0, -2, {"order_id": order.id}),
        ]
        on_hand = reserved = 0
        for kind, on_hand_change, reserved_change, extra in figures:
            on_hand += on_hand_change
            reserved += reserved_change
            session.add(
                StockMovement(
                    variant_id=pk,
                    kind=kind,
                    on_hand_change=on_hand_change,
                    reserved_change=reserved_change,
                    on_hand_after=on_hand,
                    reserved_after=reserved,
                    request_id="req-1",
                    **extra,
                )
            )
        await session.flush()
    return {"clerk": clerk, "buyer": buyer, "key": key, "order": order}


async def test_a_variants_ledger_newest_first_with_who_and_why(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    _product_id, variant_id = await _draft(db)
    made = await _ledger(db, variant_id)
    support = await as_role(db, settings, Role.SUPPORT, client)
    body = await support.post(MOVEMENTS, {"variant": variant_id})
    ledger = body["data"]["catalogStockMovements"]
    assert ledger["totalCount"] == 4
    released, adjusted, reserved, received = ledger["nodes"]
    assert [node["kind"] for node in ledger["nodes"]] == [
        "RELEASED",
        "ADJUSTED",
        "RESERVED",
        "RECEIVED",
    ]
    order_id = encode_global_id("Order", made["order"].id)
    assert (released["orderId"], released["actor"]) == (
        order_id,
        {"userId": None, "apiKeyId": None, "isClientUser": False, "name": None},
    )
    assert (adjusted["reason"], adjusted["onHandAfter"], adjusted["actor"]["name"]) == (
        "count",
        12,
        "ERP sync",
    )
    assert adjusted["actor"]["apiKeyId"] == encode_global_id("ApiKey", made["key"].row.id)
    # a client's buyer is named by id only: their address is the client's personal data
    assert reserved["actor"] == {
        "userId": encode_global_id("User", made["buyer"].id),
        "apiKeyId": None,
        "isClientUser": True,
        "name": None,
    }
    assert (reserved["reservedChange"], reserved["orderId"]) == (2, order_id)
    assert received["actor"]["name"] == made["clerk"].email


async def test_ledger_pages_follow_on_without_repeats_as_movements_are_added(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    _product_id, variant_id = await _draft(db)
    await _ledger(db, variant_id)
    staff = await as_role(db, settings, Role.SALES, client)
    first = await staff.post_with_extensions(MOVEMENTS, {"variant": variant_id, "first": 1})
    page = first["data"]["catalogStockMovements"]
    await _ledger(db, variant_id)  # newer rows arrive: they sit before the cursor
    rest = await staff.post_with_extensions(
        MOVEMENTS, {"variant": variant_id, "first": 100, "after": page["pageInfo"]["endCursor"]}
    )
    kinds = [node["kind"] for node in rest["data"]["catalogStockMovements"]["nodes"]]
    assert kinds == ["ADJUSTED", "RESERVED", "RECEIVED"]
    assert first["extensions"]["sqlStatements"] == rest["extensions"]["sqlStatements"]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"variant": encode_global_id("Variant", 999_999)}, None),
        ({"variant": encode_global_id("Product", 1)}, "BAD_USER_INPUT"),
        ({"after": "garbage"}, "BAD_USER_INPUT"),
        ({"after": encode_cursor("stock_movements", [2**70])}, "BAD_USER_INPUT"),
        ({"after": encode_cursor("catalog_name", ["a", 1])}, "BAD_USER_INPUT"),
        ({"first": 1000}, "BAD_USER_INPUT"),
    ],
)
async def test_unknown_variants_and_hostile_ledger_arguments(
    db: Database,
    settings: Settings,
    client: GraphQLClient,
    variables: dict[str, Any],
    expected: str | None,
) -> None:
    _product_id, variant_id = await _draft(db)
    staff = await as_role(db, settings, Role.SUPPORT, client)
    body = await staff.post(MOVEMENTS, {"variant": variant_id, **variables})
    if expected is None:
        assert body == {"data": {"catalogStockMovements": None}}
    else:
        assert error_codes(body) == [("catalogStockMovements", expected)]
