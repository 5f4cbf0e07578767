"""Hostile values in the product, variant and price mutations' arguments: every one answers a
code (BAD_USER_INPUT at the boundary, or a typed userError), never INTERNAL_ERROR, and writes
nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.db import Database
from core.settings import Settings
from tests.catalog.catalog_writes import (
    CREATE_PRODUCT,
    CREATE_VARIANT,
    SET_PRICES,
    UPDATE_PRODUCT,
    World,
    audit_rows,
    codes,
    make_world,
)
from tests.graphql_client import graphql_client

NUL = "a\x00b"
SURROGATE = "a\ud800"


@pytest.fixture
async def world(db: Database, settings: Settings) -> AsyncIterator[World]:
    async with graphql_client(settings, db) as http:
        yield await make_world(db, settings, http)


def _error_codes(body: dict[str, Any]) -> set[str]:
    return {error["extensions"]["code"] for error in body.get("errors", [])}


@pytest.mark.parametrize("text", [NUL, SURROGATE])
@pytest.mark.parametrize(
    "field", ["name", "slug", "description", "hsCode", "countryOfOrigin", "categoryId"]
)
async def test_nul_and_lone_surrogates_in_a_product_are_bad_user_input(
    world: World, db: Database, field: str, text: str
) -> None:
    body = await world.manager.post(CREATE_PRODUCT, {"input": world.product_input(**{field: text})})

    assert _error_codes(body) == {"BAD_USER_INPUT"}
    assert await audit_rows(db, "product.") == []


@pytest.mark.parametrize("text", [NUL, SURROGATE])
async def test_hostile_text_in_specs_keys_skus_currencies_and_keys(world: World, text: str) -> None:
    product = await world.product()
    variant = await world.variant(product["id"])
    attempts = [
        (CREATE_PRODUCT, {"input": world.product_input(), "key": text}),
        (
            UPDATE_PRODUCT,
            {"id": product["id"], "v": 1, "input": {"specs": [{"key": text, "text": "x"}]}},
        ),
        (CREATE_VARIANT, {"product": product["id"], "input": {"sku": text}}),
        (
            CREATE_VARIANT,
            {
                "product": product["id"],
                "input": {"sku": "OK", "optionValues": [{"name": "c", "value": text}]},
            },
        ),
        (SET_PRICES, {"id": variant["id"], "v": 1, "currency": text, "tiers": []}),
        (SET_PRICES, {"id": text, "v": 1, "currency": "USD", "tiers": []}),
    ]
    for document, variables in attempts:
        assert _error_codes(await world.manager.post(document, variables)) == {"BAD_USER_INPUT"}


@pytest.mark.parametrize(
    ("key", "expected"),
    [("   ", [("idempotencyKey", "REQUIRED")]), ("k" * 101, [("idempotencyKey", "TOO_LONG")])],
)
async def test_a_blank_or_overlong_idempotency_key_is_refused(
    world: World, key: str, expected: list[tuple[str, str]]
) -> None:
    data = await world.manager.data(CREATE_PRODUCT, {"input": world.product_input(), "key": key})

    assert codes(data["createProduct"]) == expected


async def test_absurd_numbers_and_ids_get_codes(world: World) -> None:
    product = await world.product()
    variant = await world.variant(product["id"])
    huge_spec = {"specs": [{"key": "gsm", "number": 1.7e308}, {"key": "weave", "values": []}]}

    stale = await world.manager.data(
        UPDATE_PRODUCT, {"id": product["id"], "v": -2_147_483_648, "input": {}}
    )
    spec = await world.manager.data(
        UPDATE_PRODUCT, {"id": product["id"], "v": 1, "input": huge_spec}
    )
    overflow = await world.manager.post(
        SET_PRICES,
        {
            "id": variant["id"],
            "v": 1,
            "currency": "USD",
            "tiers": [{"minQuantity": 2**31, "unitPrice": "1"}],
        },
    )

    assert codes(stale["updateProduct"]) == [("expectedVersion", "CONFLICT")]
    assert codes(spec["updateProduct"]) == [("input.specs.weave", "INVALID_SPEC")]
    assert _error_codes(overflow) == {"BAD_USER_INPUT"}
