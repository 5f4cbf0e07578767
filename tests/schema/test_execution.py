"""Plain fields read straight from their row give what graphql-core's own path gives, errors
included, and only the fields that qualify take that way."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NewType

import pytest
import strawberry
from strawberry.schema import schema_converter
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionResult

from schema import execution
from schema.build import build_schema
from schema.execution import (
    FastExecutionContext,
    attribute_leaves,
    direct_resolvers,
    fast_execution,
)
from schema.permissions import PermissionGate


@strawberry.enum
class Grade(enum.Enum):
    PRIME = "prime"
    SECOND = "second"


class Fragile:
    """A source whose `weight` cannot be read."""

    @property
    def weight(self) -> int:
        raise ValueError("the scale is broken")


# A custom scalar: its values may be anything the scalar parses to, so a field taking one
# converts its arguments strawberry's way, per item.
Unit = NewType("Unit", str)
UNIT = strawberry.scalar(name="Unit", serialize=str, parse_value=str)


@strawberry.type
class Bale:
    name: str
    grade: Grade
    price: Decimal
    note: str | None
    count: int

    @strawberry.field
    def label(self, upper: bool = False) -> str:
        return self.name.upper() if upper else self.name

    @strawberry.field
    def weight(self, info: strawberry.Info, unit: str, grade: Grade | None = None) -> str:
        assert info.field_name == "weight"
        shown = f"{self.count} {unit}"
        return f"{shown} {grade.value}" if grade is not None else shown

    @strawberry.field
    def measured(self, unit: Unit, tags: list[str] | None = None) -> str:
        return f"{self.count} {unit}"

    @strawberry.field
    async def origin(self, root: Any, strict: bool) -> str | None:
        if strict and root.note is None:
            raise ValueError(f"{root.name} has no note to trace it by")
        return str(root.note)


@strawberry.type
class Scale:
    weight: int


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Mill(Named):
    """An interface's implementation: graphql-core checks each value is of the type."""

    city: str


@dataclass
class BaleRow:
    """A row read by attribute, as the read paths' Core rows are."""

    name: Any
    grade: Any
    price: Any
    note: Any
    count: Any


ROWS = [
    BaleRow("cotton", Grade.PRIME, Decimal("12.50"), None, 3),
    BaleRow("jute", Grade.SECOND, Decimal("7"), "damp", 0),
]


@strawberry.type
class Query:
    @strawberry.field
    def bales(self) -> list[Bale]:
        return ROWS  # type: ignore[return-value]

    @strawberry.field
    def broken(self) -> list[Bale | None]:
        # A null for a non-null name, and a count that is not an int.
        return [
            BaleRow(None, Grade.PRIME, Decimal(1), None, 1),  # type: ignore[list-item]
            BaleRow("x", Grade.PRIME, Decimal(1), None, "many"),  # type: ignore[list-item]
        ]

    @strawberry.field
    def scale(self) -> Scale | None:
        return Fragile()  # type: ignore[return-value]

    @strawberry.field
    def mills(self) -> list[Mill]:
        return [Mill(name="Surat Weaving", city="Surat"), Mill(name="Tiruppur Knits", city="")]

    @strawberry.field
    def missing_mill(self) -> Mill:
        return None  # type: ignore[return-value]

    @strawberry.field
    def mistyped_mill(self) -> Mill | None:
        return ROWS[0]  # type: ignore[return-value]


SCHEMA = strawberry.Schema(query=Query, scalar_overrides={Unit: UNIT})


class CountingLeaves(FastExecutionContext):
    """Counts the fields that still go graphql-core's own way."""

    executed: list[str] = []

    def execute_field(
        self, parent_type: Any, source: Any, field_details_list: Any, *rest: Any
    ) -> Any:
        self.executed.append(f"{parent_type.name}.{field_details_list[0].node.name.value}")
        return super().execute_field(parent_type, source, field_details_list, *rest)


def _both(document: str) -> tuple[ExecutionResult, ExecutionResult]:
    """`document` executed the usual way and with the leaves read straight."""
    SCHEMA.execution_context_class = StrawberryGraphQLCoreExecutionContext
    usual = SCHEMA.execute_sync(document)
    SCHEMA.execution_context_class = fast_execution(SCHEMA, CountingLeaves)
    CountingLeaves.executed = []
    try:
        fast = SCHEMA.execute_sync(document)
    finally:
        SCHEMA.execution_context_class = StrawberryGraphQLCoreExecutionContext
    return usual, fast


def _errors(result: ExecutionResult) -> list[dict[str, Any]]:
    return [dict(error.formatted) for error in result.errors or []]


def test_plain_fields_give_the_usual_values_and_skip_the_resolver_machinery() -> None:
    document = "{ bales { name grade price note count again: name label(upper: true) } }"
    usual, fast = _both(document)
    assert (
        fast.data
        == usual.data
        == {
            "bales": [
                {
                    "name": "cotton",
                    "grade": "PRIME",
                    "price": "12.50",
                    "note": None,
                    "count": 3,
                    "again": "cotton",
                    "label": "COTTON",
                },
                {
                    "name": "jute",
                    "grade": "SECOND",
                    "price": "7",
                    "note": "damp",
                    "count": 0,
                    "again": "jute",
                    "label": "JUTE",
                },
            ]
        }
    )
    assert fast.errors is None
    # Only the root list and the field with a resolver went graphql-core's way.
    assert CountingLeaves.executed == ["Query.bales", "Bale.label", "Bale.label"]


def test_resolvers_get_their_arguments_converted_once_per_field_of_the_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conversions: list[dict[str, Any]] = []

    def counted(convert: Any) -> Any:
        def converting(value: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            if value:  # fields without arguments (the root list) are converted too
                conversions.append(value)
            return convert(value, *args, **kwargs)

        return converting

    # strawberry's wrapper converts through the first, the direct path through the second
    for module in (schema_converter, execution):
        monkeypatch.setattr(module, "convert_arguments", counted(module.convert_arguments))
    counts = []
    for context in (StrawberryGraphQLCoreExecutionContext, fast_execution(SCHEMA)):
        SCHEMA.execution_context_class = context
        conversions.clear()
        try:
            result = SCHEMA.execute_sync('{ bales { weight(unit: "kg") } }')
        finally:
            SCHEMA.execution_context_class = StrawberryGraphQLCoreExecutionContext
        assert result.data == {"bales": [{"weight": "3 kg"}, {"weight": "0 kg"}]}
        counts.append(len(conversions))
    # strawberry converts the arguments for each of the two bales, the fast path once
    assert counts == [2, 1]


def test_only_resolvers_whose_arguments_cannot_change_are_called_directly() -> None:
    resolvers = direct_resolvers(SCHEMA)
    assert {"label", "weight", "origin"} <= set(resolvers["Bale"])
    # a custom scalar's value and a list are not known to be immutable
    assert "measured" not in resolvers["Bale"]
    usual, fast = _both('{ bales { measured(unit: "m", tags: ["a"]) } }')
    assert fast.data == usual.data == {"bales": [{"measured": "3 m"}, {"measured": "0 m"}]}


async def test_a_resolver_called_directly_answers_as_strawberrys_wrapper_does() -> None:
    document = """query W($unit: String!, $strict: Boolean!) { bales {
        weight(unit: $unit) heavy: weight(unit: $unit, grade: SECOND) origin(strict: $strict)
    } }"""
    for strict in (False, True):
        variables = {"unit": "kg", "strict": strict}
        SCHEMA.execution_context_class = StrawberryGraphQLCoreExecutionContext
        usual = await SCHEMA.execute(document, variable_values=variables)
        SCHEMA.execution_context_class = fast_execution(SCHEMA, CountingLeaves)
        try:
            fast = await SCHEMA.execute(document, variable_values=variables)
        finally:
            SCHEMA.execution_context_class = StrawberryGraphQLCoreExecutionContext
        assert fast.data == usual.data
        assert _errors(fast) == _errors(usual)
    assert fast.data == {
        "bales": [
            {"weight": "3 kg", "heavy": "3 kg second", "origin": None},
            {"weight": "0 kg", "heavy": "0 kg second", "origin": "damp"},
        ]
    }
    assert [error["path"] for error in _errors(fast)] == [["bales", 0, "origin"]]


def test_a_null_or_a_value_its_type_refuses_gets_graphql_cores_own_error() -> None:
    usual, fast = _both("{ broken { name count } }")
    assert fast.data == usual.data == {"broken": [None, None]}
    assert _errors(fast) == _errors(usual)
    assert [error["path"] for error in _errors(fast)] == [
        ["broken", 0, "name"],
        ["broken", 1, "count"],
    ]
    assert "Cannot return null for non-nullable field Bale.name." in _errors(fast)[0]["message"]


def test_objects_complete_as_graphql_core_completes_them() -> None:
    usual, fast = _both("{ mills { name city } }")
    assert (
        fast.data
        == usual.data
        == {
            "mills": [
                {"name": "Surat Weaving", "city": "Surat"},
                {"name": "Tiruppur Knits", "city": ""},
            ]
        }
    )
    # A value that is not of the object type, and a null for a non-null object: the same errors.
    for document in ("{ mistypedMill { name } }", "{ missingMill { name } }"):
        usual, fast = _both(document)
        assert fast.data == usual.data
        assert _errors(fast) == _errors(usual)
        assert len(_errors(fast)) == 1


def test_an_attribute_that_raises_gets_its_error_at_its_path() -> None:
    usual, fast = _both("{ scale { weight } }")
    assert fast.data == usual.data == {"scale": None}
    assert _errors(fast) == _errors(usual)
    assert _errors(fast)[0]["message"] == "the scale is broken"
    assert _errors(fast)[0]["path"] == ["scale", "weight"]


def test_only_fields_without_extensions_of_the_served_schema_qualify() -> None:
    served = build_schema()
    graphql_schema = served._schema
    leaves = attribute_leaves(graphql_schema)
    resolvers = direct_resolvers(served)
    assert {"sku", "available"} <= set(leaves["Variant"])
    assert leaves["Variant"]["sku"].attribute == "sku"
    # A field with a resolver (the price at a quantity) or behind a permission gate is not one.
    assert "price" not in leaves["Variant"]
    gated = [
        (type_name, name)
        for type_name, named in graphql_schema.type_map.items()
        for name, field in getattr(named, "fields", {}).items()
        if any(
            isinstance(extension, PermissionGate)
            for extension in getattr(
                field.extensions.get("strawberry-definition"), "extensions", []
            )
        )
    ]
    assert gated, "the schema has permission-gated fields"
    assert all(name not in leaves.get(type_name, {}) for type_name, name in gated)
    assert not any(type_name.startswith("__") for type_name in leaves)
    # The price at a quantity is called directly; no gated field is, nor any plain one.
    assert {"price", "priceTiers"} <= set(resolvers["Variant"])
    assert all(name not in resolvers.get(type_name, {}) for type_name, name in gated)
    assert all(
        set(fields).isdisjoint(leaves.get(type_name, {})) for type_name, fields in resolvers.items()
    )


def _extensions(field: Any) -> list[Any]:
    definition = field.extensions.get("strawberry-definition")
    return list(getattr(definition, "extensions", []))
