"""Spec filter rules as plain functions, without GraphQL or a database."""

from __future__ import annotations

import pytest

from core.errors import BadUserInput
from models.catalog import AttributeDefinition, AttributeKind
from resolvers.catalog.spec_filters import (
    AttributeCatalog,
    NumberRange,
    SpecFilter,
    SpecValue,
    spec_matches,
)


def _attribute(
    type_id: int,
    key: str,
    kind: AttributeKind,
    *,
    filterable: bool = True,
    unit: str | None = None,
    allowed: tuple[str, ...] = (),
) -> tuple[AttributeDefinition, str]:
    definition = AttributeDefinition(
        product_type_id=type_id, key=key, label=key.title(), kind=kind, unit=unit,
        filterable=filterable, allowed_values=list(allowed),
    )  # fmt: skip
    return definition, f"type-{type_id}"


# `size` is an ENUM on tiles and a NUMBER on bags; `colour` is filterable on bags only.
CATALOG = AttributeCatalog.of(
    [
        _attribute(1, "size", AttributeKind.ENUM, allowed=("300x300 mm", "600x600 mm")),
        _attribute(2, "size", AttributeKind.NUMBER, unit="l"),
        _attribute(1, "colour", AttributeKind.ENUM, filterable=False, allowed=("white",)),
        _attribute(2, "colour", AttributeKind.ENUM, allowed=("black", "tan")),
    ]
)


def _rejection(spec: SpecFilter, catalog: AttributeCatalog = CATALOG) -> BadUserInput:
    with pytest.raises(BadUserInput) as raised:
        spec_matches(spec, catalog)
    return raised.value


def test_a_key_with_two_kinds_takes_no_operator_that_fits_only_one() -> None:
    for spec in (
        SpecFilter("size", equals=SpecValue(text="600x600 mm")),
        SpecFilter("size", range=NumberRange(min=10)),
    ):
        error = _rejection(spec)
        assert error.argument == "filter.specs.size"
        assert "ENUM and NUMBER in different product types" in error.message


def test_naming_the_product_type_resolves_the_kind() -> None:
    tiles = CATALOG.scoped(type_id=1, type_slug=None)
    bags = CATALOG.scoped(type_id=None, type_slug="type-2")
    spec_matches(SpecFilter("size", equals=SpecValue(text="600x600 mm")), tiles)
    spec_matches(SpecFilter("size", range=NumberRange(min=10, max=20)), bags)
    assert "NUMBER attribute" in _rejection(SpecFilter("size", one_of=["20"]), bags).message


def test_values_are_checked_against_the_filterable_definitions_only() -> None:
    # white is allowed on tiles, where colour is not filterable: it cannot be filtered on
    error = _rejection(SpecFilter("colour", equals=SpecValue(text="white")))
    assert error.message == "has no value 'white' (allowed: black, tan)"
    spec_matches(SpecFilter("colour", one_of=["black", "tan"]), CATALOG)


def test_a_key_only_unfilterable_types_define_is_not_filterable() -> None:
    tiles = CATALOG.scoped(type_id=1, type_slug=None)
    error = _rejection(SpecFilter("colour", equals=SpecValue(text="white")), tiles)
    assert (error.argument, error.message) == ("filter.specs.colour", "is not filterable")


def test_a_long_unknown_key_is_named_but_cut_short() -> None:
    error = _rejection(SpecFilter("x" * 500, equals=SpecValue(number=1)))
    assert error.argument == "filter.specs." + "x" * 64
    assert error.message == "is not an attribute of any product type"
