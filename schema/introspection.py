"""Introspection answers from the caller's own view of the schema, for the callers allowed it.

The whole operation is validated and executed on the full schema, as every other operation,
with every permission check; only the introspection fields (`__schema`, `__type` and the
fields of the `__Schema`, `__Type`... types under them) resolve against the caller's view
(`schema.views`). graphql-core's introspection resolvers read `info.schema`, so handing them
the view is all it takes: an operation mixing introspection with data fields gets its data
from the full schema and its schema answers from the view, and never shows more than the view.
`__typename` names the runtime type, as it always has.

Who may introspect: everyone where `PUBLIC_INTROSPECTION` allows it (by default everywhere
but production); otherwise staff signed in with MFA passed and API keys only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLResolveInfo,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    introspection_types,
)
from graphql.pyutils import Path
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from auth.principal import Principal, PrincipalKind
from core.errors import Forbidden
from schema.accounts.guards import fragments_by_name, root_field_names
from schema.execution import FastExecutionContext
from schema.views import SchemaViews

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
_INTROSPECTION_TYPES = frozenset(introspection_types.values())


def caller_view_execution(views: SchemaViews) -> type[FastExecutionContext]:
    """The execution context class handing introspection resolvers the caller's view.

    Only an operation that introspects pays for it: the check is made once, when the
    operation's execution context is made, so the resolution of data fields, graphql-core's
    hot path, is untouched.
    """

    class CallerViewExecutionContext(FastExecutionContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            names = root_field_names(self.operation.selection_set, self.fragment_definitions)
            if not INTROSPECTION_FIELDS.isdisjoint(names):
                self.build_resolve_info = self._resolve_info_from_view  # type: ignore[method-assign]

        def _resolve_info_from_view(
            self,
            field_def: GraphQLField,
            field_nodes: list[FieldNode],
            parent_type: GraphQLObjectType,
            path: Path,
        ) -> GraphQLResolveInfo[Any]:
            info = super().build_resolve_info(field_def, field_nodes, parent_type, path)
            if (
                field_def is SchemaMetaFieldDef
                or field_def is TypeMetaFieldDef
                or parent_type in _INTROSPECTION_TYPES
            ):
                return info._replace(schema=views.for_caller(self.context_value.principal))
            return info

    return CallerViewExecutionContext


def may_introspect(principal: Principal, *, public: bool) -> bool:
    if public:
        return True
    staff = principal.is_staff and not principal.limited_to_mfa_setup
    return staff or principal.kind is PrincipalKind.API_KEY


def introspection_access(*, public: bool) -> type[SchemaExtension]:
    """Refuses, as a whole, an operation that introspects for a caller not allowed to."""

    class IntrospectionAccess(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            principal: Principal | None = getattr(context.context, "principal", None)
            if principal is not None and not may_introspect(principal, public=public):
                asked = sorted(_root_fields(context) & INTROSPECTION_FIELDS)
                if asked:
                    message = (
                        f"Introspection ({', '.join(asked)}) is open here to staff and "
                        "API keys only: send an API key, or sign in as staff."
                    )
                    context.result = ExecutionResult(
                        data=None,
                        errors=[GraphQLError(message, original_error=Forbidden(message))],
                    )
            yield

    return IntrospectionAccess


def _root_fields(context: ExecutionContext) -> set[str]:
    document = context.graphql_document
    operation = None if document is None else get_operation_ast(document, context.operation_name)
    if document is None or operation is None:
        return set()
    return set(root_field_names(operation.selection_set, fragments_by_name(document.definitions)))
