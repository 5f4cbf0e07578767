"""Each audience's view of the one schema: what its introspection shows.

A view keeps the root operations and fields the audience may use (each field's gates asked
about the audience's stand-in caller, `schema.audiences`), drops object types left with no
field, fields whose type was dropped, and then every type no longer reachable from the roots.
An interface does not keep its implementations: a `Node` type shows only when some kept field
leads to it, so `node(id:)` does not advertise records the caller cannot read.

Input fields and enum values a resolver checks a permission for (`GATED_INPUTS`) are left out
for callers without it, and so are their types when nothing else leads to them.

Views are for introspection only. Object, interface, union and input types (and enums that
lose a value) are copies sharing the full schema's resolvers and parsers; scalars and other
enums are the full schema's own objects. Execution and permission checks always run on the
full schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import TypeVar, cast

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    get_named_type,
    is_introspection_type,
)
from graphql.pyutils import merge_kwargs

from auth.principal import Principal
from core.errors import TradeQLError
from schema.audiences import (
    AUDIENCES,
    GATED_INPUTS,
    OPEN_OPERATION_CALLERS,
    ROW_READERS,
    audience_of,
    stand_in,
)
from schema.permissions import CallerGate

FieldOwner = GraphQLObjectType | GraphQLInterfaceType
T = TypeVar("T")
W = TypeVar("W", bound=GraphQLType)


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
    hidden = frozenset(c for c, needed in GATED_INPUTS.items() if not caller.can(needed))
    roots = [root for root in (full.query_type, full.mutation_type) if root and kept.get(root.name)]
    reachable = _reachable(full, roots, kept, hidden)
    return _Copy(full, kept, hidden, reachable).schema()


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
    full: GraphQLSchema,
    roots: Iterable[GraphQLObjectType],
    kept: Mapping[str, list[str]],
    hidden: frozenset[str],
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
            pending += [
                get_named_type(f.type)
                for name, f in named.fields.items()
                if f"{named.name}.{name}" not in hidden
            ]
    return seen


class _Copy:
    """The types named in `names`, cut down: objects and interfaces to their kept fields,
    unions to their shown members, input types and enums to what is not hidden."""

    def __init__(
        self,
        full: GraphQLSchema,
        kept: Mapping[str, list[str]],
        hidden: frozenset[str],
        names: set[str],
    ) -> None:
        self.full = full
        self.kept = kept
        self.hidden = hidden
        self.names = names
        self.copies = {name: self._copy(full.type_map[name]) for name in sorted(names)}

    def schema(self) -> GraphQLSchema:
        return GraphQLSchema(
            query=self._root(self.full.query_type),
            mutation=self._root(self.full.mutation_type),
            types=list(self.copies.values()),
            directives=self.full.directives,
            description=self.full.description,
            extensions=self.full.extensions,
        )

    def _root(self, of: GraphQLObjectType | None) -> GraphQLObjectType | None:
        if of is None or of.name not in self.names:
            return None
        return cast(GraphQLObjectType, self.copies[of.name])

    def _copy(self, original: GraphQLNamedType) -> GraphQLNamedType:
        if isinstance(original, GraphQLObjectType):
            return GraphQLObjectType(
                **merge_kwargs(
                    original.to_kwargs(),
                    fields=partial(self._fields, original),
                    interfaces=partial(self._interfaces, original),
                )
            )
        if isinstance(original, GraphQLInterfaceType):
            return GraphQLInterfaceType(
                **merge_kwargs(
                    original.to_kwargs(),
                    fields=partial(self._fields, original),
                    interfaces=partial(self._interfaces, original),
                )
            )
        if isinstance(original, GraphQLUnionType):
            return GraphQLUnionType(
                **merge_kwargs(original.to_kwargs(), types=partial(self._members, original))
            )
        if isinstance(original, GraphQLInputObjectType):
            return GraphQLInputObjectType(
                **merge_kwargs(original.to_kwargs(), fields=partial(self._inputs, original))
            )
        if isinstance(original, GraphQLEnumType) and self._shown(original.name, original.values):
            values = self._shown(original.name, original.values)
            return GraphQLEnumType(**merge_kwargs(original.to_kwargs(), values=values))
        return original  # scalars, and enums the caller sees whole

    def _shown(self, owner: str, entries: dict[str, T]) -> dict[str, T]:
        """`entries` without the hidden ones; empty when none is hidden."""
        shown = {name: e for name, e in entries.items() if f"{owner}.{name}" not in self.hidden}
        return shown if len(shown) < len(entries) else {}

    def _type(self, of: W) -> W:
        """`of`, its named type replaced by this view's copy."""
        if isinstance(of, GraphQLNonNull):
            return cast(W, GraphQLNonNull(self._type(of.of_type)))
        if isinstance(of, GraphQLList):
            return cast(W, GraphQLList(self._type(of.of_type)))
        return cast(W, self.copies[cast(GraphQLNamedType, of).name])

    def _fields(self, owner: FieldOwner) -> dict[str, GraphQLField]:
        fields = {}
        for name in self.kept[owner.name]:
            original = owner.fields[name]
            arguments = {
                argument_name: GraphQLArgument(
                    **merge_kwargs(argument.to_kwargs(), type_=self._type(argument.type))
                )
                for argument_name, argument in original.args.items()
            }
            field_type = self._type(original.type)
            fields[name] = GraphQLField(
                **merge_kwargs(original.to_kwargs(), type_=field_type, args=arguments)
            )
        return fields

    def _inputs(self, owner: GraphQLInputObjectType) -> dict[str, GraphQLInputField]:
        return {
            name: GraphQLInputField(**merge_kwargs(field.to_kwargs(), type_=self._type(field.type)))
            for name, field in owner.fields.items()
            if f"{owner.name}.{name}" not in self.hidden
        }

    def _interfaces(self, owner: FieldOwner) -> list[GraphQLInterfaceType]:
        shown = [i for i in owner.interfaces if i.name in self.names]
        return [cast(GraphQLInterfaceType, self.copies[i.name]) for i in shown]

    def _members(self, union: GraphQLUnionType) -> list[GraphQLObjectType]:
        shown = [member for member in union.types if member.name in self.names]
        return [cast(GraphQLObjectType, self.copies[member.name]) for member in shown]
