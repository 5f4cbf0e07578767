"""Changing a product type's attributes while products use them: a change that would leave
products invalid is refused with their count and a few of them; the same change with the
value to give them converts all of them in one transaction, each product's version bumped,
audited and announced, and the storefront's filters, facets and count tables follow."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from core.db import Database
from core.event_types import PRODUCT_UPDATED
from core.global_id import encode_global_id
from core.settings import Settings
from models.catalog import Product, ProductStatus, ProductType
from models.outbox import OutboxEvent
from tests.builders import make_category, make_fabric_type, make_product
from tests.catalog.facet_recount import recounted_facets, stored_facet_counts
from tests.catalog.taxonomy_support import as_role, audit_rows, codes, gid
from tests.graphql_client import GraphQLClient

RESULT = """productType { version attributes { key kind required allowedValues } }
  affectedProducts { count sample { id name slug } } userErrors { field code message }"""
ADD = f"""mutation($type: ID!, $v: Int!, $input: AttributeInput!, $fill: JSON) {{
  addProductTypeAttribute(productTypeId: $type, expectedVersion: $v, input: $input,
  valueForExistingProducts: $fill) {{ {RESULT} }} }}"""
EDIT = f"""mutation($type: ID!, $v: Int!, $key: String!, $input: AttributePatchInput!,
  $fill: JSON, $mapping: [ValueMappingInput!]) {{
  updateProductTypeAttribute(productTypeId: $type, expectedVersion: $v, key: $key,
  input: $input, valueForExistingProducts: $fill, valueMapping: $mapping) {{ {RESULT} }} }}"""
REMOVE = f"""mutation($type: ID!, $v: Int!, $key: String!) {{
  removeProductTypeAttribute(productTypeId: $type, expectedVersion: $v, key: $key) {{
  {RESULT} }} }}"""
LISTING = """query($filter: ProductFilter) { products(filter: $filter, first: 100) { totalCount }
  facets(filter: $filter) { attributes { key values { value count } } } }"""

# The seeded products' weave (None: no weave) and status.
SEEDED = [
    ("twill", ProductStatus.ACTIVE),
    ("satin", ProductStatus.ACTIVE),
    ("satin", ProductStatus.DRAFT),
    ("plain", ProductStatus.ACTIVE),
    (None, ProductStatus.ACTIVE),
]


async def _seed(db: Database) -> tuple[ProductType, list[Product]]:
    async with db.transaction() as session:
        fabric = await make_fabric_type(session)
        category = await make_category(session)
        products = []
        for index, (weave, status) in enumerate(SEEDED):
            specs: dict[str, Any] = {"gsm": 200 + index, "composition": "100% cotton"}
            if weave is not None:
                specs["weave"] = weave
            products.append(
                await make_product(
                    session,
                    product_type=fabric,
                    category=category,
                    name=f"Fabric {index}",
                    specs=specs,
                    status=status,
                )
            )
    return fabric, products


async def _products(db: Database, fabric: ProductType) -> list[Product]:
    async with db.session() as session:
        statement = select(Product).where(col(Product.product_type_id) == fabric.id)
        return list(await session.scalars(statement.order_by(col(Product.id))))


async def _events(db: Database) -> list[dict[str, Any]]:
    async with db.session() as session:
        statement = select(OutboxEvent).where(col(OutboxEvent.event_type) == PRODUCT_UPDATED)
        return [event.payload for event in await session.scalars(statement)]


def _sample(products: list[Product]) -> list[dict[str, Any]]:
    return [
        {"id": gid("Product", product.id), "name": product.name, "slug": product.slug}
        for product in products
    ]


async def _counts_are_right(db: Database, fabric: ProductType) -> bool:
    assert fabric.id is not None
    return await stored_facet_counts(db, [fabric.id]) == await recounted_facets(db, [fabric.id])


async def test_a_new_required_attribute_is_refused_then_given_to_every_product_at_once(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    fabric, products = await _seed(db)
    manager = await as_role(db, settings, client)
    mill = {"key": "mill", "label": "Mill", "kind": "TEXT", "required": True}
    variables = {"type": gid("ProductType", fabric.id), "v": 1, "input": mill}

    # when the attribute is added without a value for the products of the type
    refused = (await manager.data(ADD, variables))["addProductTypeAttribute"]
    assert codes(refused) == [(None, "WOULD_INVALIDATE_PRODUCTS")]
    assert refused["productType"] is None
    assert refused["affectedProducts"] == {"count": 5, "sample": _sample(products)}
    assert [p.version for p in await _products(db, fabric)] == [1] * 5
    assert await audit_rows(db) == []
    assert await _events(db) == []

    # when the same change comes with the value to give them
    done = await manager.data(ADD, {**variables, "fill": " Erode Weaving "})
    payload = done["addProductTypeAttribute"]
    assert payload["userErrors"] == []
    assert payload["productType"]["version"] == 2
    assert payload["affectedProducts"]["count"] == 5
    after = await _products(db, fabric)
    assert [(p.specs["mill"], p.version) for p in after] == [(" Erode Weaving ", 2)] * 5
    events = await _events(db)
    assert sorted(event["product_id"] for event in events) == sorted(
        encode_global_id("Product", p.id or 0) for p in after
    )
    assert {(event["changed"][0], event["version"]) for event in events} == {("specs", 2)}
    conversions = await audit_rows(db, "product.convert_specs")
    assert len(conversions) == 5
    assert "mill" not in conversions[0].changes["specs"][0]
    [type_change] = await audit_rows(db, "product_type.")
    assert type_change.changes["attributes.mill"][0] is None
    assert type_change.changes["converted_products"] == [0, 5]
    assert await _counts_are_right(db, fabric)

    # and a stale version of the type is a conflict
    stale = await manager.data(ADD, {**variables, "input": {**mill, "key": "loom"}})
    assert codes(stale["addProductTypeAttribute"]) == [(["expectedVersion"], "CONFLICT")]


async def test_a_narrowed_enum_is_refused_then_mapped_and_the_storefront_counts_follow(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    fabric, products = await _seed(db)
    manager = await as_role(db, settings, client)
    narrowed = {
        "type": gid("ProductType", fabric.id),
        "v": 1,
        "key": "weave",
        "input": {"allowedValues": ["plain", "twill"]},
    }
    refused = (await manager.data(EDIT, narrowed))["updateProductTypeAttribute"]
    assert codes(refused) == [(None, "WOULD_INVALIDATE_PRODUCTS")]
    assert refused["affectedProducts"] == {"count": 2, "sample": _sample(products[1:3])}

    mapping = [{"old": "satin", "new": "twill"}]
    done = await manager.data(EDIT, {**narrowed, "mapping": mapping})
    payload = done["updateProductTypeAttribute"]
    assert payload["userErrors"] == []
    assert payload["affectedProducts"]["count"] == 2
    weave = next(a for a in payload["productType"]["attributes"] if a["key"] == "weave")
    assert weave["allowedValues"] == ["plain", "twill"]
    after = await _products(db, fabric)
    assert [p.specs.get("weave") for p in after] == ["twill", "twill", "twill", "plain", None]
    assert [p.version for p in after] == [1, 2, 2, 1, 1]

    # the storefront filters and counts the converted values
    scope = {"productType": gid("ProductType", fabric.id)}
    twill = {**scope, "specs": [{"attribute": "weave", "oneOf": ["twill"]}]}
    listed = await client.data(LISTING, {"filter": twill})
    assert listed["products"]["totalCount"] == 2  # the draft stays unseen
    facets = await client.data(LISTING, {"filter": scope})
    weaves = next(f for f in facets["facets"]["attributes"] if f["key"] == "weave")
    assert {v["value"]: v["count"] for v in weaves["values"]} == {"twill": 2, "plain": 1}
    assert await _counts_are_right(db, fabric)


async def test_a_changed_kind_is_refused_until_a_value_is_given_and_a_new_key_moves_values(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    fabric, _ = await _seed(db)
    manager = await as_role(db, settings, client)
    to_enum = {
        "type": gid("ProductType", fabric.id),
        "v": 1,
        "key": "composition",
        "input": {"key": "fibre", "kind": "ENUM", "allowedValues": ["cotton", "linen"]},
    }
    refused = (await manager.data(EDIT, to_enum))["updateProductTypeAttribute"]
    assert codes(refused) == [(None, "WOULD_INVALIDATE_PRODUCTS")]
    assert refused["affectedProducts"]["count"] == 5
    unfit = await manager.data(EDIT, {**to_enum, "fill": "wool"})
    assert codes(unfit["updateProductTypeAttribute"]) == [
        (["valueForExistingProducts"], "INVALID_SPEC")
    ]
    done = await manager.data(EDIT, {**to_enum, "fill": "cotton"})
    assert done["updateProductTypeAttribute"]["userErrors"] == []
    after = await _products(db, fabric)
    assert all(p.specs["fibre"] == "cotton" and "composition" not in p.specs for p in after)

    # a key renamed: the values move, the storefront filters on the new key only
    renamed = {**to_enum, "v": 2, "key": "weave", "input": {"key": "weave_type"}}
    moved = (await manager.data(EDIT, renamed))["updateProductTypeAttribute"]
    assert moved["userErrors"] == []
    assert moved["affectedProducts"]["count"] == 4
    scope = {"productType": gid("ProductType", fabric.id)}
    by_new_key = {**scope, "specs": [{"attribute": "weave_type", "oneOf": ["satin"]}]}
    assert (await client.data(LISTING, {"filter": by_new_key}))["products"]["totalCount"] == 1
    by_old_key = {**scope, "specs": [{"attribute": "weave", "oneOf": ["satin"]}]}
    old = await client.post(LISTING, {"filter": by_old_key})
    assert old["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _counts_are_right(db, fabric)


async def test_a_removed_attribute_leaves_no_value_behind(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    fabric, _ = await _seed(db)
    manager = await as_role(db, settings, client)
    removed = {"type": gid("ProductType", fabric.id), "v": 1, "key": "weave"}
    payload = (await manager.data(REMOVE, removed))["removeProductTypeAttribute"]
    assert payload["userErrors"] == []
    assert payload["affectedProducts"]["count"] == 4
    assert "weave" not in [a["key"] for a in payload["productType"]["attributes"]]
    assert all("weave" not in p.specs for p in await _products(db, fabric))
    assert await _counts_are_right(db, fabric)
    again = (await manager.data(REMOVE, {**removed, "v": 2}))["removeProductTypeAttribute"]
    assert codes(again) == [(["key"], "NOT_FOUND")]


async def test_hostile_and_unknown_values_are_coded_and_change_nothing(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    fabric, _ = await _seed(db)
    manager = await as_role(db, settings, client)
    base = {"type": gid("ProductType", fabric.id), "v": 1, "key": "weave", "input": {}}
    in_key = ["input", "key"]
    cases: list[tuple[str, dict[str, Any], list[tuple[Any, str]]]] = [
        (EDIT, {**base, "type": gid("ProductType", 2**40)}, [(["productTypeId"], "NOT_FOUND")]),
        (EDIT, {**base, "type": "not-an-id"}, [(["productTypeId"], "NOT_FOUND")]),
        (EDIT, {**base, "key": "nope"}, [(["key"], "NOT_FOUND")]),
        (EDIT, {**base, "input": {"key": "gsm"}}, [(in_key, "ATTRIBUTE_KEY_TAKEN")]),
        (EDIT, {**base, "input": {"key": "Bad Key"}}, [(in_key, "INVALID_ATTRIBUTE_KEY")]),
        (EDIT, {**base, "input": {"unit": "m"}}, [(["input", "unit"], "INVALID")]),
        (
            EDIT,
            {**base, "mapping": [{"old": "velvet", "new": "plain"}]},
            [(["valueMapping", "0", "old"], "INVALID_SPEC")],
        ),
        (
            EDIT,
            {**base, "key": "gsm", "mapping": [{"old": "a", "new": "b"}]},
            [(["valueMapping"], "INVALID")],
        ),
        (EDIT, {**base, "fill": "x" * 501}, [(["valueForExistingProducts"], "INVALID_SPEC")]),
        (EDIT, {**base, "fill": {"a": 1}}, [(["valueForExistingProducts"], "INVALID_SPEC")]),
        (EDIT, {**base, "input": {"label": "y" * 121}}, [(["input", "label"], "TOO_LONG")]),
        (EDIT, {**base, "v": 0}, [(["expectedVersion"], "CONFLICT")]),
    ]
    for document, variables, expected in cases:
        data = await manager.data(document, variables)
        assert codes(data["updateProductTypeAttribute"]) == expected, variables
    for fill in ("twill\x00", {"twill\x00": 1}, ["ok", "\ud800"]):
        body = await manager.post(EDIT, {**base, "fill": fill})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert [p.version for p in await _products(db, fabric)] == [1] * 5
    assert await audit_rows(db) == []
