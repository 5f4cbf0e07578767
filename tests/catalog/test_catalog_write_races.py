"""Catalog writes racing, over HTTP against committed data: an idempotent create retried
concurrently makes one record, and of two edits based on one version exactly one wins."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.catalog import Product, Variant
from tests.catalog.catalog_writes import (
    CREATE_PRODUCT,
    CREATE_VARIANT,
    UPDATE_PRODUCT,
    codes,
    events,
    make_world,
)
from tests.concurrently import settled
from tests.graphql_client import graphql_client

RACERS = 8


async def _count(database: Database, statement: Any) -> int:
    async with database.session() as session:
        return int(await session.scalar(statement) or 0)


@pytest.mark.slow
async def test_an_idempotent_create_retried_concurrently_makes_one_product_and_one_variant(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with graphql_client(committed_settings, committed_db) as http:
        world = await make_world(committed_db, committed_settings, http)
        given = world.product_input()
        products = await settled(
            *(
                world.manager.data(CREATE_PRODUCT, {"input": given, "key": "import-row-17"})
                for _ in range(RACERS)
            )
        )
        [product_id] = {payload["createProduct"]["product"]["id"] for payload in products}
        variants = await settled(
            *(
                world.manager.data(
                    CREATE_VARIANT,
                    {"product": product_id, "input": {"sku": "RACE-1"}, "key": "variant-17"},
                )
                for _ in range(RACERS)
            )
        )
        reused = await world.manager.data(
            CREATE_PRODUCT, {"input": {**given, "name": "Other"}, "key": "import-row-17"}
        )

    assert len({payload["createVariant"]["variant"]["id"] for payload in variants}) == 1
    assert all(payload["createVariant"]["userErrors"] == [] for payload in variants)
    assert codes(reused["createProduct"]) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    assert await _count(committed_db, select(func.count()).select_from(Product)) == 1
    assert await _count(committed_db, select(func.count()).where(col(Variant.sku) == "RACE-1")) == 1
    assert len(await events(committed_db, "product.created")) == 1


@pytest.mark.slow
async def test_of_edits_based_on_one_version_exactly_one_wins(
    committed_db: Database, committed_settings: Settings
) -> None:
    async with graphql_client(committed_settings, committed_db) as http:
        world = await make_world(committed_db, committed_settings, http)
        product = await world.product()
        edits = await settled(
            *(
                world.manager.data(
                    UPDATE_PRODUCT,
                    {"id": product["id"], "v": 1, "input": {"leadTimeDays": 10 + index}},
                )
                for index in range(RACERS)
            )
        )

    outcomes = sorted(codes(payload["updateProduct"]) for payload in edits)
    assert outcomes == [[]] + [[("expectedVersion", "CONFLICT")]] * (RACERS - 1)
    assert len(await events(committed_db, "product.updated")) == 1


ADD_REQUIRED = """mutation($type: ID!, $v: Int!, $input: AttributeInput!, $fill: JSON) {
  addProductTypeAttribute(productTypeId: $type, expectedVersion: $v, input: $input,
  valueForExistingProducts: $fill) { affectedProducts { count } userErrors { code } } }"""


BEFORE_THE_CHANGE = 3


@pytest.mark.slow
async def test_no_product_created_during_a_type_change_escapes_it(
    committed_db: Database, committed_settings: Settings
) -> None:
    # given products of the type, and more being created while it gains a required attribute
    async with graphql_client(committed_settings, committed_db) as http:
        world = await make_world(committed_db, committed_settings, http)
        for _ in range(BEFORE_THE_CHANGE):
            made = await world.manager.data(CREATE_PRODUCT, {"input": world.product_input()})
            assert made["createProduct"]["userErrors"] == []
        creates = [
            world.manager.data(CREATE_PRODUCT, {"input": world.product_input()})
            for _ in range(RACERS - 1)
        ]
        change = world.manager.data(
            ADD_REQUIRED,
            {
                "type": encode_global_id("ProductType", world.fabric.id or 0),
                "v": world.fabric.version,
                "input": {"key": "finish", "label": "Finish", "kind": "TEXT", "required": True},
                "fill": "raw",
            },
        )
        outcomes = await settled(change, *creates)
    # then the change went through, and every product of the type, whenever it was created,
    # has the new attribute: either converted by the change or created under it (refused
    # without it: then it does not exist)
    assert outcomes[0]["addProductTypeAttribute"]["userErrors"] == []
    # (which of the racing creates came first is the scheduler's: those made before always are)
    assert outcomes[0]["addProductTypeAttribute"]["affectedProducts"]["count"] >= BEFORE_THE_CHANGE
    async with committed_db.session() as session:
        products = list(
            await session.scalars(
                select(Product).where(col(Product.product_type_id) == world.fabric.id)
            )
        )
    assert products
    assert [product.slug for product in products if "finish" not in product.specs] == []
