"""Each audience's view of the one schema: what its introspection shows.

A view keeps the root operations and fields the audience may use (each field's gates asked
about the audience's stand-in caller, `schema.audiences`), drops object types left with no
field, fields whose type was dropped, and then every type no longer reachable from the roots.
An interface does not keep its implementations: a `Node` type shows only when some kept field
leads to it, so `node(id:)` does not advertise records the caller cannot read.

Views are for introspection only. Object, interface and union types are copies sharing the
full schema's resolvers; scalars, enums and input types are the full schema's own objects.
Execution and permission checks always run on the full schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import cast

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLNullableOutputType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_introspection_type,
)
from graphql.pyutils import merge_kwargs

from auth.principal import Principal
from core.errors import TradeQLError
from schema.audiences import (
    AUDIENCES,
    OPEN_OPERATION_CALLERS,
    ROW_READERS,
    audience_of,
    stand_in,
)
from schema.permissions import CallerGate

FieldOwner = GraphQLObjectType | GraphQLInterfaceType


class SchemaViews:
    """Every audience's view, made once from the full schema (at startup)."""

    def __init__(self, full: GraphQLSchema) -> None:
        self.full = full
        self.by_audience = {name: schema_view(full, stand_in(name)) for name in AUDIENCES}

    def for_caller(self, principal: Principal) -> GraphQLSchema:
        return self.by_audience[audience_of(principal)]


def may_use(owner: str, name: str, field: GraphQLField, caller: Principal) -> bool:
    """Whether the field's gates let `caller` through, an open operation serves it, and the
    records it leads to are ones the caller can read rows of."""
    serves = OPEN_OPERATION_CALLERS.get(f"{owner}.{name}")
    if serves is not None and not serves(caller):
        return False
    reads_rows = ROW_READERS.get(get_named_type(field.type).name)
    if reads_rows is not None and not reads_rows(caller):
        return False
    definition = field.extensions.get("strawberry-definition")
    gates = [] if definition is None else definition.extensions
    for gate in gates:
        if isinstance(gate, CallerGate):
            try:
                gate.check(caller)
            except TradeQLError:
                return False
    return True


def schema_view(full: GraphQLSchema, caller: Principal) -> GraphQLSchema:
    """The part of `full` that `caller` may use, as a schema of its own."""
    owners = [
        t
        for t in full.type_map.values()
        if isinstance(t, FieldOwner) and not is_introspection_type(t)
    ]
    usable = {
        owner.name: [n for n, f in owner.fields.items() if may_use(owner.name, n, f, caller)]
        for owner in owners
    }
    kept = _without_dead_ends(full, usable)
    roots = [root for root in (full.query_type, full.mutation_type) if root and kept.get(root.name)]
    reachable = _reachable(full, roots, kept)
    return _copy(full, kept, reachable)


def _without_dead_ends(full: GraphQLSchema, usable: dict[str, list[str]]) -> dict[str, list[str]]:
    """Drop fields whose type is an object left empty (or a union of such), until none is."""
    kept = dict(usable)
    while True:
        alive = {name for name, fields in kept.items() if fields}
        trimmed = {
            owner: [f for f in fields if _leads_somewhere(full, owner, f, alive)]
            for owner, fields in kept.items()
        }
        if trimmed == kept:
            return kept
        kept = trimmed


def _leads_somewhere(full: GraphQLSchema, owner: str, field: str, alive: set[str]) -> bool:
    target = get_named_type(cast(FieldOwner, full.type_map[owner]).fields[field].type)
    if isinstance(target, GraphQLUnionType):
        return any(member.name in alive for member in target.types)
    return not isinstance(target, FieldOwner) or target.name in alive


def _reachable(
    full: GraphQLSchema, roots: Iterable[GraphQLObjectType], kept: Mapping[str, list[str]]
) -> set[str]:
    seen: set[str] = set()
    pending: list[GraphQLNamedType] = list(roots)
    while pending:
        named = pending.pop()
        if named.name in seen or is_introspection_type(named):
            continue
        seen.add(named.name)
        if isinstance(named, FieldOwner):
            pending += [i for i in named.interfaces if kept.get(i.name)]
            for name in kept[named.name]:
                field = named.fields[name]
                pending.append(get_named_type(field.type))
                pending += [get_named_type(a.type) for a in field.args.values()]
        elif isinstance(named, GraphQLUnionType):
            pending += [member for member in named.types if kept.get(member.name)]
        elif isinstance(named, GraphQLInputObjectType):
            pending += [get_named_type(f.type) for f in named.fields.values()]
    return seen


def _copy(full: GraphQLSchema, kept: Mapping[str, list[str]], names: set[str]) -> GraphQLSchema:
    """A schema of the types in `names`, objects and interfaces cut down to their kept fields."""
    copies: dict[str, GraphQLNamedType] = {}

    def wrapped(of: GraphQLOutputType) -> GraphQLOutputType:
        if isinstance(of, GraphQLNonNull):
            return GraphQLNonNull(cast(GraphQLNullableOutputType, wrapped(of.of_type)))
        if isinstance(of, GraphQLList):
            return GraphQLList(wrapped(of.of_type))
        return cast(GraphQLOutputType, copies[of.name])

    def fields_of(owner: FieldOwner) -> dict[str, GraphQLField]:
        fields = {}
        for name in kept[owner.name]:
            field = owner.fields[name].to_kwargs()
            field["type_"] = wrapped(field["type_"])
            fields[name] = GraphQLField(**field)
        return fields

    def interfaces_of(owner: FieldOwner) -> list[GraphQLInterfaceType]:
        shown = [i for i in owner.interfaces if i.name in names]
        return [cast(GraphQLInterfaceType, copies[i.name]) for i in shown]

    def members_of(union: GraphQLUnionType) -> list[GraphQLObjectType]:
        shown = [member for member in union.types if member.name in names]
        return [cast(GraphQLObjectType, copies[member.name]) for member in shown]

    for name in sorted(names):
        original = full.type_map[name]
        if isinstance(original, GraphQLObjectType):
            copies[name] = GraphQLObjectType(
                **merge_kwargs(
                    original.to_kwargs(),
                    fields=partial(fields_of, original),
                    interfaces=partial(interfaces_of, original),
                )
            )
        elif isinstance(original, GraphQLInterfaceType):
            copies[name] = GraphQLInterfaceType(
                **merge_kwargs(
                    original.to_kwargs(),
                    fields=partial(fields_of, original),
                    interfaces=partial(interfaces_of, original),
                )
            )
        elif isinstance(original, GraphQLUnionType):
            copies[name] = GraphQLUnionType(
                **merge_kwargs(original.to_kwargs(), types=partial(members_of, original))
            )
        else:
            copies[name] = original  # scalars, enums and input types hold no output field

    def root(of: GraphQLObjectType | None) -> GraphQLObjectType | None:
        return cast(GraphQLObjectType, copies[of.name]) if of and of.name in names else None

    return GraphQLSchema(
        query=root(full.query_type),
        mutation=root(full.mutation_type),
        types=list(copies.values()),
        directives=full.directives,
        description=full.description,
        extensions=full.extensions,
    )
