"""The `Decimal` scalar on input, and the bound of every Decimal argument, from its column.

One rule for every Decimal argument: a decimal string (`"1.50"`). A JSON number or a GraphQL
Float or Int literal is refused: most clients pass it through a binary float, which can
silently change it. NaN, infinities and absurd exponents are refused by the scalar, before any
arithmetic. Then each argument or input field declares, once, the column its value lands in
(`metadata=lands_in(Payment.amount)`), and the `DecimalBounds` extension of its field refuses a
magnitude that column cannot hold. Decimal places beyond the column's scale are a business
rule, left to the domain: mutations refuse them with a userError, filters compare exactly.
Every refusal here is BAD_USER_INPUT naming the argument; tests/schema/test_decimal_input.py
checks no Decimal argument lacks a bound or its field the extension.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from graphql import StringValueNode, ValueNode, print_ast
from sqlalchemy import Column, Numeric
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryList, StrawberryOptional, has_object_definition
from strawberry.types.field import StrawberryField
from strawberry.types.scalar import ScalarDefinition
from strawberry.utils.str_converters import to_camel_case

from core.errors import BadUserInput

BOUND_KEY = "tradeql.decimal_bound"
# Beyond what any column holds, so that nothing absurd reaches a bound or the arithmetic.
MAX_DIGITS = 40
_DECIMAL_STRING = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

DESCRIPTION = (
    'A decimal number as a string, e.g. "1.50", on input and output. Send a string: a JSON '
    "number or a Float or Int literal is refused (BAD_USER_INPUT), as most clients pass it "
    "through a binary float, which can silently change it. NaN, infinities and more than "
    f"{MAX_DIGITS} digits are refused, and so is a magnitude the argument's stored column "
    "cannot hold; each argument's description says its places."
)


@dataclass(frozen=True)
class DecimalBound:
    """The largest magnitude a Numeric(precision, scale) column holds, and that column."""

    largest: Decimal
    column: str


def lands_in(column: Any) -> dict[str, DecimalBound]:
    """Field or argument metadata: the value is stored in (or compared with) `column`."""
    found = column.property.columns[0] if isinstance(column, InstrumentedAttribute) else column
    if not isinstance(found, Column) or not isinstance(found.type, Numeric):
        raise TypeError(f"{column} is not a Numeric column")
    precision, scale = found.type.precision, found.type.scale or 0
    if precision is None:
        raise TypeError(f"{column} has no precision: nothing bounds it")
    largest = Decimal(10) ** (precision - scale) - Decimal(1).scaleb(-scale)
    return {BOUND_KEY: DecimalBound(largest, f"{found.table.name}.{found.name}")}


def parse_decimal(value: object) -> Decimal:
    if not isinstance(value, str):
        raise BadUserInput(
            f'must be a decimal string such as "1.50", not the number {value!r}: a JSON number '
            "passes through a binary float in most clients and can silently change"
        )
    if len(value) > 2 * MAX_DIGITS or not _DECIMAL_STRING.fullmatch(value):
        raise BadUserInput(f"is not a decimal number such as 1.50: {value[: 2 * MAX_DIGITS]!r}")
    number = Decimal(value)
    if len(number.as_tuple().digits) > MAX_DIGITS or abs(number.adjusted()) > MAX_DIGITS:
        raise BadUserInput(f"is out of range for any amount, price or rate: {value!r}")
    return number


def parse_decimal_literal(node: ValueNode, _variables: Any = None) -> Decimal:
    if not isinstance(node, StringValueNode):
        raise BadUserInput(
            f'must be a decimal string such as "1.50", not {print_ast(node)}: a Float or Int '
            "literal can silently change on its way through a binary float"
        )
    return parse_decimal(node.value)


DECIMAL = ScalarDefinition(
    name="Decimal",
    description=DESCRIPTION,
    specified_by_url=None,
    serialize=str,
    parse_value=parse_decimal,
    parse_literal=parse_decimal_literal,
    origin=Decimal,
)


class DecimalBounds(FieldExtension):
    """Refuses a Decimal argument, at any depth, beyond the column it lands in."""

    def apply(self, field: StrawberryField) -> None:
        self._field = field
        self._spots: list[Spot] | None = None

    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        self._check_all(kwargs)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        self._check_all(kwargs)
        return await next_(source, info, **kwargs)

    def _check_all(self, kwargs: dict[str, Any]) -> None:
        if self._spots is None:
            self._spots = decimal_spots(self._field)
        for path, bound in self._spots:
            if bound is not None:
                _check(kwargs, path, bound, [])


Spot = tuple[tuple[str, ...], DecimalBound | None]


def decimal_spots(field: StrawberryField) -> list[Spot]:
    """Where the field's arguments hold Decimals, as paths of Python names ("[]" for a list
    item), each with its declared bound (None when it has none: a test refuses that)."""
    spots: list[Spot] = []
    for argument in field.arguments:
        _collect(argument.type, (argument.python_name,), argument.metadata, spots)
    return spots


def _collect(type_: Any, path: tuple[str, ...], metadata: Any, spots: list[Spot]) -> None:
    while isinstance(type_, StrawberryOptional | StrawberryList):
        if isinstance(type_, StrawberryList):
            path = (*path, "[]")
        type_ = type_.of_type
    if type_ is Decimal:
        spots.append((path, (metadata or {}).get(BOUND_KEY)))
    elif has_object_definition(type_):
        for field in type_.__strawberry_definition__.fields:
            _collect(field.type, (*path, field.python_name), field.metadata, spots)


def _check(value: Any, path: tuple[str, ...], bound: DecimalBound, where: list[str]) -> None:
    if not path:
        if isinstance(value, Decimal) and abs(value) > bound.largest:
            # The column stays out of the message: table names are not the client's business.
            raise BadUserInput(
                f"must be at most {bound.largest} in magnitude, not {value}",
                argument=".".join(where),
            )
        return
    step, rest = path[0], path[1:]
    if step == "[]":
        for index, item in enumerate(value if isinstance(value, list) else []):
            _check(item, rest, bound, [*where, str(index)])
        return
    inner = value.get(step) if isinstance(value, dict) else getattr(value, step, None)
    _check(inner, rest, bound, [*where, to_camel_case(step)])
