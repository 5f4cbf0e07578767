"""What an operation selects below the field resolving now, as plain data (`Selected`): the
fields by name, aliases and fragments merged, each with the arguments of its occurrences. Root
fields read it to count only when a total is asked for, and to look ahead
(`resolvers.look_ahead`) at what each listed row will need."""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types.nodes import SelectedField
from strawberry.types.nodes import Selection as StrawberrySelection

from resolvers.look_ahead import Selected, Selection
from schema.info import Info


def selection_of(info: Info) -> Selected:
    """Everything selected below the current field."""
    return _merged(selection for field in info.selected_fields for selection in field.selections)


def rows_of_connection(selected: Selection) -> Selected:
    """What a connection's selection asks of each row: its `edges { node }` and `nodes`."""
    below_edges = selected.get("edges", {}).get("node", {})
    return _merge_into(Selected(below_edges), selected.get("nodes", {}))


def _merged(selections: Iterable[StrawberrySelection]) -> Selected:
    merged = Selected()
    pending = list(selections)
    while pending:
        selection = pending.pop()
        if isinstance(selection, SelectedField):
            field = merged.setdefault(selection.name, Selected())
            field.arguments.append(selection.arguments)
            _merge_into(field, _merged(selection.selections))
        else:  # a fragment spread or inline fragment: its fields are the parent's
            pending.extend(selection.selections)
    return merged


def _merge_into(target: Selected, more: Selection) -> Selected:
    for name, below in more.items():
        field = target.setdefault(name, Selected())
        field.arguments.extend(getattr(below, "arguments", ()))
        _merge_into(field, below)
    return target
