"""graphql-core's executor, with a plain field of a row read without the machinery of a resolver.

Most fields of a listing are columns: a product's `name`, a variant's `sku`. For each of
them, on every item, graphql-core builds a path and a resolve info, looks up arguments, calls
strawberry's wrapper, which calls the field's `get_result`, which calls `getattr`, and then
completes the value through four type tests. `execute_fields` here reads such a field
(`AttributeLeaf`: no resolver, no extension, no arguments, a scalar or enum type) straight
from its source and coerces it with the type's own `coerce_output_value`: the same value
graphql-core's path gives, with a few calls where that path makes about twenty.

Anything that path would treat specially goes the usual way, field by field: a null or
undefined value, an awaitable, an exception returned as a value, a coercion that raises or
gives null. graphql-core then raises the error it always raises, at the same path. A schema
with middleware goes the usual way entirely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

# What `AttributeLeaf.read` returns when the value needs graphql-core's own completion.
SLOW: Final = object()


@dataclass(frozen=True, slots=True)
class AttributeLeaf:
    """A field answered by an attribute of its source, coerced by its scalar or enum type."""

    attribute: str
    coerce: Callable[[Any], Any]
    non_null: bool

    def read(self, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
        """The field's completed value, or SLOW."""
        try:
            value = getattr(source, self.attribute)
        except Exception:
            return SLOW
        if value is None:
            return SLOW if self.non_null else None
        if value is Undefined or isinstance(value, Exception) or is_awaitable(value):
            return SLOW
        try:
            coerced = self.coerce(value)
        except Exception:
            return SLOW
        if coerced is None or coerced is Undefined:
            return SLOW
        return coerced


LeavesByType = dict[str, dict[str, AttributeLeaf]]


def attribute_leaves(schema: GraphQLSchema) -> LeavesByType:
    """Every field of every object type that `AttributeLeaf` may answer, by type and field name.

    A field qualifies when strawberry resolves it by `getattr` alone: its resolver is
    strawberry's basic one (no resolver function, no field extension such as a permission
    gate), the definition's `get_result` is strawberry's own and its default resolver is
    `getattr`. Its type must be a scalar or an enum, maybe non-null, and it takes no argument.
    """
    leaves: LeavesByType = {}
    for graphql_type in schema.type_map.values():
        if not is_object_type(graphql_type) or graphql_type.name.startswith("__"):
            continue
        fields = {}
        for name, field in graphql_type.fields.items():
            definition = field.extensions.get("strawberry-definition")
            named = get_nullable_type(field.type)
            if (
                isinstance(definition, StrawberryField)
                and getattr(field.resolve, "_is_default", False)
                and type(definition).get_result is StrawberryField.get_result
                and definition.default_resolver is getattr
                and not field.args
                and is_leaf_type(named)
            ):
                fields[name] = AttributeLeaf(
                    definition.python_name, named.coerce_output_value, is_non_null_type(field.type)
                )
        if fields:
            leaves[graphql_type.name] = fields
    return leaves


class LeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, answering `AttributeLeaf` fields in `execute_fields`.

    `leaves` is set per schema by `leaf_execution`."""

    leaves: LeavesByType = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        leaves = self.leaves.get(parent_type.name)
        middleware = self.middleware_manager
        if leaves is None or (middleware is not None and middleware.middlewares):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        # graphql-core's execute_fields (3.3), with the leaves read first in the loop.
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                leaf = leaves.get(field_details_list[0].node.name.value)
                if leaf is not None:
                    value = leaf.read(source_value, is_awaitable)
                    if value is not SLOW:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                # Settle the other fields' awaitables: they may fail too.
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _awaited(results, awaitable_fields)


async def _awaited(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    """`results` with its awaitable values awaited, concurrently, as graphql-core does."""
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
        return results
    awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
    results.update(zip(awaitable_fields, awaited, strict=True))
    return results


def leaf_execution(
    schema: GraphQLSchema, base: type[LeafExecutionContext] = LeafExecutionContext
) -> type[LeafExecutionContext]:
    """`base`, answering the attribute leaves of `schema`."""
    return type("SchemaLeafExecutionContext", (base,), {"leaves": attribute_leaves(schema)})
