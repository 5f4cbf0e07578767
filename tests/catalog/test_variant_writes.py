"""Adding, editing and removing variants through the API: SKUs unique in any case, pack and
carton checked, cost readable with catalog:read_cost only, history never removed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import col, select

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.catalog import PriceTier, Variant
from models.catalog.stock import StockMovement, StockMovementKind
from tests.callers import token_for
from tests.catalog.catalog_writes import (
    CREATE_VARIANT,
    REMOVE_VARIANT,
    UPDATE_VARIANT,
    World,
    audit_rows,
    codes,
    events,
    make_world,
    pk,
)
from tests.graphql_client import GraphQLClient, graphql_client

COST = """query($id: ID!) { node(id: $id) { ... on Variant { costPrice { amount currency } } } }"""


@pytest.fixture
async def http(db: Database, settings: Settings) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(settings, db) as client:
        yield client


@pytest.fixture
async def world(db: Database, settings: Settings, http: GraphQLClient) -> World:
    return await make_world(db, settings, http)


async def test_a_variant_is_added_with_an_audit_row_and_a_product_event(
    world: World, db: Database
) -> None:
    product = await world.product()

    variant = await world.variant(
        product["id"],
        sku="TW-NAVY-150",
        name="Navy, 150 cm",
        optionValues=[{"name": "colour", "value": "navy"}, {"name": "width", "value": "150"}],
        unitsPerCarton=40,
        cartonWeightKg="18.250",
        cartonVolumeM3="0.0850",
        cost={"amount": "2.5000", "currency": "usd"},
    )

    assert variant | {"id": "?"} == {
        "id": "?",
        "sku": "TW-NAVY-150",
        "name": "Navy, 150 cm",
        "unitsPerCarton": 40,
        "cartonWeightKg": "18.250",
        "cartonVolumeM3": "0.0850",
        "optionValues": [{"name": "colour", "value": "navy"}, {"name": "width", "value": "150"}],
        "version": 1,
        "priceTiers": [],
    }
    [entry] = await audit_rows(db, "variant.")
    assert entry.changes["cost_currency"] == [None, "USD"]
    [event] = await events(db, "product.updated")
    assert (event["product_id"], event["changed"]) == (product["id"], ["variants"])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"sku": " "}, [("input.sku", "REQUIRED")]),
        ({"sku": "S" * 65}, [("input.sku", "TOO_LONG")]),
        ({"name": "n" * 201}, [("input.name", "TOO_LONG")]),
        ({"unitsPerCarton": 0}, [("input.unitsPerCarton", "OUT_OF_RANGE")]),
        ({"cartonWeightKg": "0"}, [("input.cartonWeightKg", "OUT_OF_RANGE")]),
        ({"cartonWeightKg": "1.0001"}, [("input.cartonWeightKg", "INVALID_AMOUNT")]),
        ({"cartonVolumeM3": "-0.1"}, [("input.cartonVolumeM3", "OUT_OF_RANGE")]),
        ({"cost": {"amount": "-1", "currency": "USD"}}, [("input.cost.amount", "OUT_OF_RANGE")]),
        (
            {"cost": {"amount": "1.00001", "currency": "USD"}},
            [("input.cost.amount", "INVALID_AMOUNT")],
        ),
        (
            {"cost": {"amount": "1", "currency": "XYZ"}},
            [("input.cost.currency", "INVALID_CURRENCY")],
        ),
        (
            {"optionValues": [{"name": "colour", "value": "a"}, {"name": "colour", "value": "b"}]},
            [("input.optionValues.1.name", "DUPLICATE_ITEM")],
        ),
        (
            {"optionValues": [{"name": "", "value": "a"}]},
            [("input.optionValues.0.name", "REQUIRED")],
        ),
        (
            {"optionValues": [{"name": f"o{i}", "value": "v"} for i in range(21)]},
            [("input.optionValues", "TOO_MANY_ITEMS")],
        ),
    ],
)
async def test_a_wrong_variant_is_refused_and_nothing_is_written(
    world: World, db: Database, given: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    product = await world.product()

    data = await world.manager.data(
        CREATE_VARIANT, {"product": product["id"], "input": {"sku": "OK-1", **given}}
    )

    assert codes(data["createVariant"]) == expected
    assert await audit_rows(db, "variant.") == []


@pytest.mark.parametrize("value", ["1e999", "99999999.9999", "NaN", 1.5])
async def test_a_hostile_carton_weight_is_bad_user_input(world: World, value: object) -> None:
    product = await world.product()

    body = await world.manager.post(
        CREATE_VARIANT,
        {"product": product["id"], "input": {"sku": "OK-1", "cartonWeightKg": value}},
    )

    assert body["data"] is None or body["data"]["createVariant"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]


async def test_a_sku_is_unique_in_any_letter_case(world: World) -> None:
    product = await world.product()
    first = await world.variant(product["id"], sku="TW-01")
    second = await world.variant(product["id"], sku="TW-02")

    clash = await world.manager.data(
        CREATE_VARIANT, {"product": product["id"], "input": {"sku": "tw-01"}}
    )
    renamed = await world.manager.data(
        UPDATE_VARIANT, {"id": second["id"], "v": 1, "input": {"sku": "Tw-01"}}
    )
    own_case = await world.manager.data(
        UPDATE_VARIANT, {"id": first["id"], "v": 1, "input": {"sku": "tw-01"}}
    )

    assert codes(clash["createVariant"]) == [("input.sku", "SKU_TAKEN")]
    assert codes(renamed["updateVariant"]) == [("input.sku", "SKU_TAKEN")]
    assert own_case["updateVariant"]["variant"]["sku"] == "tw-01"


async def test_a_variant_edit_names_its_version(world: World, db: Database) -> None:
    product = await world.product()
    variant = await world.variant(product["id"])
    patch = {"unitsPerCarton": 24, "optionValues": [{"name": "colour", "value": "red"}]}

    edited = await world.manager.data(UPDATE_VARIANT, {"id": variant["id"], "v": 1, "input": patch})
    stale = await world.manager.data(
        UPDATE_VARIANT, {"id": variant["id"], "v": 1, "input": {"name": "Late"}}
    )
    missing = await world.manager.data(
        UPDATE_VARIANT, {"id": encode_global_id("Variant", 999_999), "v": 1, "input": {}}
    )

    assert edited["updateVariant"]["variant"]["unitsPerCarton"] == 24
    assert edited["updateVariant"]["variant"]["version"] == 2
    assert codes(stale["updateVariant"]) == [("expectedVersion", "CONFLICT")]
    assert codes(missing["updateVariant"]) == [("id", "NOT_FOUND")]
    [_, entry] = await audit_rows(db, "variant.")
    assert entry.changes["units_per_carton"] == [1, 24]
    assert entry.changes["version"] == [1, 2]


async def test_a_cost_price_set_is_read_only_with_catalog_read_cost(
    world: World, db: Database, settings: Settings, http: GraphQLClient
) -> None:
    product = await world.product()
    variant = await world.variant(product["id"])
    await world.manager.data(
        UPDATE_VARIANT,
        {"id": variant["id"], "v": 1, "input": {"cost": {"amount": "2.75", "currency": "EUR"}}},
    )
    async with db.transaction() as session:
        sales = http.as_(await token_for(session, settings, Role.SALES))
    async with db.session() as session:
        stored = await session.get(Variant, pk(variant["id"]))
    assert stored is not None
    assert (stored.cost_price, stored.cost_currency) == (Decimal("2.75"), "EUR")

    body = await world.manager.post(
        """mutation($id: ID!) { updateVariant(id: $id, expectedVersion: 2, input: {}) {
        variant { costPrice { amount currency } } } }""",
        {"id": variant["id"]},
    )
    denied = await sales.post(
        """mutation($id: ID!) { updateVariant(id: $id, expectedVersion: 2, input: {}) {
        variant { sku } } }""",
        {"id": variant["id"]},
    )

    assert body["data"]["updateVariant"]["variant"]["costPrice"] == {
        "amount": "2.7500",
        "currency": "EUR",
    }
    assert [error["extensions"]["code"] for error in denied["errors"]] == ["FORBIDDEN"]


async def test_a_variant_without_history_is_removed_with_its_prices(
    world: World, db: Database
) -> None:
    product = await world.product()
    variant = await world.variant(product["id"])
    priced = (await world.prices(variant, [(300, "4.20")]))["variant"]

    stale = await world.manager.data(REMOVE_VARIANT, {"id": variant["id"], "v": 1})
    removed = await world.manager.data(
        REMOVE_VARIANT, {"id": variant["id"], "v": priced["version"]}
    )

    assert codes(stale["removeVariant"]) == [("expectedVersion", "CONFLICT")]
    assert removed["removeVariant"] == {"removedVariantId": variant["id"], "userErrors": []}
    async with db.session() as session:
        assert await session.get(Variant, pk(variant["id"])) is None
        tiers = await session.scalars(
            select(PriceTier).where(col(PriceTier.variant_id) == pk(variant["id"]))
        )
        assert list(tiers) == []
    assert (await audit_rows(db, "variant.remove"))[0].changes["sku"] == [variant["sku"], None]


async def test_a_variant_with_history_is_kept(world: World, db: Database) -> None:
    product = await world.product()
    variant = await world.variant(product["id"])
    async with db.transaction() as session:
        session.add(
            StockMovement(
                variant_id=pk(variant["id"]),
                kind=StockMovementKind.RECEIVED,
                on_hand_change=10,
                reserved_change=0,
                on_hand_after=10,
                reserved_after=0,
                reason="count",
            )
        )

    data = await world.manager.data(REMOVE_VARIANT, {"id": variant["id"], "v": 1})

    assert codes(data["removeVariant"]) == [("id", "VARIANT_IN_USE")]


async def test_the_last_priced_variant_of_an_active_product_stays(world: World) -> None:
    product = await world.sellable_product()
    [variant] = await _variants(world, product)

    data = await world.manager.data(REMOVE_VARIANT, {"id": variant["id"], "v": variant["version"]})

    assert codes(data["removeVariant"]) == [("", "NOT_SELLABLE")]


async def _variants(world: World, product: dict[str, Any]) -> list[dict[str, Any]]:
    query = """query($id: ID!) { node(id: $id) { ... on Product { variants { id version } } } }"""
    data = await world.manager.data(query, {"id": product["id"]})
    variants: list[dict[str, Any]] = data["node"]["variants"]
    return variants
