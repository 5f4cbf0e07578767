"""Whatever text, ids and JSON values a catalog manager sends to the taxonomy mutations, the
answer is coded: never a 5xx or INTERNAL_ERROR. Derandomized, so every run tries the same."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from tests.builders import make_category, make_fabric_type, make_product
from tests.catalog.taxonomy_support import as_role, gid
from tests.graphql_client import GraphQLClient
from tests.schema.test_hostile_input_properties import ids, text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
CREATE = """mutation($input: CategoryInput!, $key: String) {
  createCategory(input: $input, idempotencyKey: $key) { userErrors { code } } }"""
MOVE = """mutation($id: ID!, $parent: ID, $position: Int) {
  moveCategory(id: $id, expectedVersion: 1, parentId: $parent, position: $position) {
  userErrors { code } } }"""
ADD = """mutation($type: ID!, $input: AttributeInput!, $fill: JSON) {
  addProductTypeAttribute(productTypeId: $type, expectedVersion: 1, input: $input,
  valueForExistingProducts: $fill) { userErrors { code } } }"""
EDIT = """mutation($type: ID!, $key: String!, $input: AttributePatchInput!, $fill: JSON,
  $mapping: [ValueMappingInput!]) { updateProductTypeAttribute(productTypeId: $type,
  expectedVersion: 1, key: $key, input: $input, valueForExistingProducts: $fill,
  valueMapping: $mapping) { userErrors { code } } }"""
KINDS = st.sampled_from(["TEXT", "NUMBER", "BOOLEAN", "ENUM", "MULTI_ENUM"])

requests = st.one_of(
    st.builds(
        lambda name, slug, parent, key: (
            CREATE,
            {"input": {"name": name, "slug": slug, "parentId": parent}, "key": key},
        ),
        text,
        text,
        ids,
        text,
    ),
    st.builds(
        lambda id_, parent, position: (MOVE, {"id": id_, "parent": parent, "position": position}),
        ids,
        ids,
        st.integers(-(2**31), 2**31 - 1),
    ),
    st.builds(
        lambda key, label, kind, unit, values, fill: (
            ADD,
            {
                "input": {
                    "key": key,
                    "label": label,
                    "kind": kind,
                    "unit": unit,
                    "required": True,
                    "allowedValues": values,
                },
                "fill": fill,
            },
        ),
        text,
        text,
        KINDS,
        text,
        st.lists(text, max_size=3),
        json_values,
    ),
    st.builds(
        lambda key, kind, values, fill, old, new: (
            EDIT,
            {
                "key": key,
                "input": {"kind": kind, "allowedValues": values},
                "fill": fill,
                "mapping": [{"old": old, "new": new}],
            },
        ),
        st.sampled_from(["weave", "gsm", "certifications"]) | text,
        KINDS,
        st.lists(text, max_size=3),
        json_values,
        text,
        text,
    ),
)


@pytest.mark.slow
@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests)
async def test_no_taxonomy_input_gets_a_server_error(
    db: Database, settings: Settings, client: GraphQLClient, request: tuple[str, dict[str, Any]]
) -> None:
    async with db.transaction() as session:
        fabric = await make_fabric_type(session)
        category = await make_category(session)
        await make_product(session, product_type=fabric, category=category)
    manager = await as_role(db, settings, client, Role.CATALOG_MANAGER)
    document, variables = request
    variables = {"type": gid("ProductType", fabric.id), **variables}
    if document is MOVE:
        variables["id"] = gid("Category", category.id)
    response = await manager.response(document, variables)

    assert response.status_code < 500, response.text
    codes = [error["extensions"]["code"] for error in response.json().get("errors", [])]
    assert "INTERNAL_ERROR" not in codes, (request, response.json())
