"""Creating, editing, publishing, unpublishing and archiving products through the API: each
change with one audit row and its event, each refusal typed and changing nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from tests.catalog.catalog_writes import (
    CREATE_PRODUCT,
    UPDATE_PRODUCT,
    World,
    audit_rows,
    codes,
    events,
    make_world,
)
from tests.graphql_client import graphql_client

PRODUCT_EVENTS = ("product.created", "product.updated", "product.published", "product.archived")


@pytest.fixture
async def world(db: Database, settings: Settings) -> AsyncIterator[World]:
    async with graphql_client(settings, db) as http:
        yield await make_world(db, settings, http)


async def test_a_product_is_created_as_a_draft_with_an_audit_row_and_an_event(
    world: World, db: Database
) -> None:
    product = await world.product(hsCode="5208.32.00", countryOfOrigin="in")

    assert product | {"id": "?", "slug": "?"} == {
        "id": "?",
        "slug": "?",
        "name": "Navy twill",
        "description": "",
        "hsCode": "52083200",
        "countryOfOrigin": "IN",
        "moq": 300,
        "leadTimeDays": 30,
        "incoterms": ["FOB", "CIF"],
        "status": "DRAFT",
        "version": 1,
        "category": {"slug": world.category.slug},
        "productType": {"slug": world.fabric.slug},
        "specs": [{"key": "gsm", "display": "220 g/m²"}, {"key": "weave", "display": "twill"}],
    }
    [entry] = await audit_rows(db, "product.")
    assert entry.action == "product.create"
    assert entry.changes["hs_code"] == [None, "52083200"]
    assert entry.changes["specs"] == [None, {"gsm": 220, "weave": "twill"}]
    assert await events(db, *PRODUCT_EVENTS) == [
        {
            "type": "product.created",
            "product_id": product["id"],
            "slug": product["slug"],
            "name": "Navy twill",
            "status": "draft",
            "previous_status": None,
            "version": 1,
        }
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": "  "}, [("input.name", "REQUIRED")]),
        ({"name": "n" * 201}, [("input.name", "TOO_LONG")]),
        ({"slug": "Navy Twill"}, [("input.slug", "INVALID_SLUG")]),
        ({"slug": "a" * 121}, [("input.slug", "INVALID_SLUG")]),
        ({"hsCode": "5208"}, [("input.hsCode", "INVALID_HS_CODE")]),
        ({"hsCode": "52083200001"}, [("input.hsCode", "INVALID_HS_CODE")]),
        ({"countryOfOrigin": "XX"}, [("input.countryOfOrigin", "INVALID_COUNTRY")]),
        ({"moq": 0}, [("input.moq", "OUT_OF_RANGE")]),
        ({"moq": 2_000_000_000}, [("input.moq", "OUT_OF_RANGE")]),
        ({"leadTimeDays": -1}, [("input.leadTimeDays", "OUT_OF_RANGE")]),
        ({"incoterms": ["FOB", "FOB"]}, [("input.incoterms", "DUPLICATE_ITEM")]),
        ({"description": "d" * 20_001}, [("input.description", "TOO_LONG")]),
        ({"categoryId": "nonsense"}, [("input.categoryId", "NOT_FOUND")]),
        (
            {"categoryId": encode_global_id("Category", 2**31 + 5)},
            [("input.categoryId", "NOT_FOUND")],
        ),
        (
            {"productTypeId": encode_global_id("ProductType", 999_999)},
            [("input.productTypeId", "NOT_FOUND")],
        ),
        ({"specs": []}, [("input.specs.gsm", "INVALID_SPEC")]),
        ({"specs": [{"key": "gsm", "text": "heavy"}]}, [("input.specs.gsm", "INVALID_SPEC")]),
        (
            {"specs": [{"key": "gsm", "number": 220}, {"key": "colour", "text": "navy"}]},
            [("input.specs.colour", "INVALID_SPEC")],
        ),
        (
            {"specs": [{"key": "gsm", "number": 220}, {"key": "weave", "values": ["felt"]}]},
            [("input.specs.weave", "INVALID_SPEC")],
        ),
        (
            {"specs": [{"key": "gsm", "number": 220, "text": "220"}]},
            [("input.specs.gsm", "INVALID")],
        ),
        (
            {"specs": [{"key": "gsm", "number": 1}, {"key": "gsm", "number": 2}]},
            [("input.specs.gsm", "DUPLICATE_ITEM")],
        ),
    ],
)
async def test_a_wrong_product_is_refused_and_nothing_is_written(
    world: World, db: Database, overrides: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    data = await world.manager.data(CREATE_PRODUCT, {"input": world.product_input(**overrides)})

    assert codes(data["createProduct"]) == expected
    assert data["createProduct"]["product"] is None
    assert await audit_rows(db, "product.") == []
    assert await events(db, *PRODUCT_EVENTS) == []


async def test_a_slug_in_use_is_refused(world: World) -> None:
    first = await world.product()

    data = await world.manager.data(
        CREATE_PRODUCT, {"input": world.product_input(slug=first["slug"])}
    )

    assert codes(data["createProduct"]) == [("input.slug", "SLUG_TAKEN")]


async def test_every_field_is_edited_with_a_diff_and_changed_names(
    world: World, db: Database
) -> None:
    product = await world.product()
    other_type = await _other_type(db)
    patch = {
        "name": "Indigo twill",
        "slug": product["slug"] + "-indigo",
        "description": "Heavy twill.",
        "productTypeId": encode_global_id("ProductType", other_type),
        "specs": [{"key": "gsm", "number": 240}, {"key": "organic", "boolean": True}],
        "hsCode": "5208329000",
        "countryOfOrigin": "TR",
        "moq": 500,
        "leadTimeDays": 45,
        "incoterms": ["EXW"],
    }

    data = await world.manager.data(UPDATE_PRODUCT, {"id": product["id"], "v": 1, "input": patch})

    updated = data["updateProduct"]
    assert updated["userErrors"] == []
    assert updated["product"]["version"] == 2
    assert updated["product"]["hsCode"] == "5208329000"
    assert updated["product"]["specs"] == [
        {"key": "gsm", "display": "240"},
        {"key": "organic", "display": "Yes"},
    ]
    [_, entry] = await audit_rows(db, "product.")
    assert entry.action == "product.update"
    assert entry.changes["moq"] == [300, 500]
    assert entry.changes["version"] == [1, 2]
    [event] = await events(db, "product.updated")
    assert event["changed"] == sorted(
        [
            "country_of_origin",
            "description",
            "hs_code",
            "incoterms",
            "lead_time_days",
            "moq",
            "name",
            "product_type_id",
            "slug",
            "specs",
        ]
    )
    assert (event["status"], event["previous_status"], event["version"]) == ("draft", "draft", 2)


async def test_a_new_type_rechecks_the_specs_kept(world: World, db: Database) -> None:
    product = await world.product()
    bare = await _other_type(db, required_key="thread_count")

    data = await world.manager.data(
        UPDATE_PRODUCT,
        {
            "id": product["id"],
            "v": 1,
            "input": {"productTypeId": encode_global_id("ProductType", bare)},
        },
    )

    assert codes(data["updateProduct"]) == [("input.specs.gsm", "INVALID_SPEC")]


async def test_an_edit_that_changes_nothing_keeps_the_version(world: World, db: Database) -> None:
    product = await world.product()

    data = await world.manager.data(
        UPDATE_PRODUCT, {"id": product["id"], "v": 1, "input": {"name": "Navy twill"}}
    )

    assert data["updateProduct"]["product"]["version"] == 1
    assert await events(db, "product.updated") == []


async def test_a_stale_version_is_a_conflict_and_changes_nothing(world: World) -> None:
    product = await world.product()
    await world.manager.data(UPDATE_PRODUCT, {"id": product["id"], "v": 1, "input": {"moq": 400}})

    data = await world.manager.data(
        UPDATE_PRODUCT, {"id": product["id"], "v": 1, "input": {"name": "Late"}}
    )

    assert codes(data["updateProduct"]) == [("expectedVersion", "CONFLICT")]
    assert "version 2" in data["updateProduct"]["userErrors"][0]["message"]


async def test_an_unknown_product_is_not_found(world: World) -> None:
    for given in (encode_global_id("Product", 999_999), encode_global_id("Variant", 1), "x"):
        data = await world.manager.data(UPDATE_PRODUCT, {"id": given, "v": 1, "input": {}})
        assert codes(data["updateProduct"]) == [("id", "NOT_FOUND")]


async def test_the_moq_may_rise_but_not_fall_below_a_ladder(world: World) -> None:
    product = await world.product(moq=300)
    variant = await world.variant(product["id"])
    await world.prices(variant, [(250, "4.20"), (1000, "3.90")])

    lower = await world.manager.data(
        UPDATE_PRODUCT, {"id": product["id"], "v": 1, "input": {"moq": 200}}
    )
    higher = await world.manager.data(
        UPDATE_PRODUCT, {"id": product["id"], "v": 1, "input": {"moq": 5000}}
    )

    assert codes(lower["updateProduct"]) == [("input.moq", "TIER_ABOVE_MOQ")]
    assert higher["updateProduct"]["userErrors"] == []
    assert higher["updateProduct"]["product"]["moq"] == 5000


async def test_publishing_needs_a_priced_variant(world: World, db: Database) -> None:
    product = await world.product()
    bare = await world.status("publishProduct", product)
    variant = await world.variant(product["id"])
    unpriced = await world.status("publishProduct", product)
    await world.prices(variant, [(300, "4.20")])

    published = await world.status("publishProduct", product)

    assert codes(bare) == codes(unpriced) == [("id", "NOT_SELLABLE")]
    assert published == {"product": {"status": "ACTIVE", "version": 2}, "userErrors": []}
    [event] = await events(db, "product.published")
    assert (event["status"], event["previous_status"], event["version"]) == ("active", "draft", 2)
    assert (await audit_rows(db, "product.publish"))[0].changes == {
        "status": ["draft", "active"],
        "version": [1, 2],
    }


async def test_unpublish_and_archive_move_the_status_with_their_events(
    world: World, db: Database
) -> None:
    product = await world.sellable_product()
    twice = await world.status("publishProduct", product)
    unpublished = await world.status("unpublishProduct", product)
    again = await world.status("unpublishProduct", {**product, "version": 3})
    archived = await world.status("archiveProduct", {**product, "version": 3})
    republished = await world.status("publishProduct", {**product, "version": 4})

    assert codes(twice) == codes(again) == [("id", "ILLEGAL_TRANSITION")]
    assert unpublished["product"] == {"status": "DRAFT", "version": 3}
    assert archived["product"] == {"status": "ARCHIVED", "version": 4}
    assert republished["product"] == {"status": "ACTIVE", "version": 5}
    moves = [
        (event["type"], event["previous_status"], event["status"], event.get("changed"))
        for event in await events(db, *PRODUCT_EVENTS)
        if event["type"] != "product.updated" or event["changed"] == ["status"]
    ]
    assert moves == [
        ("product.created", None, "draft", None),
        ("product.published", "draft", "active", None),
        ("product.updated", "active", "draft", ["status"]),
        ("product.archived", "draft", "archived", None),
        ("product.published", "archived", "active", None),
    ]


async def test_a_status_change_on_a_stale_version_is_a_conflict(world: World) -> None:
    product = await world.sellable_product()

    stale = await world.status("archiveProduct", {**product, "version": 1})

    assert codes(stale) == [("expectedVersion", "CONFLICT")]


async def _other_type(db: Database, *, required_key: str = "gsm") -> int:
    """Another product type: a required number `required_key` and a boolean `organic`."""
    from models.catalog import AttributeDefinition, AttributeKind, ProductType
    from tests.builders import unique

    async with db.transaction() as session:
        product_type = ProductType(name="Other", slug=unique("other"))
        session.add(product_type)
        await session.flush()
        assert product_type.id is not None
        session.add_all(
            [
                AttributeDefinition(
                    product_type_id=product_type.id,
                    key=required_key,
                    label="Required",
                    kind=AttributeKind.NUMBER,
                    required=True,
                ),
                AttributeDefinition(
                    product_type_id=product_type.id,
                    key="organic",
                    label="Organic",
                    kind=AttributeKind.BOOLEAN,
                ),
            ]
        )
    return product_type.id


async def test_the_whole_flow_runs_on_postgresql_and_on_the_embedded_sqlite_default(
    any_db: Database, settings: Settings
) -> None:
    async with graphql_client(settings, any_db) as http:
        world = await make_world(any_db, settings, http)
        product = await world.sellable_product(slug="flow-product")
        clash = await world.manager.data(
            CREATE_PRODUCT, {"input": world.product_input(slug="flow-product")}
        )
        edited = await world.manager.data(
            UPDATE_PRODUCT, {"id": product["id"], "v": 2, "input": {"moq": 900}}
        )
        seen = await http.data('query { product(slug: "flow-product") { moq } }')

    assert codes(clash["createProduct"]) == [("input.slug", "SLUG_TAKEN")]
    assert edited["updateProduct"]["product"]["version"] == 3
    assert seen == {"product": {"moq": 900}}
