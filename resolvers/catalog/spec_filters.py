"""Spec filters: which attribute a condition names, whether its operator fits, and its SQL.

A spec filter names a key, not a product type: it applies to every product type in scope that
defines the key as filterable, and its operator must fit each of those definitions (the table
of operators by kind is in docs/api/catalog.md). Anything else is a `BadUserInput` naming
`filter.specs.<key>`, raised before any SQL runs.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, select
from sqlmodel import col

from core.errors import BadUserInput
from core.sql_literals import inline
from models.catalog import AttributeDefinition, AttributeKind, Product, ProductType
from models.catalog.discovery import product_spec_values
from models.catalog.rules import MAX_TEXT_SPEC_LENGTH
from resolvers.context import Context

MAX_SPEC_FILTERS = 20
MAX_ONE_OF = 100
MAX_KEY_IN_ARGUMENT = 64


@dataclass(frozen=True)
class SpecValue:
    """The value of `equals`: exactly one of text, number and boolean is set."""

    text: str | None = None
    number: float | None = None
    boolean: bool | None = None


@dataclass(frozen=True)
class NumberRange:
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class SpecFilter:
    attribute: str
    equals: SpecValue | None = None
    one_of: list[str] | None = None
    range: NumberRange | None = None


@dataclass(frozen=True)
class ScopedAttribute:
    """One attribute definition and the slug of the product type that declares it."""

    definition: AttributeDefinition
    type_slug: str

    def belongs_to(self, type_id: int | None, type_slug: str | None) -> bool:
        return (type_id is None or self.definition.product_type_id == type_id) and (
            type_slug is None or self.type_slug == type_slug
        )


@dataclass
class AttributeCatalog:
    """Attribute definitions in display order (product type name, position), by key too."""

    attributes: list[ScopedAttribute] = field(default_factory=list)
    by_key: dict[str, list[ScopedAttribute]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[tuple[AttributeDefinition, str]]) -> AttributeCatalog:
        return cls.from_attributes([ScopedAttribute(definition, slug) for definition, slug in rows])

    @classmethod
    def from_attributes(cls, attributes: list[ScopedAttribute]) -> AttributeCatalog:
        by_key: dict[str, list[ScopedAttribute]] = defaultdict(list)
        for scoped in attributes:
            by_key[scoped.definition.key].append(scoped)
        return cls(attributes, dict(by_key))

    def scoped(self, *, type_id: int | None, type_slug: str | None) -> AttributeCatalog:
        """Only the attributes of the product type given by id and/or slug (None: all)."""
        if type_id is None and type_slug is None:
            return self
        return AttributeCatalog.from_attributes(
            [s for s in self.attributes if s.belongs_to(type_id, type_slug)]
        )

    def filterable(self, key: str) -> list[AttributeDefinition]:
        return [s.definition for s in self.by_key.get(key, []) if s.definition.filterable]


def attribute_catalog_statement() -> Select[Any]:
    """Every attribute definition's columns with its type's slug (`type_slug`), in display
    order: each row reads like the definition (`core.request_session`), without building an
    ORM instance per attribute of every type on every filtered listing."""
    definitions: Table = AttributeDefinition.__table__  # type: ignore[attr-defined]
    return (
        select(*definitions.columns, col(ProductType.slug).label("type_slug"))
        .join(ProductType, col(ProductType.id) == col(AttributeDefinition.product_type_id))
        .order_by(
            col(ProductType.name), col(AttributeDefinition.position), col(AttributeDefinition.key)
        )
    )


async def load_attribute_catalog(ctx: Context) -> AttributeCatalog:
    """The attribute catalog, read once per request however many resolvers ask (facets'
    attributes and countries run side by side, so the first reader's task is shared)."""
    reading = ctx.memo.get(_CATALOG_MEMO)
    if reading is None:
        reading = ctx.memo[_CATALOG_MEMO] = asyncio.ensure_future(_read_attribute_catalog(ctx))
    catalog: AttributeCatalog = await reading
    return catalog


_CATALOG_MEMO = "attribute_catalog"


async def _read_attribute_catalog(ctx: Context) -> AttributeCatalog:
    rows = await ctx.session.rows(attribute_catalog_statement())
    return AttributeCatalog.of((cast(AttributeDefinition, row), row.type_slug) for row in rows)


@dataclass(frozen=True)
class ValueColumns:
    """The typed value columns of a table with one value per row, and its product type."""

    text: ColumnElement[str | None]
    number: ColumnElement[float | None]
    boolean: ColumnElement[bool | None]
    product_type_id: ColumnElement[int]


SPEC_VALUES = ValueColumns(
    product_spec_values.c.value_text,
    product_spec_values.c.value_number,
    product_spec_values.c.value_bool,
    product_spec_values.c.product_type_id,
)


@dataclass(frozen=True)
class ValuePick:
    """A filter's conditions on one key as one condition on a value row, where a product
    matches them if and only if exactly one of its rows does: a sum of counts over the rows
    that match is then a number of products (the facet count tables)."""

    matches: tuple[Callable[[ValueColumns], ColumnElement[bool]], ...]
    type_ids: tuple[int, ...] | None = None  # the types where the key is filterable, if not all

    def on(self, columns: ValueColumns) -> ColumnElement[bool]:
        conditions = [match(columns) for match in self.matches]
        if self.type_ids is not None:
            conditions.append(columns.product_type_id.in_(self.type_ids))
        return and_(*conditions)


@dataclass(frozen=True)
class KeyConditions:
    """A filter's checked conditions on one attribute key, all of which must hold: each as
    the ids of the products it matches (`spec_matches`) and, where a sum over value rows
    counts each product once, all of them as a `ValuePick`."""

    matches: list[Select[tuple[int]]]
    pick: ValuePick | None

    @property
    def on_products(self) -> list[ColumnElement[bool]]:
        return [col(Product.id).in_(matching) for matching in self.matches]


def spec_conditions(
    specs: Sequence[SpecFilter], catalog: AttributeCatalog, *, scope_name: str
) -> dict[str, KeyConditions]:
    """The conditions of the spec filters, grouped by attribute key."""
    if len(specs) > MAX_SPEC_FILTERS:
        raise BadUserInput(f"takes at most {MAX_SPEC_FILTERS} conditions", argument="filter.specs")
    by_key: dict[str, list[SpecFilter]] = defaultdict(list)
    for spec in specs:
        by_key[spec.attribute].append(spec)
    return {
        key: KeyConditions(
            [spec_matches(spec, catalog, scope_name=scope_name) for spec in on_key],
            _value_pick(on_key, catalog),
        )
        for key, on_key in by_key.items()
    }


def _value_pick(specs: list[SpecFilter], catalog: AttributeCatalog) -> ValuePick | None:
    """Checked specs on one key as a `ValuePick`; None when a product may have several values
    that match (a MULTI_ENUM under several conditions, or under `oneOf` several values)."""
    definitions = catalog.filterable(specs[0].attribute)
    multi_valued = any(AttributeKind(d.kind) is AttributeKind.MULTI_ENUM for d in definitions)
    if multi_valued and (
        len(specs) > 1 or (specs[0].one_of is not None and len(set(specs[0].one_of)) > 1)
    ):
        return None
    partial = len(definitions) != len(catalog.by_key[specs[0].attribute])
    return ValuePick(
        tuple(_matcher(spec) for spec in specs),
        tuple(d.product_type_id for d in definitions) if partial else None,
    )


def _matcher(spec: SpecFilter) -> Callable[[ValueColumns], ColumnElement[bool]]:
    return lambda columns: value_match(spec, columns)


def spec_matches(
    spec: SpecFilter, catalog: AttributeCatalog, *, scope_name: str = "any product type"
) -> Select[tuple[int]]:
    """Check one spec filter against the attributes in scope; return the ids of the products
    it matches, from their spec rows (uncorrelated, so a statement over spec rows can use it
    as well as one over products). `scope_name` says which product types are in scope, for
    the error message."""
    argument = f"filter.specs.{spec.attribute[:MAX_KEY_IN_ARGUMENT]}"
    if spec.attribute not in catalog.by_key:
        raise BadUserInput(f"is not an attribute of {scope_name}", argument=argument)
    definitions = catalog.filterable(spec.attribute)
    if not definitions:
        raise BadUserInput("is not filterable", argument=argument)
    operators = [op for op in (spec.equals, spec.one_of, spec.range) if op is not None]
    if len(operators) != 1:
        raise BadUserInput("takes exactly one of equals, oneOf or range", argument=argument)
    _check_operator(spec, definitions, argument)
    matching = products_with(spec.attribute, value_match(spec, SPEC_VALUES))
    everywhere = catalog.by_key[spec.attribute]
    if len(definitions) != len(everywhere):
        # Types that define the key without making it filterable do not take part.
        type_ids = [definition.product_type_id for definition in definitions]
        matching = matching.where(product_spec_values.c.product_type_id.in_(type_ids))
    return matching


def products_with(key: str, condition: ColumnElement[bool]) -> Select[tuple[int]]:
    """The ids of the products with a spec row of `key` that meets `condition` (on
    `SPEC_VALUES`); uncorrelated, so it serves a statement over products or over spec rows."""
    values = product_spec_values.c
    matching = select(values.product_id).where(values.attribute_key == inline(key), condition)
    return matching.correlate(None)


_TEXT_KINDS = {AttributeKind.TEXT, AttributeKind.ENUM, AttributeKind.MULTI_ENUM}
_USE = {
    AttributeKind.TEXT: "equals.text or oneOf",
    AttributeKind.ENUM: "equals.text or oneOf",
    AttributeKind.MULTI_ENUM: "equals.text or oneOf",
    AttributeKind.NUMBER: "equals.number or range",
    AttributeKind.BOOLEAN: "equals.boolean",
}


def _check_operator(
    spec: SpecFilter, definitions: Sequence[AttributeDefinition], argument: str
) -> None:
    kinds = {AttributeKind(definition.kind) for definition in definitions}
    if spec.range is not None:
        _require(kinds, {AttributeKind.NUMBER}, "range", argument)
        _check_range(spec.range, argument)
        return
    if spec.one_of is not None:
        _require(kinds, _TEXT_KINDS, "oneOf", argument)
        if not 1 <= len(spec.one_of) <= MAX_ONE_OF:
            raise BadUserInput(f"oneOf takes 1 to {MAX_ONE_OF} values", argument=argument)
        for value in spec.one_of:
            _check_text(value, definitions, argument)
        return
    equals = spec.equals
    assert equals is not None
    given = [v for v in (equals.text, equals.number, equals.boolean) if v is not None]
    if len(given) != 1:
        raise BadUserInput("equals takes exactly one of text, number or boolean", argument=argument)
    if equals.text is not None:
        _require(kinds, _TEXT_KINDS, "equals.text", argument)
        _check_text(equals.text, definitions, argument)
    elif equals.number is not None:
        _require(kinds, {AttributeKind.NUMBER}, "equals.number", argument)
    else:
        _require(kinds, {AttributeKind.BOOLEAN}, "equals.boolean", argument)


def value_match(spec: SpecFilter, columns: ValueColumns) -> ColumnElement[bool]:
    """A checked spec filter's condition on one value in `columns`."""
    if spec.range is not None:
        bounds = []
        if spec.range.min is not None:
            bounds.append(columns.number >= inline(float(spec.range.min)))
        if spec.range.max is not None:
            bounds.append(columns.number <= inline(float(spec.range.max)))
        return and_(*bounds)
    if spec.one_of is not None:
        return columns.text.in_([inline(value) for value in sorted(set(spec.one_of))])
    assert spec.equals is not None
    if spec.equals.text is not None:
        return columns.text == inline(spec.equals.text)
    if spec.equals.number is not None:
        return columns.number == inline(float(spec.equals.number))
    return columns.boolean == inline(spec.equals.boolean)


def _require(
    kinds: set[AttributeKind], fitting: set[AttributeKind], operator: str, argument: str
) -> None:
    if kinds <= fitting:
        return
    if len(kinds) > 1:
        names = " and ".join(sorted(kind.name for kind in kinds))
        raise BadUserInput(
            f"is {names} in different product types; {operator} does not fit all of them "
            "(filter on one productType)",
            argument=argument,
        )
    (kind,) = kinds
    raise BadUserInput(
        f"is a {kind.name} attribute: {operator} does not fit, use {_USE[kind]}",
        argument=argument,
    )


def _check_text(value: str, definitions: Sequence[AttributeDefinition], argument: str) -> None:
    if not value or len(value) > MAX_TEXT_SPEC_LENGTH:
        raise BadUserInput(
            f"takes text of 1 to {MAX_TEXT_SPEC_LENGTH} characters", argument=argument
        )
    enums = [d for d in definitions if AttributeKind(d.kind) is not AttributeKind.TEXT]
    if enums and len(enums) == len(definitions):
        allowed = {v for definition in enums for v in definition.allowed_values}
        if value not in allowed:
            listed = ", ".join(dict.fromkeys(v for d in enums for v in d.allowed_values))
            raise BadUserInput(
                f"has no value '{value[:40]}' (allowed: {listed})", argument=argument
            )


def _check_range(given: NumberRange, argument: str) -> None:
    if given.min is None and given.max is None:
        raise BadUserInput("range takes min, max or both", argument=argument)
    if given.min is not None and given.max is not None and given.min > given.max:
        raise BadUserInput("range has min above max", argument=argument)
