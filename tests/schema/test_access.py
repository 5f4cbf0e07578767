"""Every root operation and restricted field is classified, and docs/permissions.md says who
sees what."""

from __future__ import annotations

import pytest
import strawberry

from auth.policy import Permission
from schema.access import (
    PERMISSIONS_PAGE,
    TABLES_END,
    TABLES_START,
    protected_fields,
    required_permission,
    unclassified,
    who_sees_what,
    with_tables,
)
from schema.build import build_schema
from schema.permissions import PermissionGate, RequiresPermission, permission_field


def test_the_schema_has_nothing_unclassified() -> None:
    assert unclassified(build_schema()._schema) == []


@strawberry.type(name="ClientCompany", description="x")
class LooseCompany:
    name: str = strawberry.field(description="x")
    bank_account: str = strawberry.field(description="x")


@strawberry.type(name="Variant", description="x")
class LooseVariant:
    unit_cost: str = strawberry.field(description="x")
    margin: str | None = permission_field(Permission.CATALOG_READ_COST, description="x")


@strawberry.type(name="Query", description="x")
class LooseQuery:
    company: LooseCompany = strawberry.field(description="x")
    variant: LooseVariant = strawberry.field(description="x")


@strawberry.type(name="Query", description="x")
class GateMismatchQuery:
    log: str | None = strawberry.field(
        description="x",
        directives=[RequiresPermission(name=Permission.AUDIT_READ.value)],
        extensions=[PermissionGate(Permission.CATALOG_READ_COST)],
    )


def test_the_check_catches_an_open_operation_a_loose_record_field_and_a_cost() -> None:
    # given a schema whose authors forgot to decide three things
    schema = strawberry.Schema(query=LooseQuery)._schema
    # when it is checked, then each of them is reported, and the protected margin is not
    problems = unclassified(schema)
    assert "Query.company: root operation neither protected nor in OPEN_OPERATIONS" in problems
    assert "Query.variant: root operation neither protected nor in OPEN_OPERATIONS" in problems
    assert any(p.startswith("ClientCompany.bankAccount:") for p in problems)
    assert "Variant.unitCost: looks sensitive but is not protected" in problems
    assert not any(p.startswith("Variant.margin") for p in problems)
    assert protected_fields(schema) == {"Variant.margin": Permission.CATALOG_READ_COST}


def test_a_declared_permission_without_its_gate_is_refused() -> None:
    query_type = strawberry.Schema(query=GateMismatchQuery)._schema.query_type
    assert query_type is not None
    field = query_type.fields["log"]
    with pytest.raises(ValueError, match="disagree"):
        required_permission(field)


def test_the_permissions_page_tables_match_the_policy_and_the_schema() -> None:
    page = PERMISSIONS_PAGE.read_text(encoding="utf-8")
    schema = build_schema()._schema
    assert TABLES_START in page
    assert page == with_tables(page, schema), (
        "docs/permissions.md's tables are stale: run `.venv/bin/python -m schema.access --write`"
    )
    assert "| `catalog:read_cost` | see cost prices and margins | ✓ | ✓ |  | ✓ |" in page
    assert who_sees_what(schema) in page
    assert page.index(TABLES_START) < page.index(TABLES_END)
