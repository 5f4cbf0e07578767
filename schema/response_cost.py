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

# Response key -> the selection sets asked of it (several when a field is selected twice or
# through fragments); None for a scalar.
Selections = dict[str, list[SelectionSetNode | None]]


class _ObjectCounter:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments
        self._merged: dict[tuple[int, ...], Selections] = {}

    def count(self, value: Any, selection_sets: Sequence[SelectionSetNode]) -> int:
        if isinstance(value, list):
            return sum(self.count(item, selection_sets) for item in value)
        if not isinstance(value, dict):
            return 0
        return 1 + self.count_fields(value, selection_sets)

    def count_fields(
        self, value: dict[str, Any], selection_sets: Sequence[SelectionSetNode]
    ) -> int:
        total = 0
        for key, asked in self._fields(selection_sets).items():
            nested = [selection_set for selection_set in asked if selection_set is not None]
            if nested and key in value:
                total += self.count(value[key], nested)
        return total

    def _fields(self, selection_sets: Sequence[SelectionSetNode]) -> Selections:
        # Every item of a list has the same selections: merge them once per list.
        memo_key = tuple(id(selection_set) for selection_set in selection_sets)
        merged = self._merged.get(memo_key)
        if merged is None:
            merged = {}
            for selection_set in selection_sets:
                self._collect(selection_set, merged, frozenset())
            self._merged[memo_key] = merged
        return merged

    def _collect(
        self, selection_set: SelectionSetNode, into: Selections, seen: frozenset[str]
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue  # introspection and __typename: free, as estimated
                key = selection.alias.value if selection.alias else selection.name.value
                into.setdefault(key, []).append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                self._collect(selection.selection_set, into, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if fragment is not None and name not in seen:
                    self._collect(fragment.selection_set, into, seen | {name})


def response_cost(document: DocumentNode, operation_name: str | None, data: Any) -> int:
    """The objects of `data`, an answer to the operation of `document` named so."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or not isinstance(data, dict):
        return 0
    counter = _ObjectCounter(fragments_by_name(document.definitions))
    # The root is not an object of its own, as in the estimate.
    return counter.count_fields(data, [operation.selection_set])
