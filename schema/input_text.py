"""Text at the input boundary: no String or ID argument holds a NUL or a lone surrogate.

PostgreSQL text cannot store a NUL, and a lone surrogate (JSON's `"\\ud800"` escape carries
one) is not Unicode text: UTF-8 cannot encode it. Both are refused here, once, for every String
and ID argument at any depth, as a variable or a literal, so no resolver ever sees one; the
`JSON` scalar (spec values) refuses them anywhere inside the value, keys included.

graphql-core forbids redefining its specified scalars, so the input coercion of `String` and
`ID` is narrowed in place; the schema's text does not change. The refusal is a `BadUserInput`
without an argument: `schema.errors` names the argument or variable from where it occurred.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLID, GraphQLString, ValueNode, value_from_ast_untyped
from strawberry.scalars import JSON
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.scalar import ScalarDefinition

from core.errors import BadUserInput

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NARROWED = "_tradeql_text_narrowed"


def refuse_unstorable_text(text: str) -> str:
    """`text` itself, or BadUserInput when it holds a NUL or a lone surrogate."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return text
    what = "a NUL character" if found.group() == "\x00" else "a lone surrogate (not Unicode text)"
    raise BadUserInput(f"must not contain {what}")


def narrow_text_scalars() -> None:
    """Make `String` and `ID` refuse unstorable text on input; idempotent."""
    for scalar in (GraphQLString, GraphQLID):
        if getattr(scalar, _NARROWED, False):
            continue
        scalar.coerce_input_value = _checked(scalar.coerce_input_value)
        if scalar.coerce_input_literal is not None:
            scalar.coerce_input_literal = _checked(scalar.coerce_input_literal)
        scalar.parse_value = scalar.coerce_input_value  # type: ignore[method-assign]
        setattr(scalar, _NARROWED, True)


def _checked(coerce: Callable[..., Any]) -> Callable[..., Any]:
    def coerce_checked(*args: Any) -> Any:
        value = coerce(*args)
        return refuse_unstorable_text(value) if isinstance(value, str) else value

    return coerce_checked


def refuse_unstorable_json(value: Any) -> Any:
    """`value` itself, or BadUserInput when any text in it (keys too) is unstorable; walked
    without recursion, so no nesting depth can exhaust the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            refuse_unstorable_text(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return value


def _json_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
    return refuse_unstorable_json(value_from_ast_untyped(node, variables))


_JSON = DEFAULT_SCALAR_REGISTRY[JSON]
# The `JSON` scalar with the same rule on input; the schema's text does not change.
CHECKED_JSON = ScalarDefinition(
    name=_JSON.name,
    description=_JSON.description,
    specified_by_url=_JSON.specified_by_url,
    serialize=_JSON.serialize,
    parse_value=refuse_unstorable_json,
    parse_literal=_json_literal,
)
