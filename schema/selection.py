"""What an operation selects below the field resolving now, as plain data (`Selection`): the
fields by name, aliases and fragments merged. Root fields read it to count only when a total is
asked for, and to look ahead (`resolvers.look_ahead`) at what each listed row will need."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types.nodes import SelectedField
from strawberry.types.nodes import Selection as StrawberrySelection

from resolvers.look_ahead import Selection
from schema.info import Info


def selection_of(info: Info) -> Selection:
    """Everything selected below the current field."""
    return _merged(selection for field in info.selected_fields for selection in field.selections)


def rows_of_connection(selected: Selection) -> Selection:
    """What a connection's selection asks of each row: its `edges { node }` and `nodes`."""
    below_edges = selected.get("edges", {}).get("node", {})
    return _merge_into(dict(below_edges), selected.get("nodes", {}))


def _merged(selections: Iterable[StrawberrySelection]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    pending = list(selections)
    while pending:
        selection = pending.pop()
        if isinstance(selection, SelectedField):
            _merge_into(merged.setdefault(selection.name, {}), _merged(selection.selections))
        else:  # a fragment spread or inline fragment: its fields are the parent's
            pending.extend(selection.selections)
    return merged


def _merge_into(target: dict[str, Any], more: Selection) -> dict[str, Any]:
    for name, below in more.items():
        _merge_into(target.setdefault(name, {}), below)
    return target
