"""From a page of GraphQL data to CSV lines: the rows of a plan, one cell per column.

Values arrive as the API serialises them, and are written so that a spreadsheet reads them
right: decimals and floats as plain decimals (never `1E+2`), dates and moments as the API's
ISO 8601, booleans `true`/`false`, null as an empty cell, JSON values as compact JSON. A list
inside a row gives one cell per column, its items' values joined with "; ".

Text that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or
a carriage return) is written after an apostrophe, so a client's name cannot run in a staff
member's spreadsheet; numbers are never changed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from schema.files.csv_document import PAGE_INFO_ALIAS, Column, ExportPlan

LIST_SEPARATOR = "; "
NUMBER_SCALARS = frozenset({"Int", "Float", "Decimal"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _values(value: Any, path: tuple[str, ...]) -> Iterator[Any]:
    """The leaf values at `path` under `value`, through any lists on the way."""
    if isinstance(value, list):
        for item in value:
            yield from _values(item, path)
    elif not path:
        yield value
    elif isinstance(value, dict):
        yield from _values(value.get(path[0]), path[1:])


def format_value(value: Any, scalar: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = str(value)
    if scalar == "Decimal":
        return format(Decimal(text), "f")
    if scalar not in NUMBER_SCALARS and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def cells(columns: tuple[Column, ...], row: Any) -> list[str]:
    line = []
    for column in columns:
        found = [v for v in _values(row, column.path) if v is not None]
        line.append(LIST_SEPARATOR.join(format_value(v, column.scalar) for v in found))
    return line


def page_rows(plan: ExportPlan, data: dict[str, Any] | None) -> list[Any]:
    """The rows of one page's data (the nodes of a connection's edges)."""
    found: Any = (data or {}).get(plan.root_key)
    for key in plan.list_path:
        found = found.get(key) if isinstance(found, dict) else None
    items = found if isinstance(found, list) else []
    if plan.node_key is None:
        return items
    return [edge.get(plan.node_key) if isinstance(edge, dict) else None for edge in items]


def next_cursor(plan: ExportPlan, data: dict[str, Any] | None) -> str | None:
    """Where the next page starts, or None after the last."""
    if not plan.paged:
        return None
    root = (data or {}).get(plan.root_key)
    page_info = root.get(PAGE_INFO_ALIAS) if isinstance(root, dict) else None
    if not isinstance(page_info, dict) or not page_info.get("hasNextPage"):
        return None
    cursor = page_info.get("endCursor")
    return cursor if isinstance(cursor, str) else None


def csv_writer(out: IO[str]) -> Any:
    """RFC 4180: fields quoted when they must be, lines ended with CRLF."""
    return csv.writer(out, lineterminator="\r\n")


def header(plan: ExportPlan) -> list[str]:
    return [column.header for column in plan.columns]
