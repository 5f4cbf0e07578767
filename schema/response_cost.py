"""What an answer actually cost: the objects its `data` holds, weighed as the estimate weighs.

The estimate (schema/cost.py) charges 1 for each object an operation may return and assumes
full pages and LIST_ESTIMATE items per plain list; the answer shows what was returned. So the
actual cost counts, along the operation's selections, each object in `data` once: a
connection, each edge, each node, each item of a list, each nested object. Scalars (JSON
scalars included) and introspection cost nothing, as in the estimate; a null costs nothing.
The budget charges the smaller of the estimate and this count (auth.caller_budget).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.utilities import get_operation_ast

from schema.accounts.guards import fragments_by_name

# What to look for in an object of the answer: the response key of each field that returns
# objects, with what to look for in those. Scalars are left out: they cost nothing.
Shape = dict[str, "Shape"]


class _Shapes:
    """The shapes of an operation's selections, fragments merged in."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments

    def of(self, selection_sets: Sequence[SelectionSetNode]) -> Shape:
        asked: dict[str, list[SelectionSetNode]] = {}
        for selection_set in selection_sets:
            self._collect(selection_set, asked, frozenset())
        return {key: self.of(nested) for key, nested in asked.items()}

    def _collect(
        self,
        selection_set: SelectionSetNode,
        into: dict[str, list[SelectionSetNode]],
        seen: frozenset[str],
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                # Scalars, introspection and __typename: free, as estimated.
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                key = selection.alias.value if selection.alias else selection.name.value
                into.setdefault(key, []).append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                self._collect(selection.selection_set, into, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if fragment is not None and name not in seen:
                    self._collect(fragment.selection_set, into, seen | {name})


def _objects_in(value: Any, shape: Shape) -> int:
    """The objects of a field's value (an object, a list of them, or null)."""
    if isinstance(value, dict):
        return 1 + _objects_below(value, shape)
    if isinstance(value, list):
        return sum([_objects_in(item, shape) for item in value])
    return 0


def _objects_below(value: dict[str, Any], shape: Shape) -> int:
    total = 0
    for key, nested in shape.items():
        child = value.get(key)
        if child is not None:
            total += _objects_in(child, nested)
    return total


def response_cost(document: DocumentNode, operation_name: str | None, data: Any) -> int:
    """The objects of `data`, an answer to the operation of `document` named so."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or not isinstance(data, dict):
        return 0
    shape = _Shapes(fragments_by_name(document.definitions)).of([operation.selection_set])
    # The root is not an object of its own, as in the estimate.
    return _objects_below(data, shape)
