"""graphql-core's executor, with the work it repeats for every item of a list done once, or
not at all, where the result is the same.

- **Plain fields.** Most fields of a listing are columns: a product's `name`, a variant's
  `sku`. For each of them, on every item, graphql-core builds a path and a resolve info,
  looks up arguments, calls strawberry's wrapper, which calls the field's `get_result`, which
  calls `getattr`, and then completes the value through four type tests. `execute_fields`
  here reads such a field (`AttributeLeaf`: no resolver, no extension, no arguments, a scalar
  or enum type) straight from its source and coerces it with the type's own
  `coerce_output_value`: the same value, with a few calls where that path makes about twenty.
  Anything that path treats specially goes the usual way, field by field: a null or undefined
  value, an awaitable, an exception returned as a value, a coercion that raises or gives null.
  graphql-core then raises the error it always raises, at the same path.
- **Resolvers' arguments.** A field with a resolver (`DirectResolver`: no field extension,
  arguments of GraphQL's own scalars or of enums only) has its arguments coerced by graphql-core and
  converted by strawberry once per field of the document, not once per item (a listing's
  `price(currency:, quantity:)` of every variant), and its resolver is called as strawberry
  calls it, without strawberry's chain of wrappers built for extensions it does not have.
  Their values (str, int, float, bool, enum members) are immutable, so items cannot see each
  other's arguments; a list or a JSON value could be changed by one item's resolver, and
  takes strawberry's way.
- **Objects.** An object value (maybe non-null) that is there, passes its type's
  `is_type_of` and defers nothing goes straight to the execution of its fields
  (`complete_value`), without graphql-core's four calls and six type tests per object.

A schema with middleware, or with strawberry exception handlers, goes the usual way entirely.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
    specified_scalar_types,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

# What `AttributeLeaf.read` returns when the value needs graphql-core's own completion.
SLOW: Final = object()
# Values of these exact types are never awaitable: a field's scalar, or an object or list
# completed already. Tested first, they spare most values the general awaitable test.
_SETTLED: Final = frozenset({str, int, float, bool, dict, list})


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
        if type(value) not in _SETTLED and (
            value is Undefined or isinstance(value, Exception) or is_awaitable(value)
        ):
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
    for type_name, name, field, definition in _strawberry_fields(schema):
        named = get_nullable_type(field.type)
        if (
            getattr(field.resolve, "_is_default", False)
            and definition.default_resolver is getattr
            and not field.args
            and is_leaf_type(named)
        ):
            leaf = AttributeLeaf(
                definition.python_name, named.coerce_output_value, is_non_null_type(field.type)
            )
            leaves.setdefault(type_name, {})[name] = leaf
    return leaves


def _strawberry_fields(
    schema: GraphQLSchema,
) -> Iterator[tuple[str, str, GraphQLField, StrawberryField]]:
    """Each field of the object types (introspection's aside) that strawberry defines and
    answers with its own `get_result`: type name, field name, field, definition."""
    for graphql_type in schema.type_map.values():
        if not is_object_type(graphql_type) or graphql_type.name.startswith("__"):
            continue
        for name, field in graphql_type.fields.items():
            definition = field.extensions.get("strawberry-definition")
            if (
                isinstance(definition, StrawberryField)
                and type(definition).get_result is StrawberryField.get_result
            ):
                yield graphql_type.name, name, field, definition


@dataclass(frozen=True, slots=True)
class DirectResolver:
    """A field's resolver, called as strawberry's wrapper calls it, with arguments converted
    once per field of a document (`convert`) and handed to each call (`call`)."""

    definition: StrawberryField
    config: StrawberryConfig
    scalar_registry: Mapping[object, Any]
    # The resolver function and how it takes the source: as `self`, and under the names of
    # its `parent` and `root` parameters; `info_name`, the name of its `info` parameter.
    function: Callable[..., Any]
    takes_self: bool
    source_names: tuple[str, ...]
    info_name: str | None

    @classmethod
    def of(
        cls, definition: StrawberryField, config: StrawberryConfig, registry: Mapping[object, Any]
    ) -> DirectResolver:
        resolver = definition.base_resolver
        assert resolver is not None
        asked = (resolver.parent_parameter, resolver.root_parameter)
        function = resolver.wrapped_func
        assert callable(function)  # `direct_resolvers` takes no other
        return cls(
            definition,
            config,
            registry,
            function=function,
            takes_self=resolver.self_parameter is not None,
            source_names=tuple(parameter.name for parameter in asked if parameter is not None),
            info_name=resolver.info_parameter.name if resolver.info_parameter else None,
        )

    def convert(self, coerced: dict[str, Any]) -> dict[str, Any]:
        """graphql-core's coerced arguments as the resolver's keyword arguments (no info:
        only input types that build themselves read it, and these arguments have none)."""
        return convert_arguments(
            coerced,
            self.definition.arguments,
            scalar_registry=self.scalar_registry,
            config=self.config,
        )

    def call(self, source: Any, info: GraphQLResolveInfo[Any], converted: dict[str, Any]) -> Any:
        """The resolver's result, given the source and the parameters it asks for, as
        strawberry's `get_arguments` hands them (and `StrawberryField.get_result` calls it)."""
        kwargs = converted
        if self.source_names or self.info_name:
            kwargs = dict(converted)
            for name in self.source_names:
                kwargs[name] = source
            if self.info_name:
                kwargs[self.info_name] = self.config.info_class(
                    _raw_info=info, _field=self.definition
                )
        return self.function(source, **kwargs) if self.takes_self else self.function(**kwargs)


ResolversByType = dict[str, dict[str, DirectResolver]]


def direct_resolvers(schema: strawberry.Schema) -> ResolversByType:
    """Every field of every object type whose resolver `DirectResolver` may call: strawberry's
    own resolver wrapper over a resolver function, no field extension (a permission gate, a
    bound on a decimal argument), strawberry's own `get_result`, and arguments whose values
    are immutable (`_immutable_argument`). None when the schema has strawberry exception
    handlers, which the wrapper applies."""
    if schema.exception_handlers:
        return {}
    registry = schema.schema_converter.scalar_registry
    resolvers: ResolversByType = {}
    for type_name, name, field, definition in _strawberry_fields(schema._schema):
        if (
            definition.base_resolver is not None
            and not definition.extensions
            and field.resolve is not None
            and not getattr(field.resolve, "_is_default", False)
            and callable(definition.base_resolver.wrapped_func)
            and all(_immutable_argument(arg.type) for arg in field.args.values())
        ):
            resolvers.setdefault(type_name, {})[name] = DirectResolver.of(
                definition, schema.config, registry
            )
    return resolvers


def _immutable_argument(argument_type: GraphQLInputType) -> bool:
    """An argument of one of GraphQL's own scalars or of an enum, maybe non-null: not a list,
    not an input object, not a custom scalar (JSON values are dicts and lists)."""
    named = get_nullable_type(argument_type)
    return isinstance(named, GraphQLEnumType) or (
        isinstance(named, GraphQLScalarType) and named.name in specified_scalar_types
    )


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, answering `AttributeLeaf` fields in `execute_fields`
    and calling `DirectResolver` fields in `execute_field`.

    `leaves` and `resolvers` are set per schema by `fast_execution`."""

    leaves: LeavesByType = {}
    resolvers: ResolversByType = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        if middleware is not None and middleware.middlewares:
            # Middleware wraps every resolver: no field may be answered around it.
            self.leaves = {}
            self.resolvers = {}
        # Each field node's converted arguments, for this operation and its variables.
        self.converted: dict[int, dict[str, Any]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        leaves = self.leaves.get(parent_type.name)
        if leaves is None:
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
                    if type(result) not in _SETTLED and is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                # Settle the other fields' awaitables: they may fail too.
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _awaited(results, awaitable_fields)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        first = field_details_list[0]
        node = first.node
        direct = self.resolvers.get(parent_type.name, {}).get(node.name.value)
        if direct is None or first.fragment_variable_values is not None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        field_def = self.schema.get_field(parent_type, node.name.value)
        assert field_def is not None  # a field with a resolver is a field of its type
        nodes = [details.node for details in field_details_list]
        info = self.build_resolve_info(field_def, nodes, parent_type, path)
        return_type = field_def.type
        # graphql-core's execute_field (3.3), with the arguments looked up once per node.
        try:
            converted = self.converted.get(id(node))
            if converted is None:
                converted = direct.convert(self._coerced_arguments(field_def, first))
                self.converted[id(node)] = converted
            result = direct.call(source, info, converted)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            completed = self.complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
            if type(completed) not in _SETTLED and self.is_awaitable(completed):
                return self._completed_later(completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's completion, straight to the fields of an object: a value of an object
        type (maybe non-null) that is there, is of the type and defers nothing has its
        subfields executed at once, where graphql-core takes four calls and six type tests
        per object to get there. Anything else completes graphql-core's way."""
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        if (
            isinstance(named, GraphQLObjectType)
            and result is not None
            and result is not Undefined
            and not isinstance(result, Exception)
            and position_context is None
            and (named.is_type_of is None or named.is_type_of(result, info) is True)
        ):
            grouped_field_set, deferred, _ = self.collect_subfields(named, field_details_list)
            if not deferred:
                return self.execute_fields(named, result, path, grouped_field_set, None)
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _coerced_arguments(self, field_def: GraphQLField, first: Any) -> dict[str, Any]:
        if not (field_def.args or first.node.arguments):
            return {}
        return get_argument_values(
            field_def, first.node, self.variable_values, None, self.hide_suggestions
        )

    async def _completed_later(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


async def _awaited(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    """`results` with its awaitable values awaited, concurrently, as graphql-core does."""
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
        return results
    awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
    results.update(zip(awaitable_fields, awaited, strict=True))
    return results


def fast_execution(
    schema: strawberry.Schema, base: type[FastExecutionContext] = FastExecutionContext
) -> type[FastExecutionContext]:
    """`base`, answering the plain fields and calling the resolvers of `schema` directly."""
    extra = {"leaves": attribute_leaves(schema._schema), "resolvers": direct_resolvers(schema)}
    return type("SchemaFastExecutionContext", (base,), extra)
