"""The cost of an operation, checked before any resolver runs.

Depth and alias limits do not bound the work of a document: `orders(first: 100) { lines {
variant { product { variants { priceTiers ... } } } } }` is shallow and alias-free, yet asks
for hundreds of thousands of rows. So each operation's cost is estimated from the document
and its variables, as Shopify and GitHub do: each object an operation may return costs 1 (a
scalar costs nothing: it comes with its object), and a list returns as many objects as it
may hold: a paginated field its `first` argument (the default when absent, at most
MAX_PAGE), any other list LIST_ESTIMATE. An operation over
`MAX_QUERY_COST` is refused whole with QUERY_TOO_COMPLEX and runs nothing.

Introspection (`__schema`, `__type`, `__typename`) costs nothing: GraphiQL needs it, and it
reads no data.

The same points pay for a caller's budget (auth.caller_budget, docs/api/limits.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from auth.caller_budget import CallerBudget
from core.errors import QueryTooComplex, TradeQLError
from schema.accounts.guards import fragments_by_name
from schema.response_cost import response_cost

# What a plain list (a product's variants, an order's lines) is assumed to hold.
LIST_ESTIMATE = 10
MAX_PAGE = 100
# The lists inside a connection: already counted by the connection's `first`.
CONNECTION_LISTS = frozenset({"edges", "nodes"})


class CostEstimator:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selection_cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLType,
        *,
        in_connection: bool = False,
        seen: frozenset[str] = frozenset(),
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent, in_connection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(
                    selection.selection_set, target or parent, in_connection=in_connection,
                    seen=seen,
                )  # fmt: skip
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selection_cost(
                        fragment.selection_set, target or parent, in_connection=in_connection,
                        seen=seen | {name},
                    )  # fmt: skip
        return total

    def field_cost(self, node: FieldNode, parent: GraphQLType, in_connection: bool) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        named_parent = get_named_type(parent)
        if not isinstance(named_parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = named_parent.fields.get(name)
        if definition is None:
            return 0  # validation reports unknown fields
        if node.selection_set is None:
            return 0  # a scalar or enum: read with its object
        page = self._page_size(node, definition.args)
        if page is not None:
            # A connection: itself, then a page of whatever its edges or nodes hold.
            inner = self.selection_cost(node.selection_set, definition.type, in_connection=True)
            return 1 + page * inner
        children = self.selection_cost(node.selection_set, definition.type)
        if _is_list(definition.type):
            # Every item is an object to load; a connection's page is counted by `first`.
            items = 1 if in_connection and name in CONNECTION_LISTS else LIST_ESTIMATE
            return items * (1 + children)
        return 1 + children

    def _page_size(self, node: FieldNode, arguments: Mapping[str, Any]) -> int | None:
        """`first` of a paginated field: given, from a variable, or its default."""
        if "first" not in arguments:
            return None
        value: Any = arguments["first"].default_value
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value, value)
        if not isinstance(value, int) or value < 1:
            return MAX_PAGE  # invalid sizes are refused by the resolver; never cost them less
        return min(value, MAX_PAGE)


def _is_list(type_: GraphQLType) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def operation_cost(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int | None:
    """The estimated cost of the operation to run; None when there is none to cost."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    fragments = fragments_by_name(document.definitions)
    estimator = CostEstimator(schema, fragments, variables or {})
    return estimator.selection_cost(operation.selection_set, root)


def cost_limit(max_cost: int) -> type[SchemaExtension]:
    """A per-request extension refusing operations that cost more than `max_cost`, and
    charging the caller's budget when the request has one (`Context.budget`): the estimate
    before execution, the part the answer did not use given back after it."""

    class CostLimit(SchemaExtension):
        async def on_execute(self) -> AsyncIterator[None]:
            context = self.execution_context
            document = context.graphql_document
            budget = _budget_of(context.context)
            refusal: TradeQLError | None = None
            # A result already there is an earlier extension's refusal: nothing to charge.
            if document is not None and context.result is None:
                cost = operation_cost(
                    context.schema._schema, document, context.operation_name, context.variables
                )
                if cost is not None and cost > max_cost:
                    refusal = QueryTooComplex(
                        f"This operation would cost {cost:,} points and the limit is "
                        f"{max_cost:,}: ask for fewer items per page (`first`) or fewer "
                        "nested lists, and page through the rest."
                    )
                elif cost is not None and budget is not None:
                    refusal = await budget.charge(cost)
            if refusal is not None:
                context.result = ExecutionResult(
                    data=None, errors=[GraphQLError(refusal.message, original_error=refusal)]
                )
            yield
            if budget is not None and document is not None and context.result is not None:
                data = context.result.data
                await budget.settle(response_cost(document, context.operation_name, data))

    return CostLimit


def _budget_of(request_context: Any) -> CallerBudget | None:
    budget = getattr(request_context, "budget", None)
    return budget if isinstance(budget, CallerBudget) else None
