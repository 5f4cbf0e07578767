"""What a CSV export of a GraphQL document writes: its rows, its columns, how it pages.

The document is a query the caller could run themselves, with exactly one root field. Its
rows are the items of the one list in that field's selection: a connection's
`edges { node { ... } }` or `nodes { ... }` (the row is the node, and the export pages with
`after`), or a plain list (a report's `rows`, or the root field itself). The columns are the
leaf fields under a row, in selection order, nested objects flattened into dotted headers
(`client.name`) by their response keys, so aliases name columns. A list inside a row becomes
one cell per leaf, its items' values joined with "; ". Fields outside the list are run but
not written.

Everything here reads the document against the schema, without running it: a document that
cannot be exported is refused before anything is queued.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    parse,
    parse_type,
)

from resolvers.pagination import MAX_PAGE_SIZE

# The selection the export adds to a connection to page through it, under its own alias.
PAGE_INFO_ALIAS = "exportPageInfo"
AFTER_VARIABLE = "exportAfter"


class NotExportable(Exception):
    """The document runs, but has no one list of rows to write; the message says why."""


@dataclass(frozen=True)
class Column:
    header: str  # the response keys from the row, dotted
    path: tuple[str, ...]
    scalar: str  # the leaf's type name (Decimal, Float, DateTime, ...), to format its value


@dataclass(frozen=True)
class ExportPlan:
    """The document to run for each page, and where the rows and their columns are in its data."""

    document: DocumentNode  # the caller's, with paging added for a connection
    operation_name: str | None
    root_key: str
    list_path: tuple[str, ...]  # from the root field's value to the list
    node_key: str | None  # a connection's edges hold their row under this key
    columns: tuple[Column, ...]
    paged: bool
    first_after: str | None  # the cursor the first page starts after (the caller's `after`)
    after_variable: str | None  # the variable the export sets to each page's `after`


@dataclass
class _Field:
    """One response key of a selection, its definition and every node selecting it."""

    key: str
    definition: GraphQLField | None  # None for __typename
    nodes: list[FieldNode]

    @property
    def type(self) -> GraphQLOutputType | None:
        return None if self.definition is None else self.definition.type


def _fields(
    schema: GraphQLSchema,
    parent: GraphQLNamedType,
    selections: Iterable[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> list[_Field]:
    """The fields selected on `parent`, fragments expanded in place, merged by response key."""
    found: dict[str, _Field] = {}

    def visit(selection_set: SelectionSetNode, on: GraphQLNamedType, seen: frozenset[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                if key not in found:
                    definition = None
                    if isinstance(on, GraphQLObjectType | GraphQLInterfaceType):
                        definition = on.fields.get(selection.name.value)
                    found[key] = _Field(key, definition, [])
                found[key].nodes.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                visit(selection.selection_set, _type(schema, condition, on), seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    condition = fragment.type_condition
                    visit(fragment.selection_set, _type(schema, condition, on), seen | {name})

    for selection_set in selections:
        visit(selection_set, parent, frozenset())
    return list(found.values())


def _type(schema: GraphQLSchema, condition: Any, default: GraphQLNamedType) -> GraphQLNamedType:
    if condition is None:
        return default
    return schema.get_type(condition.name.value) or default


def _sub_selections(field: _Field) -> list[SelectionSetNode]:
    return [node.selection_set for node in field.nodes if node.selection_set is not None]


def _is_list(type_: GraphQLOutputType | None) -> bool:
    return type_ is not None and isinstance(get_nullable_type(type_), GraphQLList)


def _lists_within(
    schema: GraphQLSchema,
    field: _Field,
    fragments: dict[str, FragmentDefinitionNode],
    path: tuple[str, ...],
) -> list[tuple[tuple[str, ...], _Field]]:
    """The lists under `field` (an object), not looking inside a list: candidates for rows."""
    assert field.type is not None
    found: list[tuple[tuple[str, ...], _Field]] = []
    named = get_named_type(field.type)
    for child in _fields(schema, named, _sub_selections(field), fragments):
        if child.type is None or is_leaf_type(get_named_type(child.type)):
            continue
        if _is_list(child.type):
            found.append(((*path, child.key), child))
        else:
            found.extend(_lists_within(schema, child, fragments, (*path, child.key)))
    return found


def _columns(
    schema: GraphQLSchema,
    field: _Field,
    fragments: dict[str, FragmentDefinitionNode],
    prefix: tuple[str, ...] = (),
) -> list[Column]:
    assert field.type is not None
    columns: list[Column] = []
    for child in _fields(schema, get_named_type(field.type), _sub_selections(field), fragments):
        named = "String" if child.type is None else get_named_type(child.type).name
        path = (*prefix, child.key)
        if child.type is None or is_leaf_type(get_named_type(child.type)):
            columns.append(Column(header=".".join(path), path=path, scalar=named))
        else:
            columns.extend(_columns(schema, child, fragments, path))
    return columns


def plan_export(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: dict[str, Any],
) -> ExportPlan:
    """How to export `operation` of a valid `document`; NotExportable if it cannot be."""
    if operation.operation is not OperationType.QUERY:
        raise NotExportable(
            f"only a query can be exported, not a {operation.operation.value}: the export runs "
            "the document again for every page"
        )
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    assert schema.query_type is not None
    roots = _fields(schema, schema.query_type, [operation.selection_set], fragments)
    if len(roots) != 1 or roots[0].definition is None:
        named = ", ".join(root.key for root in roots)
        raise NotExportable(f"the query must select exactly one root field, not {named}")
    root = roots[0]
    assert root.type is not None
    if is_leaf_type(get_named_type(root.type)):
        raise NotExportable(f"`{root.key}` is not a list and holds none")
    if _is_list(root.type):
        return _plan(document, operation, root, (), None, _columns(schema, root, fragments))
    lists = _lists_within(schema, root, fragments, ())
    if len(lists) != 1:
        named = ", ".join("`" + ".".join((root.key, *path)) + "`" for path, _ in lists)
        reason = f"lists {named}: select only the one to export" if lists else "no list"
        raise NotExportable(f"the rows must come from one list, and `{root.key}` selects {reason}")
    path, rows = lists[0]
    list_name = rows.nodes[0].name.value
    if not _is_connection(root, path, list_name):
        return _plan(document, operation, root, path, None, _columns(schema, rows, fragments))
    row, node_key = rows, None
    if list_name == "edges":
        assert rows.type is not None
        edge_type = get_named_type(rows.type)
        nodes = [
            child
            for child in _fields(schema, edge_type, _sub_selections(rows), fragments)
            if child.definition is not None and child.nodes[0].name.value == "node"
        ]
        if not nodes:
            raise NotExportable(f"select the rows as `{root.key} {{ edges {{ node {{ ... }} }} }}`")
        row, node_key = nodes[0], nodes[0].key
    plan = _plan(document, operation, root, path, node_key, _columns(schema, row, fragments))
    return _with_paging(plan, operation, root, variables)


def _is_connection(root: _Field, path: tuple[str, ...], list_name: str) -> bool:
    """A Relay connection's `edges` or `nodes`: the root field takes `after`, and its type
    has `pageInfo`."""
    assert root.definition is not None
    assert root.type is not None
    named = get_named_type(root.type)
    return (
        len(path) == 1
        and list_name in {"edges", "nodes"}
        and "after" in root.definition.args
        and isinstance(named, GraphQLObjectType)
        and "pageInfo" in named.fields
    )


def _plan(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    root: _Field,
    path: tuple[str, ...],
    node_key: str | None,
    columns: list[Column],
) -> ExportPlan:
    if not columns:
        raise NotExportable("the rows select no fields to write")
    return ExportPlan(
        document=document,
        operation_name=operation.name.value if operation.name else None,
        root_key=root.key,
        list_path=path,
        node_key=node_key,
        columns=tuple(columns),
        paged=False,
        first_after=None,
        after_variable=None,
    )


def _with_paging(
    plan: ExportPlan, operation: OperationDefinitionNode, root: _Field, variables: dict[str, Any]
) -> ExportPlan:
    """The plan whose root field reads `after: $exportAfter` and its page info."""
    document = plan.document
    if len(root.nodes) != 1:
        raise NotExportable(f"select `{root.key}` once, so that the export can page through it")
    assert root.definition is not None
    field = root.nodes[0]
    if field not in operation.selection_set.selections:
        raise NotExportable(f"select `{root.key}` directly, not through a fragment, to export it")
    taken = {node.variable.name.value for node in operation.variable_definitions or ()}
    variable = AFTER_VARIABLE
    while variable in taken:
        variable += "_"
    arguments = {argument.name.value: argument for argument in field.arguments or ()}
    first_after = _value(arguments.get("after"), variables)
    arguments["after"] = ArgumentNode(
        name=NameNode(value="after"), value=VariableNode(name=NameNode(value=variable))
    )
    if "first" in root.definition.args and "first" not in arguments:
        arguments["first"] = ArgumentNode(
            name=NameNode(value="first"), value=IntValueNode(value=str(MAX_PAGE_SIZE))
        )
    page_info = parse_selection(f"{PAGE_INFO_ALIAS}: pageInfo {{ hasNextPage endCursor }}")
    assert field.selection_set is not None
    paged_field = FieldNode(
        alias=field.alias,
        name=field.name,
        arguments=tuple(arguments.values()),
        directives=field.directives,
        selection_set=SelectionSetNode(selections=(*field.selection_set.selections, page_info)),
    )
    after_type = str(root.definition.args["after"].type)
    paged_operation = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        directives=operation.directives,
        variable_definitions=(
            *(operation.variable_definitions or ()),
            VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=variable)),
                type=parse_type(after_type),
                directives=(),
            ),
        ),
        selection_set=SelectionSetNode(
            selections=tuple(
                paged_field if selection is field else selection
                for selection in operation.selection_set.selections
            )
        ),
    )
    definitions = tuple(
        paged_operation if node is operation else node for node in document.definitions
    )
    return ExportPlan(
        document=DocumentNode(definitions=definitions),
        operation_name=plan.operation_name,
        root_key=plan.root_key,
        list_path=plan.list_path,
        node_key=plan.node_key,
        columns=plan.columns,
        paged=True,
        first_after=first_after,
        after_variable=variable,
    )


def _value(argument: ArgumentNode | None, variables: dict[str, Any]) -> str | None:
    if argument is None:
        return None
    if isinstance(argument.value, VariableNode):
        found = variables.get(argument.value.name.value)
        return found if isinstance(found, str) else None
    if isinstance(argument.value, StringValueNode):
        return argument.value.value
    return None


def parse_selection(source: str) -> FieldNode:
    operation = parse("{ " + source + " }").definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    selection = operation.selection_set.selections[0]
    assert isinstance(selection, FieldNode)
    return selection
