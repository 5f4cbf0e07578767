"""Creating and editing product types through the API: attributes defined at once, slugs,
idempotent creates, optimistic versions, and every refusal a typed userError."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from core.db import Database
from core.settings import Settings
from models.catalog import AttributeDefinition, ProductType
from tests.builders import make_fabric_type
from tests.catalog.taxonomy_support import as_role, audit_rows, codes, gid
from tests.graphql_client import GraphQLClient

FIELDS = """productType { id name slug description version
  attributes { key label kind unit required filterable allowedValues } }
  userErrors { field code }"""
CREATE = f"""mutation($input: ProductTypeInput!, $key: String) {{
  createProductType(input: $input, idempotencyKey: $key) {{ {FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $v: Int!, $input: ProductTypePatch!) {{
  updateProductType(id: $id, expectedVersion: $v, input: $input) {{ {FIELDS} }} }}"""
SPICE = {
    "name": "Spice",
    "slug": "spice",
    "description": "Whole and ground spices",
    "attributes": [
        {"key": "moisture_pct", "label": "Moisture", "kind": "NUMBER", "unit": "%"},
        {
            "key": "form",
            "label": "Form",
            "kind": "ENUM",
            "required": True,
            "filterable": True,
            "allowedValues": ["whole", "ground"],
        },
    ],
}


async def _create(manager: GraphQLClient, given: dict[str, Any], key: str | None = None) -> Any:
    return (await manager.data(CREATE, {"input": given, "key": key}))["createProductType"]


async def _types(db: Database) -> list[ProductType]:
    async with db.session() as session:
        return list(await session.scalars(select(ProductType)))


async def test_a_product_type_is_created_with_its_attributes_and_one_audit_row(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    manager = await as_role(db, settings, client)
    created = await _create(manager, SPICE)
    assert created["userErrors"] == []
    assert created["productType"] | {"id": "?"} == {
        "id": "?",
        "name": "Spice",
        "slug": "spice",
        "description": "Whole and ground spices",
        "version": 1,
        "attributes": [
            {
                "key": "moisture_pct",
                "label": "Moisture",
                "kind": "NUMBER",
                "unit": "%",
                "required": False,
                "filterable": False,
                "allowedValues": [],
            },
            {
                "key": "form",
                "label": "Form",
                "kind": "ENUM",
                "unit": None,
                "required": True,
                "filterable": True,
                "allowedValues": ["whole", "ground"],
            },
        ],
    }
    storefront = await client.data('{ productType(slug: "spice") { version } }')
    assert storefront == {"productType": {"version": 1}}
    [entry] = await audit_rows(db, "product_type.")
    assert entry.action == "product_type.create"
    assert [attribute["key"] for attribute in entry.changes["attributes"][1]] == [
        "moisture_pct",
        "form",
    ]


async def test_bad_attributes_are_refused_each_at_its_path_and_nothing_is_written(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    manager = await as_role(db, settings, client)
    given = {
        "name": "",
        "slug": "-spice",
        "attributes": [
            {"key": "Moisture %", "label": "Moisture", "kind": "NUMBER"},
            {"key": "form", "label": "Form", "kind": "TEXT", "unit": "kg"},
            {"key": "grade", "label": " ", "kind": "ENUM"},
            {"key": "form", "label": "x" * 121, "kind": "BOOLEAN", "allowedValues": ["a"]},
            {"key": "@country", "label": "Pack", "kind": "MULTI_ENUM", "allowedValues": ["a", "a"]},
        ],
    }
    refused = await _create(manager, given)
    assert refused["productType"] is None
    assert codes(refused) == [
        (["input", "name"], "REQUIRED"),
        (["input", "slug"], "INVALID_SLUG"),
        (["input", "attributes", "0", "key"], "INVALID_ATTRIBUTE_KEY"),
        (["input", "attributes", "1", "unit"], "INVALID"),
        (["input", "attributes", "2", "label"], "REQUIRED"),
        (["input", "attributes", "2", "allowedValues"], "NO_ITEMS"),
        (["input", "attributes", "3", "label"], "TOO_LONG"),
        (["input", "attributes", "3", "allowedValues"], "INVALID"),
        (["input", "attributes", "3", "key"], "DUPLICATE_ITEM"),
        (["input", "attributes", "4", "key"], "INVALID_ATTRIBUTE_KEY"),
        (["input", "attributes", "4", "allowedValues", "1"], "DUPLICATE_ITEM"),
    ]
    nul = await manager.post(CREATE, {"input": {**SPICE, "attributes": [
        {"key": "form", "label": "Form", "kind": "ENUM", "allowedValues": ["whole\x00"]}
    ]}})  # fmt: skip
    assert nul["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _types(db) == []
    assert await audit_rows(db) == []


async def test_an_idempotent_create_answers_the_first_type_and_refuses_another_input(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    manager = await as_role(db, settings, client)
    first = await _create(manager, SPICE, key="type-1")
    assert await _create(manager, SPICE, key="type-1") == first
    reused = await _create(manager, {**SPICE, "name": "Spices"}, key="type-1")
    assert codes(reused) == [(["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED")]
    assert len(await _types(db)) == 1
    async with db.session() as session:
        assert len(list(await session.scalars(select(AttributeDefinition)))) == 2


async def test_an_edit_bumps_the_version_refuses_a_taken_slug_and_a_stale_version(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    async with db.transaction() as session:
        fabric = await make_fabric_type(session)
    manager = await as_role(db, settings, client)
    spice = (await _create(manager, SPICE))["productType"]
    edit = {"id": spice["id"], "v": 1, "input": {"name": "Spices", "slug": "spices"}}
    edited = (await manager.data(UPDATE, edit))["updateProductType"]
    assert (edited["productType"]["name"], edited["productType"]["version"]) == ("Spices", 2)
    stale = (await manager.data(UPDATE, edit))["updateProductType"]
    assert codes(stale) == [(["expectedVersion"], "CONFLICT")]
    taken = {"id": spice["id"], "v": 2, "input": {"slug": fabric.slug}}
    assert codes((await manager.data(UPDATE, taken))["updateProductType"]) == [
        (["input", "slug"], "SLUG_TAKEN")
    ]
    unknown = {"id": gid("ProductType", 2**40), "v": 1, "input": {"name": "X"}}
    assert codes((await manager.data(UPDATE, unknown))["updateProductType"]) == [
        (["id"], "NOT_FOUND")
    ]
    [entry] = await audit_rows(db, "product_type.update")
    assert entry.changes == {
        "name": ["Spice", "Spices"],
        "slug": ["spice", "spices"],
        "version": [1, 2],
    }
