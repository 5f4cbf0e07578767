"""Introspection over HTTP answers from each caller's own view, and only for the callers
allowed to introspect; execution and permission checks stay on the full schema."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)

from auth.api_keys import create_api_key
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from schema.build import audience_views
from tests.callers import error_codes, token_for
from tests.graphql_client import graphql_client

INTROSPECTION = """{ __schema {
  queryType { name } mutationType { name }
  types {
    name possibleTypes { name }
    fields(includeDeprecated: true) { name args(includeDeprecated: true) { name } }
    inputFields(includeDeprecated: true) { name } enumValues(includeDeprecated: true) { name }
  }
} }"""


async def _callers(db: Database, settings: Settings) -> dict[str, str | None]:
    """A credential for each kind of caller, by the audience whose view it should see."""
    async with db.session() as session:
        callers: dict[str, str | None] = {
            "anonymous": None,
            "client": await token_for(session, settings, Role.CLIENT),
            "finance": await token_for(session, settings, Role.FINANCE),
            "support": await token_for(session, settings, Role.SUPPORT),
            "storefront": (await create_api_key(session, name="shop", role=Role.STOREFRONT)).key,
            "sales-key": (await create_api_key(session, name="crm", role=Role.SALES)).key,
        }
        await session.commit()
    return callers


def _shown(view: GraphQLSchema) -> dict[str, Any]:
    """What an introspection of `view` lists: types, their fields, arguments and members."""
    shown: dict[str, Any] = {}
    for name, named in view.type_map.items():
        has_fields = isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
        abstract = isinstance(named, GraphQLInterfaceType | GraphQLUnionType)
        shown[name] = {
            "fields": {f: sorted(field.args) for f, field in named.fields.items()}  # type: ignore[attr-defined]
            if has_fields
            else None,
            "possibleTypes": sorted(t.name for t in view.get_possible_types(named))  # type: ignore[arg-type]
            if abstract
            else None,
            "inputFields": sorted(named.fields)
            if isinstance(named, GraphQLInputObjectType)
            else None,
            "enumValues": sorted(named.values) if isinstance(named, GraphQLEnumType) else None,
        }
    return shown


def _names(listed: list[dict[str, str]] | None) -> list[str] | None:
    return None if listed is None else sorted(entry["name"] for entry in listed)


def _introspected(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    return {
        t["name"]: {
            "fields": None
            if t["fields"] is None
            else {f["name"]: sorted(a["name"] for a in f["args"]) for f in t["fields"]},
            "possibleTypes": _names(t["possibleTypes"]),
            "inputFields": _names(t["inputFields"]),
            "enumValues": _names(t["enumValues"]),
        }
        for t in body["data"]["__schema"]["types"]
    }


async def test_each_caller_introspects_exactly_its_audiences_view(
    settings: Settings, db: Database
) -> None:
    callers = await _callers(db, settings)
    views = audience_views().by_audience
    async with graphql_client(settings, db) as client:
        for audience, credential in callers.items():
            body = await client.as_(credential).post(INTROSPECTION)
            assert _introspected(body) == _shown(views[audience]), audience


async def test_a_storefront_key_is_shown_no_cost_price_and_still_refused_it_by_permission(
    settings: Settings, db: Database
) -> None:
    callers = await _callers(db, settings)
    variant = '{ __type(name: "Variant") { fields { name } } }'
    async with graphql_client(settings, db) as client:
        shop = client.as_(callers["storefront"])
        finance = client.as_(callers["finance"])
        shop_fields = {f["name"] for f in (await shop.data(variant))["__type"]["fields"]}
        finance_fields = {f["name"] for f in (await finance.data(variant))["__type"]["fields"]}
        company = await shop.data('{ __type(name: "ClientCompany") { name } }')
        spread = await shop.data(
            '{ ...V } fragment V on Query { __type(name: "Variant") { fields { name } } }'
        )
        # The document is valid against the one schema: asking is refused by the field's gate,
        # as before, not by validation against the view.
        asked = await shop.post(
            "{ products(first: 1) { nodes { variants { costPrice { amount } } } } }"
        )
    assert "sku" in shop_fields
    assert not {"costPrice", "margin"} & shop_fields
    assert {"costPrice", "margin"} <= finance_fields
    assert company == {"__type": None}
    assert {f["name"] for f in spread["__type"]["fields"]} == shop_fields
    assert all(code != "GRAPHQL_VALIDATION_FAILED" for _, code in error_codes(asked))


async def test_an_operation_mixing_data_and_introspection_shows_no_more_than_the_view(
    settings: Settings, db: Database
) -> None:
    mixed = """{ products(first: 1) { totalCount }
      __schema { queryType { fields { name } } }
      __type(name: "Query") { fields { name } } }"""
    async with graphql_client(settings, db) as client:
        data = await client.data(mixed)
    anonymous_roots = set(audience_views().by_audience["anonymous"].query_type.fields)  # type: ignore[union-attr]
    assert data["products"] == {"totalCount": 0}
    assert {f["name"] for f in data["__schema"]["queryType"]["fields"]} == anonymous_roots
    assert {f["name"] for f in data["__type"]["fields"]} == anonymous_roots
    assert "clientCompanies" not in anonymous_roots


@pytest.mark.parametrize(
    ("audience", "allowed"),
    [
        ("anonymous", False),
        ("client", False),
        ("finance", True),
        ("storefront", True),
        ("sales-key", True),
    ],
)
async def test_without_public_introspection_only_staff_and_api_keys_introspect(
    settings: Settings, db: Database, audience: str, *, allowed: bool
) -> None:
    closed = settings.model_copy(update={"public_introspection": False})
    credential = (await _callers(db, closed))[audience]
    async with graphql_client(closed, db) as client:
        caller = client.as_(credential)
        introspection = await caller.post('{ __type(name: "Query") { name } }')
        fragment = await caller.post("{ ... on Query { __schema { queryType { name } } } }")
        catalog = await caller.post("{ products(first: 1) { totalCount } }")
    if allowed:
        assert introspection == {"data": {"__type": {"name": "Query"}}}
        assert "errors" not in fragment
    else:
        assert error_codes(introspection) == [("", "FORBIDDEN")]
        assert introspection["data"] is None
        assert error_codes(fragment) == [("", "FORBIDDEN")]
    assert catalog == {"data": {"products": {"totalCount": 0}}}


async def test_staff_who_must_set_mfa_up_first_cannot_introspect(
    settings: Settings, db: Database
) -> None:
    async with db.session() as session:
        token = await token_for(session, settings, Role.ADMIN, mfa=False)
        await session.commit()
    for public in (True, False):
        configured = settings.model_copy(update={"public_introspection": public})
        async with graphql_client(configured, db) as client:
            body = await client.as_(token).post("{ __schema { queryType { name } } }")
        assert error_codes(body) == [("", "FORBIDDEN")]
