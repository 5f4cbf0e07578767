"""Setting a variant's price ladder per currency: the whole ladder at once, checked, priced
from the MOQ, with price.changed, and the storefront's from-prices and filters following."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from tests.catalog.catalog_writes import SET_PRICES, World, audit_rows, codes, events, make_world
from tests.graphql_client import GraphQLClient, graphql_client

PRICED = """query($type: String!, $currency: String!, $min: Decimal, $max: Decimal) {
  products(first: 10, filter: {productTypeSlug: $type,
    price: {currency: $currency, min: $min, max: $max}}) { nodes { slug } } }"""


@pytest.fixture
async def http(db: Database, settings: Settings) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(settings, db) as client:
        yield client


@pytest.fixture
async def world(db: Database, settings: Settings, http: GraphQLClient) -> World:
    return await make_world(db, settings, http)


async def _variant(world: World, **product: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    created = await world.product(**product)
    return created, await world.variant(created["id"])


async def test_a_ladder_is_set_whole_with_its_event_and_audit_row(
    world: World, db: Database
) -> None:
    product, variant = await _variant(world, moq=300)

    first = await world.prices(variant, [(300, "4.2"), (1000, "3.85")], currency="usd")
    second = await world.prices(first["variant"], [(100, "4.5000"), (2000, "3.50")], currency="USD")

    assert first["userErrors"] == second["userErrors"] == []
    assert second["variant"]["version"] == 3
    assert second["variant"]["priceTiers"] == [
        {"currency": "USD", "minQuantity": 100, "unitPrice": "4.5000"},
        {"currency": "USD", "minQuantity": 2000, "unitPrice": "3.5000"},
    ]
    [_, event] = await events(db, "price.changed")
    assert event == {
        "type": "price.changed",
        "variant_id": variant["id"],
        "product_id": product["id"],
        "sku": variant["sku"],
        "currency": "USD",
        "tiers": [
            {"min_quantity": 100, "unit_price": "4.50"},
            {"min_quantity": 2000, "unit_price": "3.50"},
        ],
    }
    [_, entry] = await audit_rows(db, "variant.set_price_tiers")
    assert entry.changes["price_tiers.USD"][0] == [
        {"min_quantity": 300, "unit_price": "4.20"},
        {"min_quantity": 1000, "unit_price": "3.85"},
    ]


async def test_other_currencies_stay_and_an_empty_ladder_removes_one(world: World) -> None:
    _, variant = await _variant(world)
    euro = (await world.prices(variant, [(1, "3.90")], currency="EUR"))["variant"]
    dollar = (await world.prices(euro, [(1, "4.20")]))["variant"]

    removed = await world.prices(dollar, [], currency="EUR")

    assert [tier["currency"] for tier in dollar["priceTiers"]] == ["EUR", "USD"]
    assert removed["variant"]["priceTiers"] == [
        {"currency": "USD", "minQuantity": 1, "unitPrice": "4.2000"}
    ]


async def test_the_same_ladder_again_changes_nothing(world: World, db: Database) -> None:
    _, variant = await _variant(world)
    once = (await world.prices(variant, [(1, "4.20")]))["variant"]

    again = await world.prices(once, [(1, "4.2000")])

    assert again["variant"]["version"] == once["version"]
    assert len(await events(db, "price.changed")) == 1


@pytest.mark.parametrize(
    ("currency", "tiers", "expected"),
    [
        ("EURO", [(1, "1")], [("currency", "INVALID_CURRENCY")]),
        ("XXY", [(1, "1")], [("currency", "INVALID_CURRENCY")]),
        ("USD", [(1, "0")], [("tiers.0.unitPrice", "OUT_OF_RANGE")]),
        ("USD", [(1, "-1")], [("tiers.0.unitPrice", "OUT_OF_RANGE")]),
        ("USD", [(1, "1.00001")], [("tiers.0.unitPrice", "INVALID_AMOUNT")]),
        ("USD", [(0, "1")], [("tiers.0.minQuantity", "OUT_OF_RANGE")]),
        ("USD", [(1, "2"), (500, "1"), (500, "0.9")], [("tiers.2.minQuantity", "NOT_ASCENDING")]),
        ("USD", [(100, "2"), (10, "1")], [("tiers.1.minQuantity", "NOT_ASCENDING")]),
        ("USD", [(q, "1") for q in range(1, 52)], [("tiers", "TOO_MANY_ITEMS")]),
        ("USD", [(301, "1")], [("tiers.0.minQuantity", "TIER_ABOVE_MOQ")]),
    ],
)
async def test_a_wrong_ladder_is_refused_and_nothing_is_written(
    world: World,
    db: Database,
    currency: str,
    tiers: list[tuple[int, str]],
    expected: list[tuple[str, str]],
) -> None:
    _, variant = await _variant(world, moq=300)

    payload = await world.prices(variant, tiers, currency=currency)

    assert codes(payload) == expected
    assert payload["variant"] is None
    assert await events(db, "price.changed") == []


@pytest.mark.parametrize("price", ["10000000000", "1e40", "NaN", 4.2])
async def test_a_hostile_unit_price_is_bad_user_input(world: World, price: object) -> None:
    _, variant = await _variant(world)

    body = await world.manager.post(
        SET_PRICES,
        {
            "id": variant["id"],
            "v": 1,
            "currency": "USD",
            "tiers": [{"minQuantity": 1, "unitPrice": price}],
        },
    )

    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]


async def test_a_stale_or_unknown_variant_is_refused(world: World) -> None:
    _, variant = await _variant(world)
    await world.prices(variant, [(1, "4.20")])

    stale = await world.prices(variant, [(1, "4.10")])
    unknown = await world.prices(
        {"id": encode_global_id("Variant", 999_999), "version": 1}, [(1, "4.10")]
    )

    assert codes(stale) == [("expectedVersion", "CONFLICT")]
    assert codes(unknown) == [("id", "NOT_FOUND")]


async def test_an_active_product_keeps_a_priced_variant(world: World) -> None:
    product = await world.sellable_product()
    query = """query($id: ID!) { node(id: $id) { ... on Product { variants { id version } } } }"""
    [variant] = (await world.manager.data(query, {"id": product["id"]}))["node"]["variants"]

    payload = await world.prices(variant, [])

    assert codes(payload) == [("", "NOT_SELLABLE")]


async def test_the_storefront_price_filter_follows_a_new_ladder(
    world: World, http: GraphQLClient
) -> None:
    product = await world.sellable_product(moq=300)  # USD 4.20 from 300
    [variant] = (
        await world.manager.data(
            """query($id: ID!) { node(id: $id) { ... on Product { variants { id version } } } }""",
            {"id": product["id"]},
        )
    )["node"]["variants"]
    kind = {"type": world.fabric.slug, "currency": "USD"}
    before = await http.data(PRICED, {**kind, "min": "4", "max": "5"})

    await world.prices(variant, [(100, "2.50"), (1000, "2.10")])

    assert before["products"]["nodes"] == [{"slug": product["slug"]}]
    assert (await http.data(PRICED, {**kind, "min": "4", "max": "5"}))["products"]["nodes"] == []
    cheaper = await http.data(PRICED, {**kind, "min": "2.4", "max": "2.6"})  # the lowest break
    assert cheaper["products"]["nodes"] == [{"slug": product["slug"]}]
