"""Each audience's view of the schema against the policy table: the role-by-field matrix of
tests/schema/test_permission_matrix.py, extended to the schema each audience sees.

The matrix proves a protected field is served exactly to the holders of its permission; here,
each view shows a protected field exactly when the audience holds that permission, so what a
caller introspects and what it may use are the same set.
"""

from __future__ import annotations

import re
from typing import cast

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    print_schema,
    validate_schema,
)

from auth.policy import Permission
from core.errors import TradeQLError
from schema.access import OPEN_OPERATIONS, RESTRICTED_TYPES, Access, protected_fields
from schema.audiences import (
    ANONYMOUS_AUDIENCE,
    AUDIENCES,
    GATED_INPUTS,
    OPEN_OPERATION_CALLERS,
    ROW_READERS,
    audience_of,
    stand_in,
)
from schema.build import audience_views
from schema.permissions import CallerGate
from tests.app.test_cli import run

FULL = audience_views().full


def _view(audience: str) -> GraphQLSchema:
    return audience_views().by_audience[audience]


def _fields(schema: GraphQLSchema, type_name: str) -> dict[str, GraphQLField]:
    fields: dict[str, GraphQLField] = cast(GraphQLObjectType, schema.type_map[type_name]).fields
    return fields


def _possible_nodes(audience: str) -> set[str]:
    view = _view(audience)
    return {
        t.name for t in view.get_possible_types(cast(GraphQLInterfaceType, view.type_map["Node"]))
    }


def _coordinates(schema: GraphQLSchema) -> set[str]:
    return {
        f"{name}.{field}"
        for name, named in schema.type_map.items()
        if isinstance(named, GraphQLObjectType) and not name.startswith("__")
        for field in named.fields
    }


def _roots(schema: GraphQLSchema) -> set[str]:
    return {
        f"{root.name}.{field}"
        for root in (schema.query_type, schema.mutation_type)
        if root is not None
        for field in root.fields
    }


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_view_is_a_valid_schema_of_fields_from_the_full_one(audience: str) -> None:
    view = _view(audience)
    assert validate_schema(view) == []
    assert _coordinates(view) <= _coordinates(FULL)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_view_shows_exactly_the_protected_fields_its_audience_holds_the_permission_for(
    audience: str,
) -> None:
    caller = stand_in(audience)
    protected = protected_fields(FULL)
    shown = {c for c in protected if c in _coordinates(_view(audience))}
    granted = {c for c, permission in protected.items() if caller.can(permission)}
    assert shown == granted


def _gates_let_through(coordinate: str, audience: str) -> bool:
    root, name = coordinate.split(".")
    field = _fields(FULL, root)[name]
    try:
        for gate in field.extensions["strawberry-definition"].extensions:
            if isinstance(gate, CallerGate):
                gate.check(stand_in(audience))
    except TradeQLError:
        return False
    return True


def test_every_authenticated_operation_names_who_it_serves_or_has_a_gate() -> None:
    undecided = [
        coordinate
        for coordinate, access in OPEN_OPERATIONS.items()
        if access is Access.AUTHENTICATED
        and coordinate not in OPEN_OPERATION_CALLERS
        and _gates_let_through(coordinate, ANONYMOUS_AUDIENCE)
    ]
    assert undecided == []
    assert set(OPEN_OPERATION_CALLERS) <= set(OPEN_OPERATIONS)
    assert set(ROW_READERS) <= set(RESTRICTED_TYPES)


CATALOG = {
    f"Query.{name}"
    for name in ("products", "facets", "product", "node", "categories", "category", "productType")
}
SIGN_IN = {
    f"Mutation.{name}"
    for name in (
        "login",
        "verifyMfa",
        "refreshSession",
        "requestPasswordReset",
        "resetPassword",
        "acceptInvitation",
    )
}


def test_anonymous_callers_see_the_public_catalog_inquiries_and_sign_in() -> None:
    assert _roots(_view(ANONYMOUS_AUDIENCE)) == CATALOG | SIGN_IN | {"Mutation.submitInquiry"}


def test_a_storefront_key_sees_what_anonymous_callers_do_and_its_download_links() -> None:
    # The back office (exportCsv, csvExport, home) is for staff and staff keys
    # (StaffOrApiKeyGate); a download link answers any signed-in caller for the files its
    # permissions reach, which for a storefront key are none.
    anonymous = _roots(_view(ANONYMOUS_AUDIENCE))
    assert _roots(_view("storefront")) == anonymous | {"Query.downloadLink"}
    assert "HomeScreen" not in _view("storefront").type_map


def test_client_users_see_their_company_their_records_and_their_account() -> None:
    own_records = {
        f"Query.{name}"
        for name in ("myAccount", "myCompany", "orders", "order", "shipment", "inquiries")
    } | {"Query.inquiry", "Query.quote", "Query.downloadLink"}
    own_account = {"Query.me", "Query.sessions"} | {
        f"Mutation.{name}"
        for name in (
            "changePassword",
            "confirmTotp",
            "disableTotp",
            "endMySession",
            "enrollTotp",
            "logout",
            "logoutAll",
            "regenerateRecoveryCodes",
        )
    }
    acting = {"Mutation.placeOrder", "Mutation.cancelOrder", "Mutation.convertQuoteToOrder"}
    assert _roots(_view("client")) == (
        _roots(_view(ANONYMOUS_AUDIENCE)) | own_records | own_account | acting
    )


def test_a_storefront_key_sees_no_cost_price_and_a_finance_key_does() -> None:
    assert not {"costPrice", "margin"} & set(_fields(_view("storefront"), "Variant"))
    assert {"costPrice", "margin"} <= set(_fields(_view("finance-key"), "Variant"))


def test_a_record_the_caller_cannot_read_is_no_possible_node() -> None:
    anonymous_nodes = _possible_nodes(ANONYMOUS_AUDIENCE)
    assert {"Product", "Variant", "Category"} <= anonymous_nodes
    assert not {"ClientCompany", "Order", "Inquiry", "AuditEntry"} & anonymous_nodes
    assert "ClientCompany" not in _view(ANONYMOUS_AUDIENCE).type_map
    assert "ClientCompany" in _possible_nodes("sales")


def test_staff_do_not_see_the_client_account() -> None:
    assert "Query.myAccount" not in _roots(_view("admin"))
    assert "ClientAccount" not in _view("admin").type_map


def test_api_keys_see_no_operation_that_needs_a_user_session() -> None:
    for audience in ("storefront", "finance-key"):
        roots = _roots(_view(audience))
        assert not {"Query.me", "Query.sessions", "Mutation.changePassword"} & roots
    assert {"Query.me", "Query.sessions", "Mutation.changePassword"} <= _roots(_view("finance"))


def test_every_type_is_in_some_view_and_the_admin_sees_all_but_the_client_account() -> None:
    shown = set().union(*(set(_view(audience).type_map) for audience in AUDIENCES))
    assert shown == set(FULL.type_map)
    assert set(FULL.type_map) - set(_view("admin").type_map) == {"ClientAccount", "AccountInvoice"}


def test_staff_waiting_for_mfa_and_nobody_see_the_anonymous_view() -> None:
    waiting = stand_in("admin").__class__(
        kind=stand_in("admin").kind, role=stand_in("admin").role, limited_to_mfa_setup=True
    )
    assert audience_of(waiting) == ANONYMOUS_AUDIENCE
    assert audience_of(stand_in("finance-key")) == "finance-key"
    assert audience_of(stand_in("storefront")) == "storefront"
    assert not stand_in(ANONYMOUS_AUDIENCE).can(Permission.CATALOG_READ_COST)


def test_export_schema_prints_a_roles_view_and_keeps_schema_graphql_the_full_contract() -> None:
    printed = run("export-schema", "--role", "storefront")
    assert printed.returncode == 0
    assert printed.stdout == print_schema(_view("storefront")) + "\n"
    assert "costPrice" not in printed.stdout
    assert "type Variant" in printed.stdout
    assert "costPrice" in run("export-schema").stdout
    assert run("export-schema", "--role", "storefront", "--write").returncode == 1
    assert run("export-schema", "--role", "nobody").returncode != 0


NEEDS_PERMISSION = re.compile(r"[Nn]eeds `([a-z_]+:[a-z_]+)`")


def test_every_input_field_and_enum_value_that_needs_a_permission_is_gated_in_views() -> None:
    said = {}
    for name, named in FULL.type_map.items():
        entries: dict[str, GraphQLInputField | GraphQLEnumValue] = {}
        if isinstance(named, GraphQLInputObjectType):
            entries = dict(named.fields)
        elif isinstance(named, GraphQLEnumType):
            entries = dict(named.values)
        for entry, definition in entries.items():
            needed = NEEDS_PERMISSION.search(definition.description or "")
            if needed:
                said[f"{name}.{entry}"] = Permission(needed.group(1))
    assert said == GATED_INPUTS


@pytest.mark.parametrize(("audience", "shown"), [("sales", False), ("finance", True)])
def test_filters_and_sorts_on_what_a_company_owes_show_for_finance_read_only(
    audience: str, *, shown: bool
) -> None:
    view = _view(audience)
    sorts = set(cast(GraphQLEnumType, view.type_map["ClientCompanySort"]).values)
    filters = set(cast(GraphQLInputObjectType, view.type_map["ClientCompanyFilter"]).fields)
    assert {"NAME"} <= sorts
    assert "country" in filters
    assert ({"CREDIT_USED", "OVERDUE_AMOUNT"} <= sorts) is shown
    assert ({"creditUsedAbove", "overdueAtLeast"} <= filters) is shown
    assert bool({"creditUsedAbove", "overdueAtLeast"} & filters) is shown
    assert "sortBy" in _fields(view, "Query")["clientCompanies"].args
